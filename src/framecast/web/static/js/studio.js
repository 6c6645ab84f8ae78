// Solo studio pages: text, frames, ingredients and image. The form posts to /api/jobs; the jobs of
// this mode are drawn from the live event stream, so progress survives a reload or a second tab.

import { api, clearError, showError } from "./api.js";
import { $, $all, toast } from "./dom.js";
import { liveIndicator, watchJobs } from "./events.js";
import { jobCard, updateJobCard } from "./job_view.js";
import { chosenFiles, formDataWithoutEmptyFiles, imageProblem, showPreviews } from "./uploads.js";
import { bindProviderNote } from "./providers.js";

const SHOWN = 20;

const form = $("#studio-form");
const mode = form.dataset.mode;
const maxBytes = Number(form.dataset.maxUploadBytes || 0);
const maxCount = Number(form.dataset.maxCount || 4);
const maxReferences = Number(form.dataset.maxReferences || 3);
const errorBox = $('[data-testid="form-error"]', form);
const submit = $('button[type="submit"]', form);
const list = $('[data-testid="job-list"]');
const empty = $('[data-testid="no-jobs"]');
const isVideo = mode !== "image";

/** The first problem the server would also report, or null. */
function check() {
  const data = new FormData(form);
  if (!String(data.get("prompt") ?? "").trim()) return "prompt: the prompt is empty";
  const count = Number(data.get("count"));
  if (!Number.isInteger(count) || count < 1 || count > maxCount) {
    return `count: must be between 1 and ${maxCount}`;
  }
  if (isVideo && data.get("aspect") === "square") return "aspect: video can be landscape or portrait, not square";
  const files = chosenFiles(form);
  if (mode === "frames" && !files.some((f) => f.field === "start_image")) {
    return "start_image: frames-to-video needs a start image";
  }
  const references = files.filter((f) => f.field === "reference_images").length;
  if (mode === "ingredients" && references < 1) {
    return `reference_images: give 1 to ${maxReferences} reference images`;
  }
  if (references > maxReferences) {
    return `reference_images: at most ${maxReferences} reference images, got ${references}`;
  }
  for (const { field, file } of files) {
    const problem = imageProblem(field, file, maxBytes);
    if (problem) return problem;
  }
  return null;
}

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

for (const input of $all('input[type="file"]', form)) {
  input.addEventListener("change", () => {
    showPreviews(input, $(`[data-previews-for="${input.name}"]`, form));
    clearError(errorBox);
  });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const problem = check();
  if (problem) {
    showError(errorBox, problem);
    return;
  }
  clearError(errorBox);
  submit.disabled = true;
  try {
    const job = await api("/api/jobs", { method: "POST", form: formDataWithoutEmptyFiles(form) });
    showJob(job);
    toast(`Job #${job.id} queued`, "success");
  } catch (error) {
    showError(errorBox, error);
  } finally {
    submit.disabled = false;
  }
});

bindProviderNote(form);
watchJobs({
  onSnapshot: showSnapshot,
  onJob: showJob,
  onStatus: liveIndicator($('[data-testid="live-status"]')),
});
