// bench:lsp — the recipe language server over real LSP stdio, against yaml-language-server given the same JSON Schema
// on the same 2,000-line recipe and positions, both spawned as editors spawn them (ours from dist/, theirs from
// node_modules). Measures completion latency (document unchanged, and right after an edit), the time from didChange
// to the publishDiagnostics of that edit, and, with a 50,000-node model named by the recipe: how other requests
// answer while the first (uncached) read is in flight, then hover on node names and node-name completion once cached.
// Usage: npm run bench:lsp [-- --rounds N]
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type {
  CompletionItem,
  CompletionList,
  Position,
  TextDocumentContentChangeEvent,
} from "vscode-languageserver-protocol";
import { writeBigModel } from "./lsp/big-model";
import { ensureBuilt, SERVER_BUNDLE } from "./lsp/ensure-built";
import { LspProcess } from "./lsp/lsp-process";
import { generateRecipe } from "./lsp/recipe-generator";
import { formatSummary, ms, spread, summarize, type Summary, timed } from "./lsp/stats";

const GOAL = { completionMs: 10, diagnosticsMs: 50, ratio: 3, modelMs: 50 };
/** Between keystrokes when typing a node name: about 100 words a minute. */
const TYPING_GAP_MS = 120;
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 3;
const root = resolve(import.meta.dirname, "..");
const YAML_LS = join(root, "node_modules/yaml-language-server/bin/yaml-language-server");
const SCHEMA = join(root, "schemas/edge-recipe.schema.json");

// The whole benchmark must end: children are killed on exit (LspProcess), and a hung server fails the run.
const deadline = setTimeout(() => {
  console.error("bench:lsp: took more than 5 minutes; giving up");
  process.exit(1);
}, 300_000);
process.on("SIGINT", () => process.exit(130));

ensureBuilt(root);
const work = join(root, "bench/.work/lsp");
mkdirSync(join(work, "data"), { recursive: true });
const model = writeBigModel(join(work, "big-model.onnx"));
const recipe = generateRecipe({
  lines: 2000,
  modelPath: "big-model.onnx",
  modelInputs: model.inputNames,
  nodeNames: model.nodeNames,
});
const recipePath = join(work, "big.edge.yaml");
writeFileSync(recipePath, recipe.text);
for (const file of recipe.dataFiles) {
  mkdirSync(dirname(join(work, file)), { recursive: true });
  writeFileSync(join(work, file), "[]\n");
}
const uri = pathToFileURL(recipePath).href;
console.log(
  `recipe: ${recipe.lineCount} lines (${recipe.marks.threadLines.length} devices, ${recipe.dataFiles.length} datasets, ${recipe.marks.nodeNames.length} excluded nodes); model: ${model.nodeCount.toLocaleString("en")} nodes`,
);

/** The same positions for both servers: keys, blank key lines in devices, enum values, the run.device reference. */
const completionPositions: Position[] = [
  ...spread(recipe.marks.keyStarts, 20),
  ...spread(recipe.marks.blankKeyLines, 10),
  ...spread(recipe.marks.valueEnds, 20),
  recipe.marks.deviceReference,
];

const itemsOf = (r: CompletionList | CompletionItem[] | null) => (r === null ? [] : Array.isArray(r) ? r : r.items);

interface Figures {
  completion: Summary;
  completionNonEmpty: number;
  completionAfterEdit: Summary;
  diagnostics: Summary;
  /** Diagnostics of the edits that broke the schema (threads: 0) that reported an error. */
  invalidFlagged: string;
}

/** Edits `threads: N` of device i to `value` (0 breaks the schema's minimum of 1). */
function threadsEdit(doc: { text: string }, i: number, value: number): TextDocumentContentChangeEvent {
  const mark = recipe.marks.threadLines[i % recipe.marks.threadLines.length];
  const lines = doc.text.split("\n");
  const line = lines[mark.line];
  const end = line.length;
  lines[mark.line] = `${line.slice(0, mark.valueStart)}${value}`;
  doc.text = lines.join("\n");
  return {
    range: { start: { line: mark.line, character: mark.valueStart }, end: { line: mark.line, character: end } },
    text: String(value),
  };
}

