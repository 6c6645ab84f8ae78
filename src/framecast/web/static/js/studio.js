// Solo studio pages: text, frames, ingredients and image. The form posts to /api/jobs; the jobs of
// this mode are drawn from the live event stream, so progress survives a reload or a second tab.

import { api, clearError, showError } from "./api.js";
import { $, $all, debounce, labelOf, toast } from "./dom.js";
import { liveIndicator, watchJobs } from "./events.js";
import { jobCard, updateJobCard } from "./job_view.js";
import { balanceMayHaveChanged, credits, quote, quoteText } from "./money.js";
import { chosenFiles, formDataWithoutEmptyFiles, imageProblem, showPreviews } from "./uploads.js";
import { bindProviderNote, bindProviderOptions, chosenOptions } from "./providers.js";

const SHOWN = 20;

const form = $("#studio-form");
const mode = form.dataset.mode;
const maxBytes = Number(form.dataset.maxUploadBytes || 0);
const maxCount = Number(form.dataset.maxCount || 4);
const maxReferences = Number(form.dataset.maxReferences || 3);
const errorBox = $('[data-testid="form-error"]', form);
const submit = $('button[type="submit"]', form);
const costLine = $('[data-testid="cost"]', form);
const list = $('[data-testid="job-list"]');
const empty = $('[data-testid="no-jobs"]');
const isVideo = mode !== "image";

/** The first problem the server would also report, or null; named by the labels on the page. */
function check() {
  const data = new FormData(form);
  const named = (name) => labelOf(form.elements.namedItem(name));
  if (!String(data.get("prompt") ?? "").trim()) return `${named("prompt")}: the prompt is empty; describe what to make`;
  const count = Number(data.get("count"));
  if (!Number.isInteger(count) || count < 1 || count > maxCount) {
    return `${named("count")}: must be between 1 and ${maxCount}`;
  }
  if (isVideo && data.get("aspect") === "square") return `${named("aspect")}: video can be landscape or portrait, not square`;
  const options = chosenOptions(form);
  for (const name of ["duration_seconds", "seed"]) {
    if (name in options && !/^-?\d+$/.test(options[name])) {
      const unit = name === "duration_seconds" ? " of seconds" : "";
      return `${named(name)}: give a whole number${unit}, got '${options[name]}'`;
    }
  }
  const files = chosenFiles(form);
  if (mode === "frames" && !files.some((f) => f.field === "start_image")) {
    return `${named("start_image")}: frames → video needs a start frame`;
  }
  const references = files.filter((f) => f.field === "reference_images").length;
  if (mode === "ingredients" && references < 1) {
    return `${named("reference_images")}: give 1 to ${maxReferences} reference images`;
  }
  if (references > maxReferences) {
    return `${named("reference_images")}: at most ${maxReferences} reference images, got ${references}`;
  }
  for (const { label, file } of files) {
    const problem = imageProblem(label, file, maxBytes);
    if (problem) return problem;
  }
  return null;
}

// ---- What it costs ------------------------------------------------------------------------------

let currentQuote = null; // the last /api/quote answer for the form as it is
let armed = false; // a short balance was shown on the button; the next click generates anyway

function disarm() {
  armed = false;
  submit.classList.remove("confirming");
  submit.textContent = submit.dataset.label;
}

async function refreshCost() {
  const data = new FormData(form);
  const count = Number(data.get("count"));
  if (!Number.isInteger(count) || count < 1 || count > maxCount) return;
  try {
    const { duration_seconds: duration, resolution } = chosenOptions(form);
    currentQuote = await quote(String(data.get("provider") ?? ""), mode, count, duration, resolution);
  } catch {
    currentQuote = null;
  }
  const text = quoteText(currentQuote);
  costLine.textContent = text;
  costLine.hidden = !text;
  // An estimate in dollars says where its price table comes from.
  costLine.title = currentQuote?.unit === "USD" ? currentQuote.price_source : "";
  costLine.dataset.state = currentQuote?.enough === false ? "short" : "ok";
  if (armed && currentQuote?.enough !== false) disarm();
}

const refreshCostSoon = debounce(refreshCost, 250);

for (const input of $all('input[type="file"]', form)) {
  input.addEventListener("change", () => {
    showPreviews(input, $(`[data-previews-for="${input.name}"]`, form));
    clearError(errorBox);
  });
}

form.addEventListener("input", () => {
  disarm();
  refreshCostSoon();
});
form.addEventListener("change", () => {
  disarm();
  refreshCostSoon();
});
window.addEventListener("framecast:job-ended", () => refreshCost());

// ---- The jobs of this mode, newest first --------------------------------------------------------

const cards = new Map(); // job id -> card element

function belongsHere(job) {
  return !job.batch_id && job.mode === mode;
}

function place(job) {
  let card = cards.get(job.id);
  if (card) {
    updateJobCard(card, job);
    return;
  }
  card = jobCard(job);
  cards.set(job.id, card);
  const after = Array.from(list.children).find((other) => Number(other.dataset.jobId) < job.id);
  list.insertBefore(card, after ?? null);
  while (list.children.length > SHOWN) {
    const last = list.lastElementChild;
    cards.delete(Number(last.dataset.jobId));
    last.remove();
  }
}

function refreshEmpty() {
  empty.hidden = list.children.length > 0;
}

function showSnapshot(jobs) {
  const mine = jobs.filter(belongsHere).sort((a, b) => b.id - a.id).slice(0, SHOWN);
  const keep = new Set(mine.map((job) => job.id));
  for (const [id, card] of cards) {
    if (!keep.has(id)) {
      card.remove();
      cards.delete(id);
    }
  }
  for (const job of mine) place(job);
  refreshEmpty();
}

function showJob(job) {
  if (!belongsHere(job)) return;
  place(job);
  refreshEmpty();
}

// ---- Wiring ------------------------------------------------------------------------------------

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const problem = check();
  if (problem) {
    showError(errorBox, problem);
    return;
  }
  clearError(errorBox);
  if (currentQuote?.paid && currentQuote.enough === false && !armed) {
    // Short of credits: say so on the button itself; a second click generates anyway.
    armed = true;
    submit.classList.add("confirming");
    submit.textContent =
      `Only ${credits(currentQuote.available)} left for ${credits(currentQuote.credits)}: ` +
      "click again to generate anyway";
    return;
  }
  submit.disabled = true;
  try {
    const job = await api("/api/jobs", { method: "POST", form: formDataWithoutEmptyFiles(form) });
    showJob(job);
    toast(`Job #${job.id} queued`, "success");
    balanceMayHaveChanged();
  } catch (error) {
    showError(errorBox, error);
  } finally {
    submit.disabled = false;
    disarm();
    refreshCost();
  }
});

bindProviderNote(form);
bindProviderOptions(form);
refreshCost();
watchJobs({
  onSnapshot: showSnapshot,
  onJob: showJob,
  onStatus: liveIndicator($('[data-testid="live-status"]')),
});
