// One batch: per-item live progress, pause / resume / cancel, retry one item, zip parts and CSVs,
// and "Re-run on" another provider with the same ids (its cost shown and confirmed first).
// The batch is read from /api/batches/{id}; the event stream of its jobs drives progress and tells
// when to read it again, so a reload or a second tab picks up exactly where the work is.

import { api, followWork, showError, clearError } from "./api.js";
import { $, debounce, fill, formatBytes, h, toast } from "./dom.js";
import { liveIndicator, watchJobs } from "./events.js";
import {
  ACTIVE_STATES,
  RETRYABLE_STATES,
  TERMINAL_STATES,
  chargedBadge,
  downloadUrl,
  elapsedBadge,
  mediaFigure,
  progressBar,
  progressText,
  stateBadge,
  thumbnail,
} from "./job_view.js";
import { balance, balanceMayHaveChanged, credits, formatNumber } from "./money.js";

const root = $("#batch");
const batchId = Number(root.dataset.batchId);
const errorBox = $('[data-testid="batch-error"]');
const noticeBox = $('[data-testid="batch-notice"]');
const body = $('[data-testid="batch-items"] tbody');
const pauseButton = $('[data-testid="pause"]');
const resumeButton = $('[data-testid="resume"]');
const cancelButton = $('[data-testid="cancel-batch"]');
const zipButton = $('[data-testid="prepare-zip"]');
const zipParts = $('[data-testid="zip-parts"]');

const jobs = new Map(); // job id -> latest job JSON
const rows = new Map(); // item key -> <tr>
let batch = null;
let zipShownFor = null; // the succeeded count the zip links were made for
let wasActive = null; // whether the batch had unfinished items when last drawn

function tell(message, kind = "notice") {
  noticeBox.textContent = message;
  noticeBox.hidden = false;
  toast(message, kind);
}

// ---- Items --------------------------------------------------------------------------------------

/** The job whose progress an item shows: a running one first, else its newest. */
function currentJob(item) {
  const known = (item.job_ids ?? []).map((id) => jobs.get(id)).filter(Boolean);
  return known.find((job) => ACTIVE_STATES.has(job.state)) ?? known[known.length - 1] ?? null;
}

function errorText(error) {
  if (!error) return "";
  if (typeof error === "string") return error;
  return error.category ? `${error.message} (${error.category})` : error.message;
}

function resultsCell(item) {
  return (item.files ?? []).map((file) => {
    const details = h(
      "details",
      { class: "small" },
      h("summary", {}, thumbnail(file), " ", file.name),
    );
    details.addEventListener("toggle", () => {
      if (details.open && details.children.length === 1) details.append(mediaFigure(file));
    });
    return h(
      "div",
      { class: "row" },
      details,
      h("a", { href: downloadUrl(file.url), download: file.name, class: "small", dataset: { testid: "item-download" } }, "Download"),
    );
  });
}

function progressCell(item) {
  if (TERMINAL_STATES.has(item.state)) return [];
  // The live job when the stream has sent it, else the batch's own reading of the item.
  const job = currentJob(item) ?? {
    state: item.state,
    progress: item.progress ?? {},
    started_at: item.started_at,
  };
  return [progressBar(job), h("span", { class: "muted small" }, progressText(job)), " ", elapsedBadge(job)];
}

const itemUrl = (item, verb) => `/api/batches/${batchId}/items/${encodeURIComponent(item.key)}/${verb}`;

async function retryItem(item) {
  if (batch?.paid && item.retry_credits) {
    let left = "";
    try {
      const reading = await balance(batch.provider);
      if (typeof reading.available === "number") {
        left = reading.available >= item.retry_credits
          ? ` · ${formatNumber(reading.available - item.retry_credits)} left`
          : ` · only ${formatNumber(reading.available)} available`;
      }
    } catch {
      left = "";
    }
    const again = item.charged ? " The failed attempt was already charged; this one is charged again." : "";
    const question = `Retry item ${item.key} on ${batch.provider_label}? ${credits(item.retry_credits)}${left}.${again}`;
    if (!window.confirm(question)) return;
  }
  try {
    render(await api(itemUrl(item, "retry"), { method: "POST" }));
    toast(`Item ${item.key} queued again`, "success");
    balanceMayHaveChanged();
  } catch (error) {
    toast(error.message, "error");
  }
}