async function measure(
  server: LspProcess,
  withVersions: boolean,
  edits: number,
  state: { version: number; text: string },
): Promise<Figures> {
  // Completion on the unchanged document.
  const completion: number[] = [];
  let nonEmpty = 0;
  for (let round = 0; round < rounds; round++) {
    for (const position of completionPositions) {
      const { result, ms } = await timed(() =>
        server.request<CompletionList | CompletionItem[] | null>("textDocument/completion", {
          textDocument: { uri },
          position,
        }),
      );
      completion.push(ms);
      if (round === 0 && itemsOf(result).length > 0) nonEmpty++;
    }
  }
  // Diagnostics after an edit: from didChange to the publishDiagnostics of that version (the next one, for a server
  // that does not send versions: each edit waits for the previous edit's diagnostics first).
  const diagnostics: number[] = [];
  let invalid = 0;
  let flagged = 0;
  for (let i = 0; i < edits; i++) {
    const breaks = i % 2 === 0;
    const change = threadsEdit(state, i >> 1, breaks ? 0 : 1 + (i % 7));
    state.version++;
    const published = server.nextDiagnostics(uri, withVersions ? state.version : undefined, 15_000);
    const started = performance.now();
    await server.notify("textDocument/didChange", {
      textDocument: { uri, version: state.version },
      contentChanges: [change],
    });
    const params = await published;
    diagnostics.push(performance.now() - started);
    if (breaks) {
      invalid++;
      if (params.diagnostics.some((d) => d.severity === 1)) flagged++;
    }
  }
  // Completion right after an edit (typing): the server has a new version to read first.
  const completionAfterEdit: number[] = [];
  for (let i = 0; i < completionPositions.length; i++) {
    const change = threadsEdit(state, i + 3, 1 + (i % 5));
    state.version++;
    const settled = server.nextDiagnostics(uri, withVersions ? state.version : undefined, 15_000);
    await server.notify("textDocument/didChange", {
      textDocument: { uri, version: state.version },
      contentChanges: [change],
    });
    const { ms } = await timed(() =>
      server.request("textDocument/completion", { textDocument: { uri }, position: completionPositions[i] }),
    );
    completionAfterEdit.push(ms);
    await settled;
  }
  return {
    completion: summarize(completion),
    completionNonEmpty: nonEmpty,
    completionAfterEdit: summarize(completionAfterEdit),
    diagnostics: summarize(diagnostics),
    invalidFlagged: `${flagged}/${invalid}`,
  };
}

interface ModelFigures {
  /** From didOpen until the model was read. */
  firstReadMs: number;
  duringRead: Summary;
  hover: Summary;
  hoverNonEmpty: number;
  nodeCompletion: Summary;
  nodeCompletionNonEmpty: number;
  typedNodeCompletion: Summary;
}

/**
 * Ours only. The recipe is opened with the model not yet read: its check and the first hover on a node name wait for
 * the read (in the server's worker thread), which `edge/status` shows as "busy"; completion and documentSymbol are
 * asked over and over meanwhile, and must not wait.
 */
