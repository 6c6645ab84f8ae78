// The list of the user's batches, with their counts by state.

import { api, showError } from "./api.js";
import { $, fill, formatTime, h } from "./dom.js";

const KIND_TITLES = {
  aroll: "A-roll",
  "broll-images": "B-roll images",
  "broll-footage": "B-roll footage",
  pipeline: "Pipeline",
};

function countsOf(batch) {
  const counts = batch.counts ?? {};
  const total = batch.item_count ?? Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { counts, total };
}

function row(batch) {
  const { counts, total } = countsOf(batch);
  const done = (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0);
  return h(
    "tr",
    { dataset: { testid: "batch-row", batchId: String(batch.id) } },
    h("td", { class: "num" }, h("a", { href: `/batches/${batch.id}` }, `#${batch.id}`)),
    h("td", {}, KIND_TITLES[batch.kind] ?? batch.kind, batch.paused ? [" ", h("span", { class: "badge state-paused" }, "paused")] : null),
    h("td", {}, batch.provider, batch.source_name ? h("div", { class: "small muted mono" }, batch.source_name) : null),
    h("td", { class: "num" }, total),
    h(
      "td",
      {},
      h(
        "div",
        { class: "chips" },
        Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([state, n]) => h("span", { class: `badge state-${state}` }, `${n} ${state}`)),
      ),
      total ? h("span", { class: "muted small" }, `${done}/${total} finished`) : null,
    ),
    h("td", { class: "small muted" }, formatTime(batch.created_at)),
    h("td", { class: "actions" }, h("a", { class: "button small", href: `/batches/${batch.id}` }, "Open")),
  );
}

async function load() {
  try {
    const data = await api("/api/batches");
    const batches = Array.isArray(data) ? data : (data?.items ?? []);
    fill($('[data-testid="batch-list"] tbody'), batches.map(row));
    $('[data-testid="no-batches"]').hidden = batches.length > 0;
  } catch (error) {
    showError($('[data-testid="list-error"]'), error);
  }
}

load();