async function cancelItem(item) {
  const question = item.sent
    ? `Item ${item.key} was already sent to ${batch?.provider_label ?? batch?.provider}; a paid generation cannot be un-paid. Try to cancel anyway?`
    : `Cancel item ${item.key}? It has not been sent yet, so nothing is charged.`;
  if (!window.confirm(question)) return;
  try {
    const data = await api(itemUrl(item, "cancel"), { method: "POST" });
    render(data);
    tell(data.cancel?.message ?? `Item ${item.key} cancelled.`);
  } catch (error) {
    // 409: already sent; the message says it will finish, be charged, and be kept.
    tell(error.message, error.status === 409 ? "notice" : "error");
  }
}

function actionsCell(item) {
  if (ACTIVE_STATES.has(item.state)) {
    return h(
      "button",
      { type: "button", class: "small danger", dataset: { testid: "cancel-item" }, onclick: () => cancelItem(item) },
      "Cancel",
    );
  }
  if (!RETRYABLE_STATES.has(item.state)) return [];
  return h(
    "button",
    { type: "button", class: "small", dataset: { testid: "retry-item" }, onclick: () => retryItem(item) },
    "Retry",
  );
}

function drawRow(item) {
  let row = rows.get(item.key);
  if (!row) {
    row = h("tr", { dataset: { testid: "batch-item", key: item.key } });
    for (let i = 0; i < 6; i += 1) row.append(h("td"));
    row.children[0].className = "mono";
    row.children[1].className = "prompt";
    row.children[5].className = "actions";
    rows.set(item.key, row);
  }
  row.dataset.state = item.state;
  const [key, prompt, state, progress, results, actions] = row.children;
  key.textContent = item.key;
  prompt.textContent = item.prompt;
  fill(
    state,
    stateBadge(item.state),
    " ",
    chargedBadge(item.charged),
    item.error ? h("div", { class: "small error-text" }, errorText(item.error)) : null,
  );
  fill(progress, progressCell(item));
  const signature = (item.files ?? []).map((f) => f.id).join(",");
  if (results.dataset.signature !== signature) {
    results.dataset.signature = signature;
    fill(results, resultsCell(item));
  }
  fill(actions, actionsCell(item));
  return row;
}

// ---- The batch ----------------------------------------------------------------------------------

function render(data) {
  batch = data;
  clearError(errorBox);
  const items = data.items ?? [];
  const seen = new Set();
  items.forEach((item, index) => {
    seen.add(item.key);
    const row = drawRow(item);
    if (body.children[index] !== row) body.insertBefore(row, body.children[index] ?? null);
  });
  for (const [key, row] of rows) {
    if (!seen.has(key)) {
      row.remove();
      rows.delete(key);
    }
  }
  const counts = data.counts ?? {};
  fill(
    $('[data-testid="batch-counts"]'),
    Object.entries(counts)
      .filter(([, n]) => n > 0)
      .map(([state, n]) => h("span", { class: `badge state-${state}`, dataset: { testid: `count-${state}` } }, `${n} ${state}`)),
  );
  const total = items.length;
  const done = items.filter((item) => TERMINAL_STATES.has(item.state)).length;
  const succeeded = items.filter((item) => item.state === "succeeded").length;
  const active = items.some((item) => ACTIVE_STATES.has(item.state));
  // failed.csv (the items to run again) exists only once some item has failed or was cancelled.
  $('[data-testid="failed-csv"]').hidden = !items.some((item) => RETRYABLE_STATES.has(item.state));
  const bar = $('[data-testid="batch-progress"]');
  bar.firstElementChild.style.width = total ? `${(100 * done) / total}%` : "0";
  bar.classList.toggle("done", total > 0 && done === total);
  const providerLabel = data.provider_label ?? data.provider;
  $('[data-testid="batch-summary"]').textContent =
    `${done} of ${total} items finished · ${succeeded} succeeded · provider ${providerLabel}`;
  fill(
    $('[data-testid="batch-provider"]'),
    `On ${providerLabel}`,
    data.rerun_of
      ? [" · a re-run of ", h("a", { href: `/batches/${data.rerun_of}`, dataset: { testid: "rerun-of" } }, `batch #${data.rerun_of}`)]
      : null,
  );
  showRerun(data, active);
  $('[data-testid="paused-badge"]').hidden = !data.paused;
  pauseButton.hidden = data.paused || !active;
  resumeButton.hidden = !data.paused;
  cancelButton.hidden = !active;
  if (wasActive === true && !active && total > 0) {
    window.dispatchEvent(new CustomEvent("framecast:batch-ended", { detail: data }));
    balanceMayHaveChanged();
  }
  wasActive = active;
  if (total > 0 && done === total && succeeded > 0 && zipShownFor !== succeeded) {
    zipShownFor = succeeded;
    prepareZip();
  }
}

