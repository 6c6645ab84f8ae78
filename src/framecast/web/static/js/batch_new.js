// A new batch: upload the TXT/CSV (and the frame, reference or numbered images), preview the parsed
// items and the credits they need against the available quota, then start it.

import { api, clearError, showError } from "./api.js";
import { $, fill, h, labelOf } from "./dom.js";
import { balanceMayHaveChanged, credits, formatNumber } from "./money.js";
import { bindProviderNote } from "./providers.js";
import { chosenFiles, formDataWithoutEmptyFiles, imageProblem, showPreviews } from "./uploads.js";

const form = $("#batch-form");
const kind = form.dataset.kind;
const maxBytes = Number(form.dataset.maxUploadBytes || 0);
const formError = $('[data-testid="form-error"]', form);
const previewButton = $('[data-testid="preview"]', form);
const panel = $('[data-testid="preview-panel"]');
const startButton = $('[data-testid="start"]');
const startError = $('[data-testid="start-error"]');
const costLine = $('[data-testid="cost"]');
const warning = $('[data-testid="quota-warning"]');

let preview = null;
let armed = false; // the short (or unknown) balance was shown on the button; next click starts anyway

function check() {
  const files = chosenFiles(form);
  const has = (field) => files.some((f) => f.field === field);
  const named = (name) => labelOf(form.elements.namedItem(name));
  if (!has("file")) return `${named("file")}: choose the TXT or CSV file with the prompts`;
  if (kind === "aroll" && !has("frame")) return `${named("frame")}: A-roll needs the start frame used for every prompt`;
  if (kind === "broll-footage" && !has("images")) {
    return `${named("images")}: B-roll footage needs the numbered images (1.jpg, 2_street.png, …)`;
  }
  for (const { field, label, file } of files) {
    if (field === "file") {
      if (!/\.(txt|csv)$/i.test(file.name)) return `${label}: ${file.name} is not a .txt or .csv file`;
      continue;
    }
    const problem = imageProblem(label, file, maxBytes);
    if (problem) return problem;
  }
  return null;
}

function disarm() {
  armed = false;
  startButton.classList.remove("confirming");
  startButton.textContent = startButton.dataset.label;
}

function showPreview(data) {
  preview = data;
  const items = data.items ?? [];
  $('[data-testid="item-count"]').textContent = String(items.length);
  $('[data-testid="credits-needed"]').textContent = formatNumber(data.credits_needed);
  // quota null: the provider reports none; {available: null}: no limit (offline).
  const available = data.quota ? data.quota.available : undefined;
  $('[data-testid="quota-available"]').textContent =
    available === undefined ? "–" : available === null ? "no limit" : formatNumber(available);
  const short = data.enough_quota === false;
  const unknown = data.enough_quota === null || data.enough_quota === undefined;
  $('[data-testid="credits-stat"]').classList.toggle("short", short);
  warning.hidden = !short && !(unknown && data.quota_error);
  if (short) {
    warning.textContent =
      `This batch needs ${credits(data.credits_needed)} but only ${formatNumber(available)} are available. ` +
      "Items beyond the balance will fail; Start asks you to confirm.";
  } else if (unknown && data.quota_error) {
    warning.textContent = `The balance could not be read: ${data.quota_error}`;
  } else {
    warning.textContent = "";
  }
  if (data.paid) {
    costLine.textContent = short
      ? `${credits(data.credits_needed)} · only ${formatNumber(available)} available`
      : typeof available === "number"
        ? `${credits(data.credits_needed)} · ${formatNumber(available - data.credits_needed)} left`
        : `${credits(data.credits_needed)} · balance unknown`;
    costLine.dataset.state = short ? "short" : "ok";
  } else {
    costLine.textContent = "free";
    costLine.dataset.state = "ok";
  }
  disarm();
  fill(
    $('[data-testid="preview-table"] tbody'),
    items.map((item) =>
      h(
        "tr",
        { dataset: { testid: "preview-item", key: item.key } },
        h("td", { class: "mono" }, item.key),
        h("td", { class: "prompt" }, item.prompt),
        h("td", { class: "num" }, item.count),
        h("td", { class: "num" }, item.line || ""),
        h("td", { class: "mono small" }, item.image ?? ""),
      ),
    ),
  );
  clearError(startError);
  panel.hidden = false;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const problem = check();
  if (problem) {
    showError(formError, problem);
    return;
  }
  clearError(formError);
  previewButton.disabled = true;
  try {
    showPreview(await api("/api/batches/preview", { method: "POST", form: formDataWithoutEmptyFiles(form) }));
  } catch (error) {
    panel.hidden = true;
    showError(formError, error);
  } finally {
    previewButton.disabled = false;
  }
});

// Anything changed makes the preview stale: it must be made again before starting.
form.addEventListener("change", (event) => {
  if (event.target.type === "file") {
    showPreviews(event.target, $(`[data-previews-for="${event.target.name}"]`, form));
  }
  preview = null;
  panel.hidden = true;
  clearError(formError);
});

startButton.addEventListener("click", async () => {
  if (!preview) return;
  const doubtful = preview.paid && preview.enough_quota !== true;
  if (doubtful && !armed) {
    // Short (or unknown) balance: say so on the button; the second click starts anyway.
    armed = true;
    startButton.classList.add("confirming");
    startButton.textContent =
      preview.enough_quota === false
        ? `Only ${credits(preview.quota?.available)} for ${credits(preview.credits_needed)}: click again to start anyway`
        : "Balance unknown: click again to start anyway";
    return;
  }
  startButton.disabled = true;
  try {
    const batch = await api("/api/batches", {
      method: "POST",
      json: { upload_id: preview.upload_id, force: armed },
    });
    balanceMayHaveChanged();
    window.location.assign(`/batches/${batch.id}`);
  } catch (error) {
    showError(startError, error);
    startButton.disabled = false;
    disarm();
  }
});

bindProviderNote(form);
