// The language server over the real protocol: `edge lsp --stdio` and the bundle itself, spawned and spoken to as an
// editor would (initialize → didOpen → didChange → requests → diagnostics → shutdown/exit), plus the other
// transports and the wrappers every handler goes through. Builds dist/ first when it is stale.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CancellationTokenSource,
  createClientSocketTransport,
  createProtocolConnection,
  type CompletionList,
  type Diagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  IPCMessageReader,
  IPCMessageWriter,
  type InitializeResult,
  LSPErrorCodes,
  ResponseError,
  type TextEdit,
} from "vscode-languageserver-protocol/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { ensureBuilt, SERVER_BUNDLE } from "../../bench/lsp/ensure-built";
import { CLIENT_CAPABILITIES, LspProcess } from "../../bench/lsp/lsp-process";
import { type HandlerContext, onDocumentRequest, RequestTracker } from "../../language-server/handlers/context";
import { StatusReporter } from "../../language-server/handlers/status";
import type { ModelSummaryResult, WorldHost } from "../../language-server/world/world-host";

const root = resolve(import.meta.dirname, "..", "..");
ensureBuilt(root);

const demoText = readFileSync(resolve(root, "samples/demo.edge.yaml"), "utf8");
/** Beside the demo, so its relative model path resolves; never written to disk (the server works on the open text). */
const recipeUri = pathToFileURL(resolve(root, "samples/protocol-test.edge.yaml")).href;
const unknownDeviceText = demoText.replace("  device: laptop", "  device: nowhere");
const deviceLine = unknownDeviceText.split("\n").indexOf("  device: nowhere");

function lineOf(text: string, needle: string): number {
  const line = text.split("\n").findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `no line with ${needle}`);
  return line;
}