async function load() {
  try {
    render(await api(`/api/batches/${batchId}`));
  } catch (error) {
    showError(errorBox, error);
  }
}

const reload = debounce(load, 250);

async function control(verb, message) {
  try {
    const data = await api(`/api/batches/${batchId}/${verb}`, { method: "POST" });
    render(data);
    if (data.cancel) tell(data.cancel.message, "success");
    else toast(message, "success");
  } catch (error) {
    toast(error.message, "error");
  }
}

/** Draw the ZIP's state (``GET /api/batches/{id}/zip``): links once built, "Preparing…" meanwhile. */
function showZip(zip) {
  zipParts.dataset.state = zip.state;
  const working = zip.state === "queued" || zip.state === "running";
  zipButton.disabled = working;
  zipButton.textContent = working ? "Preparing…" : "Prepare zip";
  if (working) {
    fill(zipParts, h("span", { class: "muted small", dataset: { testid: "zip-preparing" } }, "Preparing the zip…"));
  } else if (zip.state === "failed") {
    fill(zipParts, h("span", { class: "error small", dataset: { testid: "zip-error" } }, `The zip could not be made: ${zip.error}`));
  } else if (zip.state === "succeeded") {
    fill(
      zipParts,
      zip.parts.length
        ? zip.parts.map((part) =>
            h(
              "a",
              { class: "button small", href: part.url, download: part.name, dataset: { testid: "zip-part" } },
              `${part.name} (${formatBytes(part.bytes)})`,
            ),
          )
        : h("span", { class: "muted small" }, "No finished files yet."),
    );
  } else {
    fill(zipParts);
  }
}

let zipFollowed = false; // one poll at a time, however often the button or the batch asks

/** Ask for the ZIP (built in the background by a worker) and follow it until it is ready. */
async function prepareZip() {
  if (zipFollowed) return;
  zipFollowed = true;
  zipButton.disabled = true;
  try {
    const first = await api(`/api/batches/${batchId}/zip`, { method: "POST" });
    const zip = await followWork(first.status_url, { first, onUpdate: showZip });
    if (zip.state === "failed") toast(`The zip could not be made: ${zip.error}`, "error");
  } catch (error) {
    toast(error.message, "error");
    zipButton.disabled = false;
    zipButton.textContent = "Prepare zip";
  } finally {
    zipFollowed = false;
  }
}

// ---- Re-run on another provider ------------------------------------------------------------------

const rerunPanel = $('[data-testid="rerun-panel"]');
const rerunSelect = $('[data-testid="rerun-provider"]');
const rerunButton = $('[data-testid="rerun"]');
const rerunError = $('[data-testid="rerun-error"]');
const rerunRow = $('[data-testid="rerun-confirm-row"]');
const rerunCost = $('[data-testid="rerun-cost"]');
const rerunConfirm = $('[data-testid="rerun-confirm"]');
let rerunQuote = null; // the last /rerun/preview answer, for the provider chosen now
let rerunArmed = false; // the short (or unknown) balance was shown; the next click sends anyway

const DOLLARS = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });

/** The offer appears once the batch has nothing left running, naming only the other providers. */
function showRerun(data, active) {
  for (const option of [...rerunSelect.options]) {
    if (option.value === data.provider) option.remove();
  }
  rerunPanel.hidden = active || rerunSelect.options.length === 0;
}

