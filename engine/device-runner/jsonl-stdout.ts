// The runner's event stream: each engine event as one JSON object on its own line on stdout, stamped like
// `edge run --events jsonl` stamps them (`timeMs`: milliseconds since the runner started, createEventSink).
//
// On a device stdout is a pipe (ssh, adb shell). Node has no stdio buffer of its own: each write goes to the pipe at
// once when it can (libuv writes synchronously while the pipe has room, and queues only when it is full), so a line
// reaches the host as soon as it is emitted. What is queued is written out before exit by `flush`. When the host
// stops reading (the pipe breaks: EPIPE), lines are dropped from then on and `onBroken` is told once.
import type { Writable } from "node:stream";
import type { EngineEvent } from "../../common/events";
import { type EventSink, createEventSink } from "../events";

export interface JsonlStdout {
  sink: EventSink;
  /** Writes one event as given (already stamped). */
  write(event: EngineEvent): void;
  /** Resolves when everything written has left the process, or after `timeoutMs` (a host that stopped reading). */
  flush(timeoutMs?: number): Promise<void>;
  readonly broken: boolean;
}

export function jsonlStdout(
  startMs: number,
  onBroken: (error: Error) => void,
  stream: Writable = process.stdout,
): JsonlStdout {
  let broken = false;
  stream.on("error", (error: Error) => {
    if (broken) return;
    broken = true;
    onBroken(error);
  });
  const write = (event: EngineEvent) => {
    if (!broken) stream.write(`${JSON.stringify(event)}\n`);
  };
  return {
    sink: createEventSink(write, startMs),
    write,
    get broken() {
      return broken;
    },
    flush(timeoutMs = 10_000) {
      if (broken) return Promise.resolve();
      return new Promise<void>((done) => {
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        stream.write("", () => {
          clearTimeout(timer);
          done();
        });
      });
    },
  };
}
