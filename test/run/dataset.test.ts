// Dataset readers: .npy (files NumPy wrote, and our own writer round-tripping every dtype), JSON tensors, the
// sample-directory layout, and clear errors for bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeNpy, parseNpy, readNpy } from "../../engine/data/npy";
import { parseJsonTensors } from "../../engine/data/json-tensors";
import { readDataset } from "../../engine/data/dataset";
import { DTYPES, type TensorData, allocate, fromHalfBits, writeNumber } from "../../engine/data/typed-tensor";
import { EdgeError, isEdgeError } from "../../engine/errors";
import { tempDir } from "./helpers";

const fixtures = "test/run/fixtures/npy";
const values = (t: TensorData) =>
  [...t.data].map((v) => (typeof v === "bigint" ? v : t.dtype === "float16" ? fromHalfBits(v) : v));

void test("reads .npy files written by NumPy (v1, v2, v3 headers; big-endian; scalars)", async () => {
  const f32 = await readNpy(join(fixtures, "f32.npy"));
  assert.equal(f32.dtype, "float32");
  assert.deepEqual(f32.shape, [2, 3]);
  assert.deepEqual(values(f32), [0, 0.25, 0.5, 0.75, 1, 1.25]);
  assert.deepEqual(values(await readNpy(join(fixtures, "i64.npy"))), [-3n, 0n, 2n ** 40n]);
  const b = await readNpy(join(fixtures, "b1.npy"));
  assert.equal(b.dtype, "bool");
  assert.deepEqual(values(b), [1, 0, 1]);
  const u8 = await readNpy(join(fixtures, "u8.npy"));
  assert.deepEqual([u8.dtype, u8.shape, values(u8)], ["uint8", [2, 2], [0, 255, 7, 8]]);
  const be = await readNpy(join(fixtures, "f64_be.npy"));
  assert.deepEqual([be.dtype, values(be)], ["float64", [1.5, -2.25]]);
  const scalar = await readNpy(join(fixtures, "scalar_i32.npy"));
  assert.deepEqual([scalar.dtype, scalar.shape, values(scalar)], ["int32", [], [16000]]);
  const f16 = await readNpy(join(fixtures, "f16_v2.npy"));
  assert.deepEqual([f16.dtype, values(f16)], ["float16", [0.5, -1, 65504]]);
  const v3 = await readNpy(join(fixtures, "f32_v3.npy"));
  assert.deepEqual(
    [v3.shape, values(v3)],
    [
      [1, 2, 2],
      [3, 3, 3, 3],
    ],
  );
});

void test("every dtype round-trips through encodeNpy / parseNpy, in each format version", () => {
  for (const dtype of DTYPES) {
    const data = allocate(dtype, 6);
    for (let i = 0; i < 6; i++)
      writeNumber(data, dtype, i, dtype === "bool" ? i % 2 : i * 3 - (dtype.startsWith("u") ? 0 : 5));
    const t: TensorData = { dtype, shape: [2, 3], data };
    for (const version of [1, 2, 3] as const) {
      const bytes = encodeNpy(t, version);
      assert.equal((bytes.length - data.byteLength) % 64, 0, "header padded to 64 bytes");
      const back = parseNpy(bytes, `${dtype}.npy`);
      assert.equal(back.dtype, dtype);
      assert.deepEqual(back.shape, [2, 3]);
      assert.deepEqual(values(back), values(t));
    }
  }
  assert.deepEqual(parseNpy(encodeNpy({ dtype: "float32", shape: [3], data: new Float32Array([1, 2, 3]) })).shape, [3]);
});

void test("a corrupted header is a run/input error naming the file and the byte offset", async () => {
  const good = readFileSync(join(fixtures, "f32.npy"));
  const check = (bytes: Uint8Array, offset: number, pattern: RegExp) =>
    assert.throws(
      () => parseNpy(bytes, "bad.npy"),
      (e: unknown) =>
        e instanceof EdgeError &&
        e.code === "run/input" &&
        e.where.file === "bad.npy" &&
        e.where.offset === offset &&
        pattern.test(e.message),
    );
  const magic = Uint8Array.from(good);
  magic[1] = 0x58;
  check(magic, 1, /magic/);
  const version = Uint8Array.from(good);
  version[6] = 9;
  check(version, 6, /version 9/);
  const dict = Uint8Array.from(good);
  dict.set(new TextEncoder().encode("'sh4pe'"), good.indexOf(0x27, 40)); // corrupt the 'shape' key
  check(dict, 10, /not a valid \.npy header/);
  const dtype = Uint8Array.from(good);
  dtype.set(new TextEncoder().encode("c8"), 22); // '<f4' → '<c8' (complex)
  check(dtype, 10, /unsupported \.npy dtype '<c8'/);
  check(good.subarray(0, good.length - 4), good.length - 4, /truncated: shape \(2, 3\) of float32 needs 24 bytes/);
  const length = Uint8Array.from(good);
  length[8] = 0xff;
  length[9] = 0x7f;
  check(length, 8, /header says it is 32767 bytes/);
  await assert.rejects(readNpy(join(fixtures, "fortran.npy")), /Fortran-ordered/);
  await assert.rejects(
    readNpy(join(fixtures, "missing.npy")),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /ENOENT/.test(e.message),
  );
});

