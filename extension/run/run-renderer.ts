// The run terminal's text: the one renderer of engine events (common/event-text.ts) with ANSI colours, the progress
// line rewritten in place and CRLF line ends, as VS Code's pseudoterminal wants them.
import { EventTextRenderer, TERMINAL_TEXT } from "../../common/event-text";

export { terminalText, type RunSummary } from "../../common/event-text";

export class RunRenderer extends EventTextRenderer {
  constructor() {
    super(TERMINAL_TEXT);
  }
}
