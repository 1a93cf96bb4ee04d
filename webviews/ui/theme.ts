// The canvases' colours (the graph viewer's; the profile viewer's timeline builds on them in its view/theme.ts), read
// from VS Code's theme CSS variables (a webview gets them on <html>, and body classes vscode-light / vscode-dark /
// vscode-high-contrast say which kind). Re-read when the body's class changes (the user switched themes). Fallbacks
// keep the page usable outside VS Code (the test harness sets a few variables itself).

export interface GraphTheme {
  kind: "light" | "dark" | "high-contrast";
  background: string;
  foreground: string;
  muted: string;
  nodeFill: string;
  nodeBorder: string;
  groupFill: string;
  frame: string;
  edge: string;
  focus: string;
  selectionFill: string;
  added: string;
  changed: string;
  problem: string;
  searchHit: string;
  ioFill: string;
  partitions: string[];
  cpu: string;
  fontFamily: string;
}

const FALLBACK: Record<string, string> = {
  "--vscode-editor-background": "#1e1e1e",
  "--vscode-editor-foreground": "#d4d4d4",
  "--vscode-descriptionForeground": "#9d9d9d",
  "--vscode-editorWidget-background": "#252526",
  "--vscode-editorWidget-border": "#454545",
  "--vscode-sideBar-background": "#252526",
  "--vscode-panel-border": "#80808059",
  "--vscode-editorLineNumber-foreground": "#858585",
  "--vscode-focusBorder": "#007fd4",
  "--vscode-list-activeSelectionBackground": "#04395e",
  "--vscode-charts-green": "#89d185",
  "--vscode-charts-yellow": "#cca700",
  "--vscode-charts-red": "#f14c4c",
  "--vscode-charts-blue": "#3794ff",
  "--vscode-charts-purple": "#b180d7",
  "--vscode-charts-orange": "#d18616",
  "--vscode-charts-foreground": "#cccccc",
  "--vscode-errorForeground": "#f48771",
  "--vscode-editor-findMatchHighlightBackground": "#ea5c0055",
  "--vscode-badge-background": "#4d4d4d",
  "--vscode-font-family": "system-ui, sans-serif",
};

export function readTheme(body: Element = document.body): GraphTheme {
  const style = getComputedStyle(body); // the variables are set on <html> and inherited
  const v = (name: string, fallback = FALLBACK[name] ?? "#888888") => style.getPropertyValue(name).trim() || fallback;
  const cls = body.classList;
  const kind =
    cls.contains("vscode-high-contrast") || cls.contains("vscode-high-contrast-light")
      ? "high-contrast"
      : cls.contains("vscode-light")
        ? "light"
        : "dark";
  const contrast = kind === "high-contrast" ? v("--vscode-contrastBorder", v("--vscode-focusBorder")) : undefined;
  return {
    kind,
    background: v("--vscode-editor-background"),
    foreground: v("--vscode-editor-foreground"),
    muted: v("--vscode-descriptionForeground"),
    nodeFill: v("--vscode-editorWidget-background"),
    nodeBorder: contrast ?? v("--vscode-editorWidget-border"),
    groupFill: v("--vscode-sideBar-background", v("--vscode-editorWidget-background")),
    frame: contrast ?? v("--vscode-panel-border"),
    edge: v("--vscode-editorLineNumber-foreground"),
    focus: v("--vscode-focusBorder"),
    selectionFill: v("--vscode-list-activeSelectionBackground"),
    added: v("--vscode-charts-green"),
    changed: v("--vscode-charts-yellow"),
    problem: v("--vscode-errorForeground", v("--vscode-charts-red")),
    searchHit: v("--vscode-editor-findMatchHighlightBackground"),
    ioFill: v("--vscode-badge-background"),
    partitions: [
      v("--vscode-charts-blue"),
      v("--vscode-charts-purple"),
      v("--vscode-charts-orange"),
      v("--vscode-charts-green"),
      v("--vscode-charts-yellow"),
    ],
    cpu: v("--vscode-charts-foreground", v("--vscode-descriptionForeground")),
    fontFamily: v("--vscode-font-family"),
  };
}

/** Calls `onChange` with the new theme whenever the body's class list changes. */
export function watchTheme(onChange: (theme: GraphTheme) => void): () => void {
  const observer = new MutationObserver(() => onChange(readTheme()));
  observer.observe(document.body, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
