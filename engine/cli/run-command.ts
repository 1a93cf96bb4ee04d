// Placeholder while the command is being written; replaced by its real module.
import { EdgeError } from "../errors";
import type { CliIO } from "./io";

export async function runCommand(_argv: string[], _io: CliIO): Promise<number> {
  throw new EdgeError("internal/bug", "edge run is not built yet");
}
