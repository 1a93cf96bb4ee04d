// `edge run`'s human text on stderr: the one renderer of engine events (common/event-text.ts) as plain lines, with
// its closing summary when the run ends. The JSON-lines mode prints the events themselves on stdout as well.
import { EventTextRenderer } from "../../common/event-text";
import type { EngineEvent } from "../events";

/** Exit code of a run stopped by the user (128 + SIGINT). */
const EXIT_STOPPED = 130;

export function humanEventWriter(write: (text: string) => void): (event: EngineEvent) => void {
  const renderer = new EventTextRenderer();
  return (event) => {
    const text = renderer.render(event);
    if (text) write(text);
    if (event.type === "run/end") write(renderer.finish(event.exitCode, event.exitCode === EXIT_STOPPED));
  };
}