async function measureModel(server: LspProcess, state: { version: number; text: string }): Promise<ModelFigures> {
  const nodePositions = spread(recipe.marks.nodeNames, 30);
  const busy = () => server.statuses.at(-1)?.state === "busy";
  const opened = performance.now();
  await server.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "edge-recipe", version: 1, text: recipe.text },
  });
  let hoverMs = Number.NaN;
  const firstHover = server
    .request("textDocument/hover", { textDocument: { uri }, position: nodePositions[0] }, 60_000)
    .then(() => {
      hoverMs = performance.now() - opened;
    });
  const during: number[] = [];
  let hoverDone = false;
  void firstHover.finally(() => (hoverDone = true));
  for (let i = 0; (!hoverDone || busy()) && performance.now() - opened < 60_000; i++) {
    const request =
      i % 2 === 0
        ? () =>
            server.request("textDocument/completion", {
              textDocument: { uri },
              position: recipe.marks.keyStarts[i % recipe.marks.keyStarts.length],
            })
        : () => server.request("textDocument/documentSymbol", { textDocument: { uri } });
    const { ms } = await timed(request);
    during.push(ms);
  }
  await firstHover;
  // The read's duration: from didOpen until the status left "busy" (or the hover answered, if no status said busy).
  const busyStart = server.statuses.find((s) => s.at >= opened && s.state === "busy");
  const busyEnd = busyStart && server.statuses.find((s) => s.at > busyStart.at && s.state !== "busy");
  const firstReadMs = busyEnd ? busyEnd.at - opened : hoverMs;

  const hover: number[] = [];
  let hoverNonEmpty = 0;
  const nodeCompletion: number[] = [];
  let nodeCompletionNonEmpty = 0;
  for (let round = 0; round < rounds; round++) {
    for (const position of nodePositions) {
      const h = await timed(() =>
        server.request<{ contents: unknown } | null>("textDocument/hover", { textDocument: { uri }, position }),
      );
      hover.push(h.ms);
      if (round === 0 && h.result) hoverNonEmpty++;
    }
    for (const position of spread(recipe.marks.nodeNameEnds, 30)) {
      const c = await timed(() =>
        server.request<CompletionList | CompletionItem[] | null>("textDocument/completion", {
          textDocument: { uri },
          position,
        }),
      );
      nodeCompletion.push(c.ms);
      if (round === 0 && itemsOf(c.result).length > 0) nodeCompletionNonEmpty++;
    }
  }
  // Typing a new node name: a new list item, then completion on growing prefixes (each a new version), a keystroke
  // every TYPING_GAP_MS as a fast typist (the diagnostics of one keystroke are checked before the next).
  const typed: number[] = [];
  const lastNode = recipe.marks.nodeNameEnds.at(-1)!;
  const itemStart = { line: lastNode.line + 1, character: 0 };
  for (const name of ["/block.4/Relu", "/block.1666/Add", "b16M"]) {
    state.version++;
    await server.notify("textDocument/didChange", {
      textDocument: { uri, version: state.version },
      contentChanges: [{ range: { start: itemStart, end: itemStart }, text: "      - \n" }],
    });
    let column = "      - ".length;
    for (const ch of name) {
      state.version++;
      const at = { line: itemStart.line, character: column };
      await server.notify("textDocument/didChange", {
        textDocument: { uri, version: state.version },
        contentChanges: [{ range: { start: at, end: at }, text: ch }],
      });
      column++;
      const { ms } = await timed(() =>
        server.request("textDocument/completion", {
          textDocument: { uri },
          position: { line: itemStart.line, character: column },
        }),
      );
      typed.push(ms);
      await new Promise((r) => setTimeout(r, TYPING_GAP_MS));
    }
  }
  return {
    firstReadMs,
    duringRead: summarize(during),
    hover: summarize(hover),
    hoverNonEmpty,
    nodeCompletion: summarize(nodeCompletion),
    nodeCompletionNonEmpty,
    typedNodeCompletion: summarize(typed),
  };
}

async function runOurs(): Promise<{ figures: Figures; model: ModelFigures }> {
  const server = new LspProcess({
    name: "edge",
    command: [process.execPath, join(root, SERVER_BUNDLE), "--stdio"],
    cwd: root,
  });
  try {
    await server.initialize(pathToFileURL(work).href);
    const state = { version: 1, text: recipe.text };
    const model = await measureModel(server, state);
    // The model phase typed a list item: put the document back to the generated text before the comparison.
    state.version++;
    const end = { line: recipe.lineCount + 5, character: 0 };
    await server.notify("textDocument/didChange", {
      textDocument: { uri, version: state.version },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end }, text: recipe.text }],
    });
    state.text = recipe.text;
    await server.nextDiagnostics(uri, state.version, 30_000);
    const figures = await measure(server, true, 40, state);
    check(server);
    await server.stop();
    return { figures, model };
  } finally {
    server.kill();
  }
}

async function runYamlLanguageServer(): Promise<Figures> {
  // The recipe lives under bench/.work/, and yaml-language-server's globs (picomatch) skip dot folders unless named.
  const fileMatch = ["*.edge.yaml", ".work/**/*.edge.yaml"];
  const yamlSettings = {
    schemas: { [pathToFileURL(SCHEMA).href]: fileMatch },
    validate: true,
    completion: true,
    hover: true,
    format: { enable: true },
    schemaStore: { enable: false },
  };
  const server = new LspProcess({
    name: "yaml-language-server",
    command: [process.execPath, YAML_LS, "--stdio"],
    cwd: root,
    configuration: (section) => (section === "yaml" ? yamlSettings : section === "editor" ? { tabSize: 2 } : {}),
  });
  try {
    await server.initialize(pathToFileURL(work).href);
    await server.notify("workspace/didChangeConfiguration", { settings: { yaml: yamlSettings } });
    const first = server.nextDiagnostics(uri, undefined, 30_000);
    await server.notify("textDocument/didOpen", {
      textDocument: { uri, languageId: "yaml", version: 1, text: recipe.text },
    });
    await first; // the schema is loaded and the document checked once
    const figures = await measure(server, false, 20, { version: 1, text: recipe.text });
    check(server);
    await server.stop();
    return figures;
  } finally {
    server.kill();
  }
}

function check(server: LspProcess): void {
  if (server.exitCode !== undefined)
    throw new Error(`${server.options.name} exited (code ${server.exitCode}):\n${server.stderr}`);
  const stray = server.logs.filter((l) => /unhandled rejection|uncaught exception/i.test(l.message));
  if (stray.length > 0)
    console.log(`  ${server.options.name} logged: ${stray.map((l) => l.message.split("\n")[0]).join("; ")}`);
}