async function exercise(server: LspProcess): Promise<void> {
  const init = await server.initialize(pathToFileURL(root).href);
  const caps = init.capabilities;
  assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
  assert.ok(caps.completionProvider?.triggerCharacters?.includes(":"));
  assert.equal(caps.hoverProvider, true);
  assert.deepEqual(caps.renameProvider, { prepareProvider: true });
  assert.equal(caps.documentFormattingProvider, true);
  assert.equal(init.serverInfo?.name, "edge-recipe-language-server");

  // didOpen: an unknown run.device is reported on its line.
  const opened = server.nextDiagnostics(recipeUri, 1);
  await server.notify("textDocument/didOpen", {
    textDocument: { uri: recipeUri, languageId: "edge-recipe", version: 1, text: unknownDeviceText },
  });
  const first = await opened;
  assert.equal(first.version, 1);
  const unknown = first.diagnostics.filter((d: Diagnostic) => d.range.start.line === deviceLine);
  assert.ok(
    unknown.length > 0 && unknown.some((d) => /nowhere/.test(JSON.stringify(d.message))),
    `diagnostics: ${JSON.stringify(first.diagnostics)}`,
  );

  // An incremental edit that fixes it: version 2 is clean on that line.
  const fixed = server.nextDiagnostics(recipeUri, 2);
  const at = "  device: ".length;
  await server.notify("textDocument/didChange", {
    textDocument: { uri: recipeUri, version: 2 },
    contentChanges: [
      {
        range: {
          start: { line: deviceLine, character: at },
          end: { line: deviceLine, character: at + "nowhere".length },
        },
        text: "laptop",
      },
    ],
  });
  const second = await fixed;
  assert.equal(second.version, 2);
  assert.deepEqual(
    second.diagnostics.filter((d) => d.range.start.line === deviceLine && d.severity === 1),
    [],
  );

  // A model file changed (the client's watcher, registered at initialized): open recipes are checked again.
  assert.ok(
    server.registrations.some((r) => r.method === "workspace/didChangeWatchedFiles"),
    JSON.stringify(server.registrations),
  );
  const rechecked = server.diagnostics.length;
  await server.notify("workspace/didChangeWatchedFiles", {
    changes: [{ uri: pathToFileURL(resolve(root, "models/m.onnx")).href, type: 2 }],
  });
  const again = await server.nextDiagnostics(recipeUri, 2);
  assert.equal(again.version, 2);
  assert.ok(server.diagnostics.length > rechecked);
  // So does edge/revalidate (client → server).
  const afterRevalidate = server.nextDiagnostics(recipeUri, 2);
  await server.notify("edge/revalidate", { uris: [recipeUri] });
  assert.equal((await afterRevalidate).version, 2);

  // Completion at the top level of a recipe without a model offers `model`.
  const bareUri = pathToFileURL(resolve(root, "samples/protocol-bare.edge.yaml")).href;
  await server.notify("textDocument/didOpen", {
    textDocument: { uri: bareUri, languageId: "edge-recipe", version: 1, text: "name: bare\n\n" },
  });
  const completion = await server.request<CompletionList>("textDocument/completion", {
    textDocument: { uri: bareUri },
    position: { line: 1, character: 0 },
  });
  const labels = completion.items.map((i) => i.label);
  assert.ok(labels.includes("model"), `labels: ${labels.join(", ")}`);

  // Hover on a key shows the schema's description.
  const providerLine = lineOf(unknownDeviceText, "  provider: cpu");
  const hover = await server.request<Hover | null>("textDocument/hover", {
    textDocument: { uri: recipeUri },
    position: { line: providerLine, character: 4 },
  });
  assert.ok(hover && JSON.stringify(hover.contents).length > 20, `hover: ${JSON.stringify(hover)}`);

  const symbols = await server.request<DocumentSymbol[]>("textDocument/documentSymbol", {
    textDocument: { uri: recipeUri },
  });
  for (const name of ["model", "devices", "run"])
    assert.ok(
      symbols.some((s) => s.name === name),
      `symbols: ${symbols.map((s) => s.name).join(", ")}`,
    );
  const folds = await server.request<FoldingRange[]>("textDocument/foldingRange", { textDocument: { uri: recipeUri } });
  assert.ok(folds.length > 0);
  const edits = await server.request<TextEdit[]>("textDocument/formatting", {
    textDocument: { uri: recipeUri },
    options: { tabSize: 2, insertSpaces: true },
  });
  assert.ok(Array.isArray(edits));
  // A document that is not open gets the empty answer, not an error.
  assert.equal(
    await server.request("textDocument/hover", {
      textDocument: { uri: "file:///nowhere.edge.yaml" },
      position: { line: 0, character: 0 },
    }),
    null,
  );

  assert.ok(
    server.statuses.some((s) => s.state === "ready"),
    `statuses: ${JSON.stringify(server.statuses)}`,
  );
  assert.equal(await server.stop(), 0);
  assert.doesNotMatch(server.stderr, /unhandled rejection|uncaught exception/i);
  assert.equal(server.logs.filter((l) => /unhandled rejection|uncaught exception/i.test(l.message)).length, 0);
}

async function exerciseAndKill(server: LspProcess): Promise<void> {
  try {
    await exercise(server);
  } catch (error) {
    if (error instanceof Error)
      error.message += `\nserver stderr:\n${server.stderr}\nserver log:\n${server.logs.map((l) => l.message).join("\n")}`;
    throw error;
  } finally {
    server.kill();
  }
}

void test("edge lsp --stdio: initialize, diagnostics of an edit, completion, hover, symbols, shutdown", async () => {
  await exerciseAndKill(
    new LspProcess({ name: "edge lsp", command: [process.execPath, "bin/edge.js", "lsp", "--stdio"], cwd: root }),
  );
});

void test("dist/language-server/server.js --stdio speaks the same protocol", async () => {
  await exerciseAndKill(
    new LspProcess({ name: "server.js", command: [process.execPath, SERVER_BUNDLE, "--stdio"], cwd: root }),
  );
});

