// One quantization in its own process, so its peak RSS (getrusage's high-water mark) is the quantizer's alone.
// Usage: quantize-child.ts SRC OUT OPTIONS_JSON; prints one JSON line { maxRssBytes, durationMs, outputBytes }.
import { quantizeModel } from "../engine/quantize/quantize-model";
import type { QuantizeOptions } from "../engine/quantize/types";

const [src, out, optionsJson] = process.argv.slice(2);
const started = performance.now();
let peakSampled = 0;
const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, process.memoryUsage.rss())), 50);
const result = await quantizeModel(src, out, JSON.parse(optionsJson) as QuantizeOptions);
clearInterval(sampler);
// ru_maxrss is in kilobytes on Linux.
const maxRssBytes = Math.max(process.resourceUsage().maxRSS * 1024, peakSampled);
console.log(
  JSON.stringify({
    maxRssBytes,
    durationMs: performance.now() - started,
    outputBytes: result.outputBytes,
    sourceBytes: result.sourceBytes,
    nodes: result.quantized.length,
  }),
);
