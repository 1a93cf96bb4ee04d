// Realistic-looking synthetic inputs for the int8-static tests: text-like images (paper, ink strokes in lines),
// normalized the way PaddleOCR feeds its models. Deterministic per seed.
import type { Sample } from "../../engine/data/typed-tensor";

export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export function textImage(seed: number, h: number, w: number, norm: "imagenet" | "half"): Float32Array {
  const r = rng(seed);
  const rgb = new Float32Array(3 * h * w);
  const bg = [0.75 + 0.25 * r(), 0.75 + 0.25 * r(), 0.75 + 0.25 * r()];
  const gx = (r() - 0.5) * 0.3,
    gy = (r() - 0.5) * 0.3;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++)
        rgb[c * h * w + y * w + x] = Math.min(
          1,
          Math.max(0, bg[c] + gx * (x / w - 0.5) + gy * (y / h - 0.5) + (r() - 0.5) * 0.04),
        );
  const lines = 1 + Math.floor(r() * Math.max(1, h / 24));
  for (let l = 0; l < lines; l++) {
    const ch = Math.max(4, Math.floor(h * (lines === 1 ? 0.5 : 0.12) * (0.7 + 0.6 * r())));
    const y0 = Math.floor(r() * Math.max(1, h - ch));
    let x = Math.floor(r() * w * 0.2);
    const ink = [0.05 + 0.3 * r(), 0.05 + 0.3 * r(), 0.05 + 0.3 * r()];
    while (x < w * (0.6 + 0.4 * r())) {
      const cw = Math.max(2, Math.floor(ch * (0.5 + 0.5 * r())));
      for (let s = 0; s < 3; s++) {
        // strokes
        const horiz = r() < 0.5;
        const t = Math.max(1, Math.floor(ch / 8));
        const sx = x + Math.floor(r() * cw),
          sy = y0 + Math.floor(r() * ch);
        for (let yy = horiz ? sy : y0; yy < (horiz ? sy + t : y0 + ch); yy++)
          for (let xx = horiz ? x : sx; xx < (horiz ? x + cw : sx + t); xx++) {
            if (yy >= h || xx >= w) continue;
            for (let c = 0; c < 3; c++) rgb[c * h * w + yy * w + xx] = ink[c];
          }
      }
      x += cw + Math.max(1, Math.floor(ch * 0.2));
    }
  }
  const mean = norm === "imagenet" ? [0.485, 0.456, 0.406] : [0.5, 0.5, 0.5];
  const std = norm === "imagenet" ? [0.229, 0.224, 0.225] : [0.5, 0.5, 0.5];
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < h * w; i++) rgb[c * h * w + i] = (rgb[c * h * w + i] - mean[c]) / std[c];
  return rgb;
}

/** `count` samples of input "x" [batch, 3, h, w] from seeds `seed`, `seed + 1`, … */
export function imageSamples(
  count: number,
  seed: number,
  shape: [number, number, number, number],
  norm: "imagenet" | "half",
): Sample[] {
  const [batch, , h, w] = shape;
  return Array.from({ length: count }, (_, i) => {
    const data = new Float32Array(batch * 3 * h * w);
    for (let b = 0; b < batch; b++) data.set(textImage((seed + i) * 31 + b, h, w, norm), b * 3 * h * w);
    return { x: { dtype: "float32" as const, shape: [...shape], data } };
  });
}
