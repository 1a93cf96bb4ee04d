// Placeholder while the command is being written; replaced by its real module.
import { EdgeError } from "../errors";
import type { CliIO } from "./io";

export async function inspectCommand(_argv: string[], _io: CliIO): Promise<number> {
  throw new EdgeError("internal/bug", "edge inspect is not built yet");
}
