// Every job of the user, filtered by state and paged, kept live by the event stream.

import { api, showError, clearError } from "./api.js";
import { $, debounce, fill, formatTime, h } from "./dom.js";
import { liveIndicator, watchJobs } from "./events.js";
import {
  chargedBadge,
  elapsedBadge,
  jobActions,
  progressBar,
  progressText,
  stateBadge,
  thumbnail,
  TERMINAL_STATES,
} from "./job_view.js";
import { pager } from "./pager.js";

const PAGE = 50;
const filter = $('[data-testid="state-filter"]');
const body = $('[data-testid="queue-table"] tbody');
const errorBox = $('[data-testid="queue-error"]');
const rows = new Map(); // job id -> <tr>

function drawRow(job, row = h("tr")) {
  row.dataset.testid = "queue-row";
  row.dataset.jobId = String(job.id);
  row.dataset.state = job.state;
  fill(
    row,
    h("td", { class: "num" }, job.id),
    h("td", {}, job.mode),
    h("td", { class: "prompt" }, job.item_key ? h("span", { class: "mono small" }, `${job.item_key}: `) : null, job.prompt),
    h("td", {}, job.provider),
    h("td", {}, job.batch_id ? h("a", { href: `/batches/${job.batch_id}` }, `#${job.batch_id}`) : "–"),
    h(
      "td",
      {},
      stateBadge(job.state),
      " ",
      chargedBadge(job.charged),
      job.error ? h("div", { class: "small error-text" }, job.error.message) : null,
      h("div", { class: "small notice job-notice", role: "status", hidden: true, dataset: { testid: "job-notice", jobId: String(job.id) } }),
    ),
    h(
      "td",
      {},
      TERMINAL_STATES.has(job.state)
        ? null
        : [progressBar(job), h("span", { class: "muted small" }, progressText(job)), " ", elapsedBadge(job)],
      job.state === "succeeded"
        ? (job.files ?? []).map((file) =>
            h(
              "div",
              { class: "small row" },
              thumbnail(file),
              h("a", { href: file.url, target: "_blank", rel: "noopener" }, file.name),
            ),
          )
        : null,
    ),
    h("td", { class: "small muted" }, formatTime(job.created_at)),
    h("td", { class: "actions" }, jobActions(job, (updated) => drawRow(updated, row))),
  );
  return row;
}

function wanted(job) {
  const states = filter.value ? filter.value.split(",") : null;
  return !states || states.includes(job.state);
}

const pages = pager(document, PAGE, (offset) => load(offset));

async function load(offset = pages.offset) {
  try {
    const data = await api("/api/jobs", { query: { state: filter.value, limit: PAGE, offset } });
    rows.clear();
    fill(body, data.items.map((job) => {
      const row = drawRow(job);
      rows.set(job.id, row);
      return row;
    }));
    $('[data-testid="no-jobs"]').hidden = data.items.length > 0;
    $('[data-testid="queue-total"]').textContent = `${data.total} job${data.total === 1 ? "" : "s"}`;
    pages.update(offset, data.total);
    clearError(errorBox);
  } catch (error) {
    showError(errorBox, error);
  }
}

const reload = debounce(() => load(), 400);

filter.addEventListener("change", () => load(0));
$("#queue-filter").addEventListener("submit", (event) => event.preventDefault());

load(0);
watchJobs({
  onSnapshot: () => reload(), // a reconnection may have missed changes
  onJob: (job) => {
    const row = rows.get(job.id);
    if (row && wanted(job)) drawRow(job, row);
    else if (row || (pages.offset === 0 && wanted(job))) reload(); // left the filter, or a new one
  },
  onStatus: liveIndicator($('[data-testid="live-status"]')),
});
