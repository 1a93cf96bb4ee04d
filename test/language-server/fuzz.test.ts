// Fuzz: 10,000 random edits (characters and whole lines, inserted and deleted) sent as incremental didChange to the
// real server over stdio, on the demo recipe and a big generated one, interleaved with requests of every kind at
// random positions (some cancelled). The server must never exit, never log an unhandled rejection or uncaught
// exception, answer every request (a result or an error response) in time, and publish diagnostics for the final
// versions. Seeded: EDGE_FUZZ_SEED=N reruns a failure; EDGE_FUZZ_EDITS=N changes the count.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CancellationTokenSource, type Diagnostic } from "vscode-languageserver-protocol/node";
import { TextDocument, type TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import { ensureBuilt, SERVER_BUNDLE } from "../../bench/lsp/ensure-built";
import { LspProcess } from "../../bench/lsp/lsp-process";
import { writeBigModel } from "../../bench/lsp/big-model";
import { generateRecipe } from "../../bench/lsp/recipe-generator";

const root = resolve(import.meta.dirname, "..", "..");
ensureBuilt(root);

const seed = Number(process.env.EDGE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EDITS = Number(process.env.EDGE_FUZZ_EDITS ?? 10_000);
const REQUEST_TIMEOUT_MS = 20_000;

/** mulberry32: a small seeded PRNG. */
function prng(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const int = (n: number) => Math.floor(random() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];

/** Characters that matter to YAML, ordinary ones, and some outside the BMP (surrogate pairs in UTF-16 positions). */
const ALPHABET = [
  ..."abcdefghijklmnopqrstuvwxyz_0123456789 ",
  ..."::::----    [],{}#&*!|>'\"%@`?~\t\n\n.,/\\",
  "é",
  "→",
  "😀",
  "\r\n",
];
const LINES = [
  "  ",
  "",
  "- item",
  "key: value",
  "model:",
  "  path: ../x.onnx",
  "devices:",
  "  d: { local: {} }",
  "run: { device: d }",
  "quantize:",
  "  method: int8-static",
  "    nodes: [a, b",
  "&anchor x: *anchor",
  "'unterminated",
  "? complex",
  "---",
  "...",
  "%YAML 1.2",
  "\t tab: indented",
];

interface FuzzDocument {
  uri: string;
  original: string;
  document: TextDocument;
  /** The diagnostics last published for it (code actions are asked for some of them). */
  diagnostics: () => Diagnostic[];
}

function randomPosition(document: TextDocument) {
  const line = int(document.lineCount + 2);
  const length =
    line < document.lineCount
      ? document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).length
      : 0;
  return { line, character: int(length + 3) };
}

/** One random edit, biased towards deletions when the text has grown and insertions when it has shrunk. */
function randomEdit(doc: FuzzDocument): TextDocumentContentChangeEvent {
  const { document, original } = doc;
  const text = document.getText();
  const growth = text.length / Math.max(1, original.length);
  const remove = random() < (growth > 2 ? 0.8 : growth < 0.5 ? 0.2 : 0.5);
  const offset = int(text.length + 1);
  const at = document.positionAt(offset);
  if (random() < 0.3) {
    // Whole lines.
    const line = int(document.lineCount);
    const start = { line, character: 0 };
    if (remove) return { range: { start, end: { line: line + 1 + int(2), character: 0 } }, text: "" };
    const copy =
      random() < 0.5 ? document.getText({ start, end: { line: line + 1, character: 0 } }) : `${pick(LINES)}\n`;
    return { range: { start, end: start }, text: copy };
  }
  if (remove) return { range: { start: at, end: document.positionAt(offset + 1 + int(8)) }, text: "" };
  let inserted = "";
  for (let i = 1 + int(5); i > 0; i--) inserted += pick(ALPHABET);
  return { range: { start: at, end: at }, text: inserted };
}

const REQUESTS = [
  "completion",
  "completion",
  "hover",
  "hover",
  "documentSymbol",
  "foldingRange",
  "codeAction",
  "formatting",
  "documentLink",
  "definition",
  "prepareRename",
  "rename",
] as const;

function randomRequest(doc: FuzzDocument): { method: string; params: unknown } {
  const textDocument = { uri: doc.uri };
  const position = randomPosition(doc.document);
  switch (pick(REQUESTS)) {
    case "completion":
      return {
        method: "textDocument/completion",
        params: {
          textDocument,
          position,
          context:
            random() < 0.5
              ? { triggerKind: 1 }
              : { triggerKind: 2, triggerCharacter: pick([":", " ", "-", "[", ",", "/"]) },
        },
      };
    case "hover":
      return { method: "textDocument/hover", params: { textDocument, position } };
    case "documentSymbol":
      return { method: "textDocument/documentSymbol", params: { textDocument } };
    case "foldingRange":
      return { method: "textDocument/foldingRange", params: { textDocument } };
    case "codeAction": {
      const end = randomPosition(doc.document);
      const range = end.line < position.line ? { start: end, end: position } : { start: position, end };
      const diagnostics = doc
        .diagnostics()
        .filter(() => random() < 0.5)
        .slice(0, 5);
      return { method: "textDocument/codeAction", params: { textDocument, range, context: { diagnostics } } };
    }
    case "formatting":
      return {
        method: "textDocument/formatting",
        params: { textDocument, options: { tabSize: pick([2, 4]), insertSpaces: random() < 0.9 } },
      };
    case "documentLink":
      return { method: "textDocument/documentLink", params: { textDocument } };
    case "definition":
      return { method: "textDocument/definition", params: { textDocument, position } };
    case "prepareRename":
      return { method: "textDocument/prepareRename", params: { textDocument, position } };
    case "rename":
      return {
        method: "textDocument/rename",
        params: { textDocument, position, newName: pick(["renamed", "x", "a b", "", "😀"]) },
      };
  }
}

void test(`10,000 random edits with requests in between: the server never crashes and answers everything (seed ${seed})`, async (t) => {
  t.diagnostic(`seed ${seed} (rerun with EDGE_FUZZ_SEED=${seed})`);
  const work = resolve(root, "bench/.work/fuzz");
  mkdirSync(work, { recursive: true });
  const demo = readFileSync(resolve(root, "samples/demo.edge.yaml"), "utf8");
  // The bigger recipe is valid too: its model (3,000 nodes) and dataset files exist.
  const model = writeBigModel(resolve(work, "fuzz-model.onnx"), 3000, 4);
  const generated = generateRecipe({
    lines: 1200,
    modelPath: "fuzz-model.onnx",
    modelInputs: model.inputNames,
    nodeNames: model.nodeNames,
  });
  for (const file of generated.dataFiles) {
    mkdirSync(dirname(resolve(work, file)), { recursive: true });
    writeFileSync(resolve(work, file), "[]\n");
  }
  const big = generated.text;
  const server = new LspProcess({ name: "fuzz", command: [process.execPath, SERVER_BUNDLE, "--stdio"], cwd: root });
  const fuzzDocument = (uri: string, original: string): FuzzDocument => ({
    uri,
    original,
    document: TextDocument.create(uri, "edge-recipe", 1, original),
    diagnostics: () => server.diagnostics.findLast((d) => d.uri === uri)?.diagnostics ?? [],
  });
  const docs = [
    fuzzDocument(pathToFileURL(resolve(root, "samples/fuzz-demo.edge.yaml")).href, demo),
    fuzzDocument(pathToFileURL(resolve(work, "fuzz-big.edge.yaml")).href, big),
  ];
  const stats = { requests: 0, errors: 0, cancelled: 0, edits: 0, errorMessages: new Map<string, number>() };
  try {
    await server.initialize(pathToFileURL(root).href);
    for (const doc of docs) {
      await server.notify("textDocument/didOpen", {
        textDocument: { uri: doc.uri, languageId: "edge-recipe", version: 1, text: doc.original },
      });
    }

    let outstanding: Promise<void>[] = [];
    const ask = (doc: FuzzDocument) => {
      const { method, params } = randomRequest(doc);
      stats.requests++;
      const source = random() < 0.05 ? new CancellationTokenSource() : undefined;
      let timer: NodeJS.Timeout | undefined;
      const sent = source
        ? server.connection.sendRequest(method, params, source.token)
        : server.connection.sendRequest(method, params);
      const answered = sent.then(
        () => undefined,
        (error: { code?: number; message?: string }) => {
          if (error?.code === -32800) stats.cancelled++;
          else {
            stats.errors++;
            const key = `${method}: ${error?.message ?? String(error)}`.slice(0, 160);
            stats.errorMessages.set(key, (stats.errorMessages.get(key) ?? 0) + 1);
          }
        },
      );
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `no answer to ${method} ${JSON.stringify(params).slice(0, 300)} in ${REQUEST_TIMEOUT_MS} ms (seed ${seed})`,
              ),
            ),
          REQUEST_TIMEOUT_MS,
        );
      });
      outstanding.push(Promise.race([answered, timeout]).finally(() => clearTimeout(timer)));
      if (source) setTimeout(() => source.cancel(), int(3));
    };

    while (stats.edits < EDITS) {
      const doc = pick(docs);
      // Every 2,500 edits a document goes back to its valid text (one full-range change), so both states are fuzzed.
      if (stats.edits > 0 && stats.edits % 2500 < 20 && doc.document.getText() !== doc.original && random() < 0.5) {
        const change = {
          range: { start: { line: 0, character: 0 }, end: doc.document.positionAt(doc.document.getText().length) },
          text: doc.original,
        };
        TextDocument.update(doc.document, [change], doc.document.version + 1);
        await server.notify("textDocument/didChange", {
          textDocument: { uri: doc.uri, version: doc.document.version },
          contentChanges: [change],
        });
      }
      for (let n = 1 + int(25); n > 0 && stats.edits < EDITS; n--) {
        // Sometimes several changes in one notification, applied in order as the protocol says.
        const changes: TextDocumentContentChangeEvent[] = [];
        for (let k = random() < 0.15 ? 2 + int(3) : 1; k > 0 && stats.edits < EDITS; k--) {
          const change = randomEdit(doc);
          TextDocument.update(doc.document, [change], doc.document.version);
          changes.push(change);
          stats.edits++;
        }
        TextDocument.update(doc.document, [], doc.document.version + 1);
        void server.notify("textDocument/didChange", {
          textDocument: { uri: doc.uri, version: doc.document.version },
          contentChanges: changes,
        });
        if (random() < 0.12) ask(doc);
      }
      for (let n = 1 + int(3); n > 0; n--) ask(pick(docs));
      if (outstanding.length >= 24) {
        await Promise.all(outstanding);
        outstanding = [];
      }
      assert.equal(
        server.exitCode,
        undefined,
        `the server exited (code ${server.exitCode}) after ${stats.edits} edits (seed ${seed}):\n${server.stderr}`,
      );
    }
    await Promise.all(outstanding);

    // The diagnostics settle on every document's final version.
    for (const doc of docs) {
      const published = server.diagnostics.filter((d) => d.uri === doc.uri).at(-1);
      if (published?.version !== doc.document.version)
        await server.nextDiagnostics(doc.uri, doc.document.version, REQUEST_TIMEOUT_MS);
      const versions = server.diagnostics.filter((d) => d.uri === doc.uri).map((d) => d.version ?? 0);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
        `diagnostics went back to an older version (seed ${seed})`,
      );
    }

    t.diagnostic(
      `${stats.edits} edits, ${stats.requests} requests: ${stats.errors} error responses, ${stats.cancelled} cancelled; ${server.diagnostics.length} diagnostics publications`,
    );
    const failures = server.logs.filter((l) => / failed for |failed:/.test(l.message));
    if (failures.length > 0) {
      const distinct = new Map<string, number>();
      for (const f of failures) {
        const key = f.message
          .split("\n")
          .slice(0, 2)
          .join(" | ")
          .replace(/\(version \d+\)/, "")
          .slice(0, 200);
        distinct.set(key, (distinct.get(key) ?? 0) + 1);
      }
      t.diagnostic(
        `${failures.length} requests failed inside the language service (logged, answered empty); distinct:`,
      );
      for (const [message, count] of [...distinct].slice(0, 12)) t.diagnostic(`  ${count}× ${message}`);
    }
    for (const [message, count] of stats.errorMessages) t.diagnostic(`error response ${count}×: ${message}`);
    const stray = [server.stderr, ...server.logs.map((l) => l.message)].filter((m) =>
      /unhandled rejection|uncaught exception/i.test(m),
    );
    assert.deepEqual(stray, [], `seed ${seed}`);
    assert.equal(server.exitCode, undefined, `the server exited (seed ${seed}):\n${server.stderr}`);
    assert.equal(await server.stop(), 0);
  } catch (error) {
    if (error instanceof Error)
      error.message = `${error.message}\n(fuzz seed ${seed}: rerun with EDGE_FUZZ_SEED=${seed})`;
    throw error;
  } finally {
    server.kill();
  }
});
