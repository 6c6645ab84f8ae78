// The provider's own history (/veo/histories), paged, with import into the local library.

import { api, clearError, followWork, showError } from "./api.js";
import { $, fill, formatTime, h, toast } from "./dom.js";

const provider = $('[data-testid="history-provider"]');
const pageSize = $('[data-testid="history-page-size"]');
const body = $('[data-testid="history-table"] tbody');
const errorBox = $('[data-testid="history-error"]');
const prev = $('[data-testid="prev-page"]');
const next = $('[data-testid="next-page"]');
const label = $('[data-testid="page-label"]');
const STATUS_STYLE = { completed: "succeeded", processing: "running", failed: "failed" };
let page = 1;

/** Queue the import (a worker downloads the files) and follow it until the files are in the library. */
async function importItem(item, button) {
  button.disabled = true;
  button.textContent = "Preparing…";
  button.dataset.state = "queued";
  try {
    const first = await api("/api/history/import", {
      method: "POST",
      json: { provider: provider.value, provider_id: item.provider_id },
    });
    const done = await followWork(first.status_url, {
      first,
      onUpdate: (answer) => {
        button.dataset.state = answer.state;
      },
    });
    if (done.state !== "succeeded") throw new Error(`The import failed: ${done.error}`);
    const { items } = done;
    fill(button.parentElement, h("a", { href: "/library", dataset: { testid: "imported" } }, `In library (${items.length})`));
    toast(`Imported ${items.length} file${items.length === 1 ? "" : "s"} into your library`, "success");
  } catch (error) {
    button.disabled = false;
    button.textContent = "Import";
    button.dataset.state = "failed";
    toast(error.message, "error");
  }
}

function row(item) {
  const button = h("button", { type: "button", class: "small", dataset: { testid: "import" } }, "Import");
  button.addEventListener("click", () => importItem(item, button));
  const importable = item.status === "completed" && item.file_urls.length > 0;
  return h(
    "tr",
    { dataset: { testid: "history-row", providerId: item.provider_id } },
    h("td", { class: "small muted" }, formatTime(item.created_at)),
    h("td", { class: "prompt" }, item.prompt),
    h("td", {}, h("span", { class: `badge state-${STATUS_STYLE[item.status] ?? item.status}` }, item.status)),
    h("td", { class: "small" }, item.file_urls.length ? `${item.file_urls.length} file${item.file_urls.length === 1 ? "" : "s"}` : "–"),
    h("td", { class: "actions" }, importable ? button : null),
  );
}

async function load(wanted = page) {
  prev.disabled = next.disabled = true;
  try {
    const data = await api("/api/history", {
      query: { provider: provider.value, page: wanted, page_size: pageSize.value },
    });
    page = data.page;
    fill(body, data.items.map(row));
    $('[data-testid="no-history"]').hidden = data.items.length > 0;
    $('[data-testid="history-total"]').textContent = `${data.total} item${data.total === 1 ? "" : "s"}`;
    $('[data-testid="history-scope"]').hidden = data.scope !== "own";
    label.textContent = `Page ${data.page} of ${Math.max(1, data.total_pages)}`;
    prev.disabled = page <= 1;
    next.disabled = page >= data.total_pages;
    clearError(errorBox);
  } catch (error) {
    fill(body);
    showError(errorBox, error);
  }
}

prev.addEventListener("click", () => load(page - 1));
next.addEventListener("click", () => load(page + 1));
provider.addEventListener("change", () => load(1));
pageSize.addEventListener("change", () => load(1));
$("#history-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  load(page);
});
load(1);
