// The one module that touches @vscode/webview-ui-toolkit (no longer developed upstream): every webview app calls
// `registerToolkit()` and uses only the elements registered here, so replacing the toolkit is one file's work.
// Registered: <vscode-button>, <vscode-link>, <vscode-divider>. Not <vscode-badge>/<vscode-tag>: their template sets a
// style attribute, which the webviews' CSP (no 'unsafe-inline' styles) refuses.
import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDivider, vsCodeLink } from "@vscode/webview-ui-toolkit";

let registered = false;

export function registerToolkit(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeLink(), vsCodeDivider());
}

/** The tag names registered above, for code that creates the elements. */
export const ui = {
  button: "vscode-button",
  link: "vscode-link",
  divider: "vscode-divider",
} as const;

/** A codicon (`@vscode/codicons`' CSS is linked by the host page). */
export function codicon(name: string): HTMLElement {
  const span = document.createElement("span");
  span.className = `codicon codicon-${name}`;
  span.setAttribute("aria-hidden", "true");
  return span;
}

/** createElement with attributes, class and children; never inline styles (the CSP forbids them). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: { class?: string; attrs?: Record<string, string>; text?: string },
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K];
export function h(
  tag: string,
  props?: { class?: string; attrs?: Record<string, string>; text?: string },
  ...children: (Node | string)[]
): HTMLElement;
export function h(
  tag: string,
  props: { class?: string; attrs?: Record<string, string>; text?: string } = {},
  ...children: (Node | string)[]
): HTMLElement {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  for (const [k, v] of Object.entries(props.attrs ?? {})) el.setAttribute(k, v);
  if (props.text !== undefined) el.textContent = props.text;
  for (const c of children) el.append(c);
  return el;
}
