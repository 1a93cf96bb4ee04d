// The client side of the recipe server's own messages (language-server/protocol.ts): typed notification objects
// for vscode-languageclient, each with the direction it travels.
import { NotificationType } from "vscode-languageclient/node";
import {
  DidChangeStatusNotification,
  RevalidateNotification,
  type RevalidateParams,
  type StatusParams,
} from "../language-server/protocol";

/** server → client: the server's state changed (feeds the language status item). */
export const didChangeStatus = new NotificationType<StatusParams>(DidChangeStatusNotification.method);

/** client → server: check these open recipes again (every open recipe when `uris` is absent). */
export const revalidate = new NotificationType<RevalidateParams>(RevalidateNotification.method);