void test("JSON tensors: one sample or a list; nested data; int64 as strings; clear errors", () => {
  const [one] = parseJsonTensors(
    JSON.stringify({
      x: {
        dtype: "float32",
        shape: [1, 2, 2],
        data: [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      },
      ids: { dtype: "int64", shape: [2], data: ["9007199254740993", 5] },
    }),
  );
  assert.deepEqual(
    [one.x.shape, values(one.x)],
    [
      [1, 2, 2],
      [1, 2, 3, 4],
    ],
  );
  assert.deepEqual(values(one.ids), [9007199254740993n, 5n]);
  const list = parseJsonTensors(
    JSON.stringify([
      { m: { dtype: "bool", shape: [2], data: [true, 0] } },
      { m: { dtype: "bool", shape: [2], data: [1, false] } },
    ]),
  );
  assert.deepEqual(
    list.map((s) => values(s.m)),
    [
      [1, 0],
      [1, 0],
    ],
  );
  assert.throws(
    () => parseJsonTensors('{"x": {"dtype": "float32", "shape": [3], "data": [1, 2]}}', "d.json"),
    /d\.json: \$\.x\.data has 2 values but shape \[3\] needs 3/,
  );
  assert.throws(
    () => parseJsonTensors('{"x": {"dtype": "float8", "shape": [1], "data": [1]}}'),
    /dtype must be one of/,
  );
  assert.throws(
    () => parseJsonTensors("{oops"),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /not valid JSON/.test(e.message),
  );
});

void test("readDataset: DIR/<sample>/<input>.npy in natural order, single files, JSON; a file that is not an npz", async () => {
  const dir = tempDir();
  const data = join(dir, "data");
  for (const n of [10, 2, 1]) {
    mkdirSync(join(data, `sample-${n}`), { recursive: true });
    writeFileSync(
      join(data, `sample-${n}`, "x.npy"),
      encodeNpy({ dtype: "float32", shape: [1], data: new Float32Array([n]) }),
    );
    writeFileSync(
      join(data, `sample-${n}`, "sr.npy"),
      encodeNpy({ dtype: "int64", shape: [], data: new BigInt64Array([16000n]) }),
    );
  }
  writeFileSync(join(data, "notes.txt"), "ignored");
  const samples = await readDataset(data);
  assert.deepEqual(
    samples.map((s) => values(s.x)[0]),
    [1, 2, 10],
  );
  assert.deepEqual(Object.keys(samples[0]).sort(), ["sr", "x"]);
  assert.equal((await readDataset(data, { maxSamples: 2 })).length, 2);

  const single = await readDataset(join(fixtures, "f32.npy"));
  assert.deepEqual(Object.keys(single[0]), ["f32"]);
  writeFileSync(join(dir, "d.json"), JSON.stringify([{ x: { dtype: "float32", shape: [1], data: [7] } }]));
  assert.deepEqual(values((await readDataset(join(dir, "d.json")))[0].x), [7]);

  writeFileSync(join(dir, "d.npz"), "PK");
  await assert.rejects(
    readDataset(join(dir, "d.npz")),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && /not an \.npz file/.test(e.message),
  );
  mkdirSync(join(dir, "empty"));
  await assert.rejects(readDataset(join(dir, "empty")), /has no sample directories/);
  await assert.rejects(readDataset(join(dir, "nope")), /cannot read dataset/);
});

void test("readDataset: .npz from numpy (savez and savez_compressed), samples along the first axis, input mapping, truncation", async (t) => {
  const python = "/usr/bin/python3";
  const dir = tempDir();
  const script = [
    "import numpy as np, sys",
    "x = np.arange(3 * 2 * 4, dtype=np.float32).reshape(3, 2, 4)",
    "ids = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.int64)",
    "np.savez(sys.argv[1] + '/plain.npz', x=x, ids=ids)",
    "np.savez_compressed(sys.argv[1] + '/small.npz', pixels=x, ids=ids)",
  ].join("\n");
  const made = spawnSync(python, ["-c", script, dir], { encoding: "utf8" });
  if (made.status !== 0) return t.skip(`numpy (Debian python3-numpy) is needed to write .npz files: ${made.stderr}`);
  for (const [file, inputs] of [
    ["plain.npz", undefined],
    ["small.npz", { x: "pixels", ids: "ids" }],
  ] as const) {
    const samples = await readDataset(join(dir, file), { inputs });
    assert.equal(samples.length, 3, file);
    assert.deepEqual(samples[1].x.shape, [1, 2, 4]);
    assert.deepEqual(values(samples[1].x), [8, 9, 10, 11, 12, 13, 14, 15]);
    assert.equal(samples[2].ids.dtype, "int64");
    assert.deepEqual(values(samples[2].ids), [5n, 6n]);
  }
  assert.equal((await readDataset(join(dir, "plain.npz"), { maxSamples: 2 })).length, 2);
  await assert.rejects(
    readDataset(join(dir, "small.npz"), { inputs: { x: "nope" } }),
    /has no array "nope" for input "x".*/,
  );
  const bytes = readFileSync(join(dir, "plain.npz"));
  writeFileSync(join(dir, "cut.npz"), bytes.subarray(0, bytes.length - 40));
  await assert.rejects(
    readDataset(join(dir, "cut.npz")),
    (e: unknown) => isEdgeError(e) && e.code === "run/input" && e.where.file === join(dir, "cut.npz"),
  );
});
