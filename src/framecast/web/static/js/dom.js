// Small DOM helpers shared by the page modules. User text always goes in as text nodes, never HTML.

/**
 * Build an element: h("a", {href: "/x", class: "button", dataset: {testid: "go"}, onclick: fn}, "Go").
 * Attributes whose value is null, undefined or false are left out; true sets an empty attribute.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name === "text") element.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace everything inside ``element`` with ``children``. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let labels = null;

/** A provider's name as users see it ("GenAIPro · Veo"), from the labels the page was rendered with. */
export function providerLabel(name) {
  if (labels === null) {
    try {
      labels = JSON.parse(document.getElementById("provider-labels")?.textContent ?? "{}");
    } catch {
      labels = {};
    }
  }
  return labels[name] ?? name;
}

/** The visible label of a form control (its <label for>), without the "(optional)" hint. */
export function labelOf(control) {
  const label = control?.id ? document.querySelector(`label[for="${control.id}"]`) : null;
  if (!label) return control?.name ?? "";
  const own = Array.from(label.childNodes)
    .filter((node) => node.nodeType === Node.TEXT_NODE)
    .map((node) => node.textContent)
    .join("")
    .trim();
  return own || label.textContent.trim();
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $all(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

/** Call ``fn`` once ``wait`` ms have passed without another call. */
export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 || value >= 10 ? 0 : 1)} ${units[unit]}`;
}

export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** A short-lived message in the corner: kind is "success", "error" or "notice". */
export function toast(message, kind = "notice") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = h("p", { class: kind, role: kind === "error" ? "alert" : "status" }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}