void test("initializationOptions.adbPath: completion of adb.serial lists what that adb says is attached", async () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-lsp-adb-"));
  const adb = join(dir, "fake-adb");
  writeFileSync(
    adb,
    "#!/bin/sh\necho 'List of devices attached'\necho '9XY8Z7            device usb:1-1 product:husky model:Pixel_8_Pro device:husky transport_id:1'\n",
  );
  chmodSync(adb, 0o755);
  const server = new LspProcess({
    name: "server.js",
    command: [process.execPath, SERVER_BUNDLE, "--stdio"],
    cwd: root,
  });
  try {
    await server.initialize(null, { adbPath: adb });
    const uri = "untitled:adb.edge.yaml";
    const text = "name: adb\nmodel:\n  path: m.onnx\ndevices:\n  phone:\n    adb: { serial:  }\n";
    await server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "edge-recipe", version: 1, text } });
    const list = await server.request<CompletionList>("textDocument/completion", {
      textDocument: { uri },
      position: { line: 5, character: 19 },
    });
    const serial = list.items.find((i) => i.label === "9XY8Z7");
    assert.ok(serial, `items: ${list.items.map((i) => i.label).join(", ")}`);
    assert.match(JSON.stringify(serial), /Pixel 8 Pro|Pixel_8_Pro/);
    assert.equal(await server.stop(), 0);
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

void test("diagnostics are never published for a version older than one already published", async () => {
  const server = new LspProcess({
    name: "server.js",
    command: [process.execPath, SERVER_BUNDLE, "--stdio"],
    cwd: root,
  });
  try {
    await server.initialize(null);
    const uri = "untitled:rapid.edge.yaml";
    let text = "name: rapid\nmodel:\n  path: m.onnx\n";
    await server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "edge-recipe", version: 1, text } });
    const document = TextDocument.create(uri, "edge-recipe", 1, text);
    let version = 1;
    for (let round = 0; round < 40; round++) {
      version++;
      const change = {
        range: { start: document.positionAt(text.length), end: document.positionAt(text.length) },
        text: round % 2 ? "#" : "\n",
      };
      TextDocument.update(document, [change], version);
      text = document.getText();
      await server.notify("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [change] });
      if (round % 7 === 0) await new Promise((r) => setTimeout(r, 8));
    }
    const last = await server.nextDiagnostics(uri, version);
    assert.equal(last.version, version);
    await new Promise((r) => setTimeout(r, 50));
    const versions = server.diagnostics.filter((d) => d.uri === uri).map((d) => d.version ?? -1);
    assert.deepEqual(
      versions,
      [...versions].sort((a, b) => a - b),
      `published versions: ${versions.join(", ")}`,
    );
    assert.equal(versions.at(-1), version);
    assert.equal(await server.stop(), 0);
  } finally {
    server.kill();
  }
});

async function initializeOver(connection: ReturnType<typeof createProtocolConnection>): Promise<InitializeResult> {
  connection.onRequest("client/registerCapability", () => null);
  connection.listen();
  const result = await connection.sendRequest<InitializeResult>("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: CLIENT_CAPABILITIES,
  });
  await connection.sendNotification("initialized", {});
  await connection.sendRequest("shutdown");
  await connection.sendNotification("exit");
  return result;
}

void test("the server also speaks over --node-ipc and --socket=PORT", async () => {
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const ipc = spawn(process.execPath, [SERVER_BUNDLE, "--node-ipc"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    children.push(ipc);
    const ipcExit = new Promise<number | null>((r) => ipc.on("exit", r));
    const viaIpc = await initializeOver(createProtocolConnection(new IPCMessageReader(ipc), new IPCMessageWriter(ipc)));
    assert.equal(viaIpc.capabilities.hoverProvider, true);
    assert.equal(await ipcExit, 0);

    const port = await new Promise<number>((r) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() => r(typeof address === "object" && address ? address.port : 0));
      });
    });
    const transport = await createClientSocketTransport(port);
    const socketServer = spawn(process.execPath, [SERVER_BUNDLE, `--socket=${port}`], { cwd: root, stdio: "ignore" });
    children.push(socketServer);
    const socketExit = new Promise<number | null>((r) => socketServer.on("exit", r));
    const [reader, writer] = await transport.onConnected();
    const viaSocket = await initializeOver(createProtocolConnection(reader, writer));
    assert.equal(viaSocket.capabilities.definitionProvider, true);
    assert.equal(await socketExit, 0);
  } finally {
    for (const child of children) child.kill("SIGKILL");
  }
});