/** "5 items on GenAIPro · Veo: 5 credits · 995 left" — the cost in the provider's own unit. */
function rerunCostText(q) {
  const on = `${formatNumber(q.item_count)} item${q.item_count === 1 ? "" : "s"} on ${q.provider_label || q.provider}`;
  if (!q.paid) return `${on}: free`;
  if (typeof q.dollars_estimate === "number") {
    const source = q.price_source ? ` (${q.price_source})` : "";
    return `${on}: about ${DOLLARS.format(q.dollars_estimate)}, billed by the provider${source}`;
  }
  if (q.credits_needed === 0) return `${on}: no price is known for this model; billed by the provider`;
  const available = q.quota ? q.quota.available : undefined;
  if (q.enough_quota === false) return `${on}: ${credits(q.credits_needed)} · only ${formatNumber(available)} available`;
  if (typeof available === "number") {
    return `${on}: ${credits(q.credits_needed)} · ${formatNumber(available - q.credits_needed)} left`;
  }
  return `${on}: ${credits(q.credits_needed)} · balance unknown`;
}

function resetRerun() {
  rerunQuote = null;
  rerunArmed = false;
  rerunRow.hidden = true;
  rerunConfirm.classList.remove("confirming");
  clearError(rerunError);
}

rerunSelect.addEventListener("change", resetRerun);
$('[data-testid="rerun-dismiss"]').addEventListener("click", resetRerun);

rerunButton.addEventListener("click", async () => {
  resetRerun();
  rerunButton.disabled = true;
  try {
    const provider = rerunSelect.value;
    const q = await api(`/api/batches/${batchId}/rerun/preview`, { method: "POST", json: { provider } });
    rerunQuote = q;
    rerunCost.textContent = rerunCostText(q);
    rerunCost.dataset.state = q.enough_quota === false ? "short" : "ok";
    rerunConfirm.textContent = q.paid
      ? `Send ${formatNumber(q.item_count)} item${q.item_count === 1 ? "" : "s"} to ${q.provider_label || q.provider}`
      : "Start the re-run";
    rerunRow.hidden = false;
  } catch (error) {
    showError(rerunError, error);
  } finally {
    rerunButton.disabled = false;
  }
});

rerunConfirm.addEventListener("click", async () => {
  const q = rerunQuote;
  if (!q) return;
  const doubtful = q.paid && q.enough_quota !== true;
  if (doubtful && !rerunArmed) {
    rerunArmed = true;
    rerunConfirm.classList.add("confirming");
    rerunConfirm.textContent =
      q.enough_quota === false
        ? `Only ${credits(q.quota?.available)} for ${credits(q.credits_needed)}: click again to send anyway`
        : "Balance unknown: click again to send anyway";
    return;
  }
  rerunConfirm.disabled = true;
  try {
    const created = await api(`/api/batches/${batchId}/rerun`, {
      method: "POST",
      json: { provider: q.provider, force: rerunArmed },
    });
    balanceMayHaveChanged();
    window.location.assign(`/batches/${created.id}`);
  } catch (error) {
    resetRerun();
    showError(rerunError, error);
  } finally {
    rerunConfirm.disabled = false;
  }
});

pauseButton.addEventListener("click", () => control("pause", "Batch paused: running items finish, the rest wait"));
resumeButton.addEventListener("click", () => control("resume", "Batch resumed"));
cancelButton.addEventListener("click", () => {
  const question =
    "Cancel every item not sent yet? Items already sent to the provider cannot be un-paid: " +
    "they finish, are charged, and their results are kept.";
  if (window.confirm(question)) control("cancel", "Batch cancelled");
});
zipButton.addEventListener("click", prepareZip);

function updateProgress(job) {
  if (!batch || !job.item_key) return;
  const item = batch.items.find((it) => it.key === job.item_key);
  const row = rows.get(job.item_key);
  if (item && row && !TERMINAL_STATES.has(item.state)) fill(row.children[3], progressCell(item));
}

load();
watchJobs({
  batchId,
  onSnapshot: (snapshot) => {
    jobs.clear();
    for (const job of snapshot) jobs.set(job.id, job);
    load();
  },
  onJob: (job) => {
    jobs.set(job.id, job);
    updateProgress(job);
    reload();
  },
  onStatus: liveIndicator($('[data-testid="live-status"]')),
});
