// The local library: search, filter by kind, play, download, delete.

import { api, clearError, showError } from "./api.js";
import { $, debounce, fill, formatBytes, formatTime, h, toast } from "./dom.js";
import { mediaFigure } from "./job_view.js";
import { pager } from "./pager.js";

const PAGE = 24;
const search = $('[data-testid="library-search"]');
const kind = $('[data-testid="library-kind"]');
const grid = $('[data-testid="library-grid"]');
const errorBox = $('[data-testid="library-error"]');

async function remove(file, card) {
  if (!window.confirm(`Delete ${file.name}? The file is removed from the server's disk.`)) return;
  try {
    await api(`/api/files/${file.id}`, { method: "DELETE" });
    card.remove();
    toast(`${file.name} deleted`, "success");
    load();
  } catch (error) {
    toast(error.message, "error");
  }
}

function card(file) {
  const article = h("article", { class: "card library-card stack", dataset: { testid: "library-item", fileId: String(file.id) } });
  article.append(
    mediaFigure(file),
    file.prompt ? h("p", { class: "prompt", title: file.prompt }, file.prompt) : null,
    h(
      "div",
      { class: "small muted" },
      [file.provider, formatBytes(file.size_bytes), formatTime(file.created_at)].filter(Boolean).join(" · "),
    ),
    h(
      "div",
      { class: "row small" },
      file.batch_id ? h("a", { href: `/batches/${file.batch_id}` }, `Batch #${file.batch_id}`) : null,
      file.job_id && !file.batch_id ? h("span", { class: "muted" }, `Job #${file.job_id}`) : null,
      h("span", { class: "spacer" }),
      h("button", { type: "button", class: "small danger", dataset: { testid: "delete-file" }, onclick: () => remove(file, article) }, "Delete"),
    ),
  );
  return article;
}

const pages = pager(document, PAGE, (offset) => load(offset));

async function load(offset = pages.offset) {
  try {
    const data = await api("/api/files", { query: { q: search.value.trim(), kind: kind.value, limit: PAGE, offset } });
    if (!data.items.length && offset > 0 && data.total > 0) {
      load(Math.max(0, offset - PAGE)); // the last item of a page was deleted
      return;
    }
    fill(grid, data.items.map(card));
    $('[data-testid="no-files"]').hidden = data.items.length > 0;
    $('[data-testid="library-total"]').textContent = `${data.total} file${data.total === 1 ? "" : "s"}`;
    pages.update(offset, data.total);
    clearError(errorBox);
  } catch (error) {
    showError(errorBox, error);
  }
}

search.addEventListener("input", debounce(() => load(0), 300));
kind.addEventListener("change", () => load(0));
$("#library-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  load(0);
});
load(0);