void test("edge lsp --help prints its usage; edge help lists lsp; a bad transport is a usage error", async () => {
  const run = (args: string[]) =>
    new Promise<{ out: string; err: string; code: number | null }>((r) => {
      const child = spawn(process.execPath, ["bin/edge.js", ...args], { cwd: root });
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (err += d.toString()));
      child.on("exit", (code) => r({ out, err, code }));
    });
  assert.match((await run(["lsp", "--help"])).out, /edge lsp \[--stdio/);
  assert.match((await run(["help"])).out, /edge lsp/);
  const bad = await run(["lsp", "--socket=abc"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--socket needs a port number/);
});

// The wrappers every handler goes through, called directly.
function fakeContext(logged: string[], document?: TextDocument): HandlerContext {
  const console = { error: (m: string) => logged.push(m), log: (m: string) => logged.push(m) };
  return {
    connection: { console } as unknown as HandlerContext["connection"],
    documents: { get: () => document } as unknown as HandlerContext["documents"],
    service: {} as HandlerContext["service"],
    status: {} as HandlerContext["status"],
    requests: new RequestTracker(),
  };
}

void test("a request whose feature throws is logged and answered empty; a cancelled one gets RequestCancelled", async () => {
  const logged: string[] = [];
  const document = TextDocument.create("file:///r.edge.yaml", "edge-recipe", 3, "name: r\n");
  const handler = onDocumentRequest(
    fakeContext(logged, document),
    "hover",
    () => null,
    () => {
      throw new Error("not built yet");
    },
  );
  const params = { textDocument: { uri: document.uri }, position: { line: 0, character: 0 } };
  assert.equal(await handler(params, new CancellationTokenSource().token), null);
  assert.match(logged[0], /hover failed for file:\/\/\/r\.edge\.yaml \(version 3\): Error: not built yet/);

  const rejecting = onDocumentRequest(
    fakeContext(logged, document),
    "completion",
    () => ({ isIncomplete: false, items: [] }),
    () => Promise.reject(new Error("boom")),
  );
  assert.deepEqual(await rejecting(params, new CancellationTokenSource().token), { isIncomplete: false, items: [] });

  // A ResponseError thrown on purpose (rename to a taken name) is the answer, not a failure to log.
  const refusing = onDocumentRequest(
    fakeContext(logged, document),
    "rename",
    () => null,
    () => {
      throw new ResponseError(LSPErrorCodes.RequestFailed, "a device named `x` already exists");
    },
  );
  const refusal = (await refusing(params, new CancellationTokenSource().token)) as ResponseError<void>;
  assert.equal(refusal.code, LSPErrorCodes.RequestFailed);
  assert.match(refusal.message, /already exists/);
  assert.equal(logged.length, 2);

  const source = new CancellationTokenSource();
  source.cancel();
  const answer = await handler(params, source.token);
  assert.equal((answer as ResponseError<void>).code, LSPErrorCodes.RequestCancelled);
});

void test("the status goes busy while a model is read and back to ready after, sent only after initialized", async () => {
  const sent: unknown[] = [];
  const connection = {
    sendNotification: (method: string, params: unknown) => (sent.push([method, params]), Promise.resolve()),
  };
  const status = new StatusReporter(connection as unknown as HandlerContext["connection"]);
  status.set("ready", "Edge recipes: ready");
  assert.equal(sent.length, 0);
  status.start();
  assert.equal(sent.length, 1);
  let release!: () => void;
  const answer: ModelSummaryResult = { ok: false, error: { code: "model/not-found", message: "no model" } };
  const slow: WorldHost = {
    modelSummary: () => new Promise((r) => (release = () => r(answer))),
    cachedModelSummary: () => undefined,
    adbDevices: () => Promise.resolve([]),
    sshHosts: () => Promise.resolve([]),
    pathKind: () => Promise.resolve(undefined),
    listDirectory: () => Promise.resolve([]),
    quantFindings: () => Promise.resolve([]),
  };
  const tracked = status.trackWorld(slow);
  const reading = tracked.modelSummary("/models/big.onnx");
  assert.equal(status.current?.state, "busy");
  assert.match(status.current?.message ?? "", /big\.onnx/);
  release();
  await reading;
  assert.equal(status.current?.state, "ready");
  assert.deepEqual(
    sent.map((s) => (s as [string, { state: string }])[1].state),
    ["ready", "busy", "ready"],
  );
  assert.ok(sent.every((s) => (s as [string])[0] === "edge/status"));
});