function report(name: string, f: Figures): void {
  console.log(`${name}`);
  console.log(
    `  completion (unchanged document)  ${formatSummary(f.completion)}; ${f.completionNonEmpty}/${completionPositions.length} positions with items`,
  );
  console.log(`  completion right after an edit   ${formatSummary(f.completionAfterEdit)}`);
  console.log(
    `  diagnostics after an edit        ${formatSummary(f.diagnostics)}; schema errors flagged ${f.invalidFlagged}`,
  );
}

const ours = await runOurs();
const theirs = await runYamlLanguageServer();
const YAML_DEBOUNCE_MS = 200; // yaml-language-server's fixed validationDelayMs
const m = ours.model;

console.log("");
report("edge (dist/language-server/server.js)", ours.figures);
report("yaml-language-server 2.0.0 (same JSON Schema)", theirs);
console.log(
  `  (yaml-language-server waits ${YAML_DEBOUNCE_MS} ms after an edit before checking; its p95 less that wait: ${ms(theirs.diagnostics.p95 - YAML_DEBOUNCE_MS)})`,
);
console.log(`50,000-node model`);
console.log(
  `  first read (didOpen until the status leaves "busy") ${ms(m.firstReadMs)}; meanwhile completion/documentSymbol ${formatSummary(m.duringRead)}`,
);
console.log(`  hover on node names, cached      ${formatSummary(m.hover)}; ${m.hoverNonEmpty}/30 with content`);
console.log(
  `  node-name completion, cached     ${formatSummary(m.nodeCompletion)}; ${m.nodeCompletionNonEmpty}/30 with items`,
);
console.log(
  `  node-name completion while typing ${formatSummary(m.typedNodeCompletion)} (a keystroke every ${TYPING_GAP_MS} ms)`,
);

const completionRatio = theirs.completion.p95 / ours.figures.completion.p95;
const diagnosticsRatio = theirs.diagnostics.p95 / ours.figures.diagnostics.p95;
const modelWorst = Math.max(m.hover.p95, m.nodeCompletion.p95);
const goals: [string, boolean][] = [
  [
    `lsp: completion p95 ${ms(ours.figures.completion.p95)} on a ${recipe.lineCount}-line recipe (goal ≤ ${GOAL.completionMs} ms)`,
    ours.figures.completion.p95 <= GOAL.completionMs,
  ],
  [
    `lsp: diagnostics published ${ms(ours.figures.diagnostics.p95)} after an edit, p95 (goal ≤ ${GOAL.diagnosticsMs} ms)`,
    ours.figures.diagnostics.p95 <= GOAL.diagnosticsMs,
  ],
  [
    `lsp: completion ${completionRatio.toFixed(1)}× faster than yaml-language-server at p95 (goal ≥ ${GOAL.ratio}×)`,
    completionRatio >= GOAL.ratio,
  ],
  [
    `lsp: diagnostics ${diagnosticsRatio.toFixed(1)}× faster than yaml-language-server at p95 (goal ≥ ${GOAL.ratio}×)`,
    diagnosticsRatio >= GOAL.ratio,
  ],
  [
    `lsp: 50,000-node model, cached hover/completion p95 ${ms(modelWorst)} (goal ≤ ${GOAL.modelMs} ms)`,
    modelWorst <= GOAL.modelMs,
  ],
  [
    `lsp: 50,000-node model, node-name completion while typing p95 ${ms(m.typedNodeCompletion.p95)} (goal ≤ ${GOAL.modelMs} ms)`,
    m.typedNodeCompletion.p95 <= GOAL.modelMs,
  ],
  [
    `lsp: requests during the first model read p95 ${ms(m.duringRead.p95)} (goal ≤ ${GOAL.modelMs} ms, not blocked)`,
    m.duringRead.p95 <= GOAL.modelMs,
  ],
];
console.log("");
for (const [line, met] of goals) console.log(`${line}${met ? "" : "  ← missed"}`);
const met = goals.filter(([, ok]) => ok).length;
console.log(
  `lsp: ${met}/${goals.length} goals met (completion p95 ${ms(ours.figures.completion.p95)}, diagnostics p95 ${ms(ours.figures.diagnostics.p95)}, ${completionRatio.toFixed(1)}×/${diagnosticsRatio.toFixed(1)}× vs yaml-language-server)`,
);
clearTimeout(deadline);
process.exitCode = met === goals.length ? 0 : 1;
