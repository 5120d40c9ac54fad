// A few lines instead of a framework: elements built from a tag, attributes and children.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * `h("button", { type: "button", onclick: go }, "Go")`: an element with its attributes (`on…`
 * functions become listeners, `false`/`null`/`undefined` are left out, `true` is an empty
 * attribute) and its children (strings become text, never HTML).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children (strings as text). */
export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent`. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A section with a heading (its accessible name): `<section aria-labelledby><h2 id>…`. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h(
    "section",
    { id, "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    ...children,
  );
}

/**
 * A data table: a caption, column headers (`scope="col"`), and rows whose first cell is the row's
 * header (`scope="row"`).
 */
export function table(
  caption: string,
  columns: string[],
  rows: Child[][],
  options: { id?: string; rowAttributes?: (index: number) => Attributes; empty?: string } = {},
): HTMLElement {
  const body = h("tbody");
  rows.forEach((cells, index) => {
    const row = h("tr", options.rowAttributes?.(index) ?? {});
    cells.forEach((cell, column) => {
      row.appendChild(column === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell));
    });
    body.appendChild(row);
  });
  if (rows.length === 0) {
    body.appendChild(h("tr", {}, h("td", { colspan: columns.length }, options.empty ?? "Nothing yet.")));
  }
  const element = h(
    "table",
    options.id ? { id: options.id } : {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...columns.map((column) => h("th", { scope: "col" }, column)))),
    body,
  );
  return h("div", { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption }, element);
}

/** A labelled form control: `<label for>` and the control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    control,
    hint ? h("small", { id: hintId }, hint) : null,
  );
}
