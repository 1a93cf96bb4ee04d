// Small DOM helpers for the webviews' panels (the graph and profile viewers): elements with classes, attributes and
// children, never inline styles (the page's CSP refuses them), and codicons.

export type Child = Node | string | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { class?: string; attrs?: Record<string, string>; text?: string } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.class) e.className = props.class;
  for (const [k, v] of Object.entries(props.attrs ?? {})) e.setAttribute(k, v);
  if (props.text !== undefined) e.textContent = props.text;
  for (const c of children) if (c !== undefined && c !== false) e.append(c);
  return e;
}

export function icon(name: string): HTMLElement {
  return el("span", { class: `codicon codicon-${name}`, attrs: { "aria-hidden": "true" } });
}

/** A button with an optional codicon; `title` is its tooltip and accessible name. */
export function button(
  label: string,
  onClick: () => void,
  options: { icon?: string; title?: string; class?: string; id?: string } = {},
): HTMLButtonElement {
  const attrs: Record<string, string> = { type: "button" };
  if (options.title) attrs.title = attrs["aria-label"] = options.title;
  if (options.id) attrs.id = options.id;
  const b = el(
    "button",
    { class: options.class ?? "btn", attrs },
    options.icon ? icon(options.icon) : undefined,
    label ? el("span", { text: label }) : undefined,
  );
  b.addEventListener("click", onClick);
  return b;
}

/** A two-column table of label/value rows. */
export function keyValueTable(rows: [string, string | Node][], cls = "kv"): HTMLTableElement {
  return el(
    "table",
    { class: cls },
    el("tbody", {}, ...rows.map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", {}, v)))),
  );
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return el("section", { class: "panel", attrs: { id } }, el("h2", { text: title }), ...children);
}
