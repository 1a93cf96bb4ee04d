// A minimal test runner for the extension host, behind @vscode/test-electron's `run()` contract (the module at
// extensionTestsPath exports `run(): Promise<void>`, which rejects when a test failed). Tests run in order, each with
// a timeout; every result is printed as `ok`/`not ok`, the run ends with `N passed, N failed`, and when
// EDGE_VSCODE_RESULTS names a file the results are also written there as JSON for the node:test wrapper.
import { writeFileSync } from "node:fs";

export interface TestResult {
  name: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

type TestFn = () => Promise<void> | void;
const tests: { name: string; fn: TestFn; timeoutMs: number }[] = [];

export function test(name: string, fn: TestFn, timeoutMs = 30_000): void {
  tests.push({ name, fn, timeoutMs });
}

function withTimeout(promise: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runAll(): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const t of tests) {
    const started = performance.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeoutMs, t.name);
      results.push({ name: t.name, ok: true, durationMs: performance.now() - started });
      console.log(`ok - ${t.name}`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.push({ name: t.name, ok: false, durationMs: performance.now() - started, error: message });
      console.log(`not ok - ${t.name}\n${message}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  const out = process.env.EDGE_VSCODE_RESULTS;
  if (out) writeFileSync(out, JSON.stringify(results, null, 2));
  return results;
}

/** The @vscode/test-electron contract: resolve when every test passed, reject otherwise. */
export async function runContract(): Promise<void> {
  const results = await runAll();
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0)
    throw new Error(`${failed.length} extension-host test(s) failed: ${failed.map((r) => r.name).join(", ")}`);
}
