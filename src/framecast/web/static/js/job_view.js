// How a job, its progress and its results look; shared by the studio, queue and batch pages.

import { api } from "./api.js";
import { fill, formatTime, h, providerLabel, toast } from "./dom.js";
import { balanceMayHaveChanged, quote, quoteText } from "./money.js";

export const ACTIVE_STATES = new Set(["blocked", "queued", "running", "reconciling", "paused"]);
export const RETRYABLE_STATES = new Set(["failed", "cancelled"]);
export const TERMINAL_STATES = new Set(["succeeded", "failed", "cancelled"]);

const STATE_WORDS = {
  blocked: "waiting for its image",
  queued: "queued",
  running: "running",
  reconciling: "checking provider history",
  paused: "paused",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

export function stateBadge(state) {
  return h(
    "span",
    { class: `badge state-${state}`, dataset: { testid: "state", state } },
    STATE_WORDS[state] ?? state,
  );
}

/** A progress bar for a job: indeterminate while running without a percentage. */
export function progressBar(job) {
  const percent = job.progress?.percent;
  const bar = h("div", { class: "bar" });
  const box = h(
    "div",
    {
      class: "progress",
      role: "progressbar",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      dataset: { testid: "progress" },
    },
    bar,
  );
  if (job.state === "succeeded") {
    box.classList.add("done");
    bar.style.width = "100%";
    box.setAttribute("aria-valuenow", "100");
  } else if (typeof percent === "number") {
    bar.style.width = `${Math.max(0, Math.min(100, percent))}%`;
    box.setAttribute("aria-valuenow", String(percent));
  } else if (job.state === "running" || job.state === "reconciling") {
    box.classList.add("indeterminate");
  }
  return box;
}

export function progressText(job) {
  if (TERMINAL_STATES.has(job.state)) return "";
  const status = job.progress?.status;
  const percent = job.progress?.percent;
  const parts = [];
  if (status) parts.push(status);
  if (typeof percent === "number") parts.push(`${percent}%`);
  if (!parts.length && job.state === "queued") parts.push("waiting for a worker");
  return parts.join(" · ");
}

/** "1:05" for 65 seconds, "1:02:05" past an hour. */
export function formatElapsed(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The time a running job has been at it, kept ticking by one timer for the whole page. */
export function elapsedBadge(job) {
  if (!(job.state === "running" || job.state === "reconciling") || !job.started_at) return null;
  const since = Date.parse(job.started_at);
  if (!Number.isFinite(since)) return null;
  return h(
    "span",
    { class: "meta elapsed", title: "time since it started", dataset: { testid: "elapsed", since: String(since) } },
    formatElapsed((Date.now() - since) / 1000),
  );
}

setInterval(() => {
  for (const element of document.querySelectorAll("[data-testid='elapsed'][data-since]")) {
    element.textContent = formatElapsed((Date.now() - Number(element.dataset.since)) / 1000);
  }
}, 1000);

/** A small "charged" badge for a job (or item) the provider charged for. */
export function chargedBadge(charged) {
  return charged
    ? h("span", { class: "badge charged", title: "the provider charged for this", dataset: { testid: "charged" } }, "charged")
    : null;
}

export function downloadUrl(url) {
  return url + (url.includes("?") ? "&" : "?") + "download=1";
}

export function isVideo(file) {
  return file.kind === "video" || /\.(mp4|webm|mov)$/i.test(file.name ?? "");
}

/** A small still of a file for lists: its poster (videos) or the image itself. */
export function thumbnail(file) {
  const src = isVideo(file) ? file.poster_url : file.url;
  if (!src) return null;
  return h("img", { class: "thumb", src, alt: "", loading: "lazy", dataset: { testid: "thumb" } });
}

/**
 * A result that plays in the page: <video controls> or <img>, with a download link. A video with a
 * poster shows it and fetches nothing more until played, so a long list opens no video streams.
 */
export function mediaFigure(file) {
  const video = isVideo(file);
  const player = video
    ? h("video", {
        src: file.url,
        controls: true,
        preload: file.poster_url ? "none" : "metadata",
        poster: file.poster_url ?? null,
        playsinline: true,
        dataset: { testid: "result-video" },
      })
    : h("img", { src: file.url, alt: file.name ?? "", loading: "lazy", dataset: { testid: "result-image" } });
  return h(
    "figure",
    { class: "media", dataset: { fileId: String(file.id) } },
    player,
    h(
      "figcaption",
      {},
      h("span", { class: "mono" }, file.name ?? ""),
      h("span", { class: "spacer" }),
      h(
        "a",
        { href: downloadUrl(file.url), download: file.name ?? "", dataset: { testid: "download-link" } },
        "Download",
      ),
    ),
  );
}

/** Show ``message`` on the job's card (if it has one) and as a toast. */
function tell(job, message, kind) {
  for (const notice of document.querySelectorAll(`[data-testid="job-notice"][data-job-id="${job.id}"]`)) {
    notice.textContent = message;
    notice.hidden = false;
  }
  toast(message, kind);
}

async function cancel(job, onChange) {
  const question = job.sent
    ? `Job #${job.id} was already sent to ${providerLabel(job.provider)}. A paid generation cannot be un-paid: ` +
      "try to cancel anyway?"
    : `Cancel job #${job.id}? It has not been sent yet, so nothing is charged.`;
  if (!window.confirm(question)) return;
  try {
    const updated = await api(`/api/jobs/${job.id}/cancel`, { method: "POST" });
    onChange?.(updated);
    tell(job, updated.state === "cancelled" ? `Job #${job.id} cancelled; nothing was charged.` : `Job #${job.id} is ${updated.state}.`, "success");
  } catch (error) {
    // 409: already sent to a paid provider; the message says it will finish and be charged.
    tell(job, error.message, error.status === 409 ? "notice" : "error");
  }
}

async function retry(job, onChange) {
  let cost = null;
  try {
    cost = await quote(job.provider, job.mode, job.count ?? 1);
  } catch {
    cost = null;
  }
  if (cost?.paid) {
    const again = job.charged ? " The failed attempt was already charged; this one is charged again." : "";
    const short = cost.enough === false ? " That is more than is available." : "";
    if (!window.confirm(`Retry job #${job.id} on ${cost.label}? ${quoteText(cost)}.${again}${short}`)) return;
  }
  try {
    const updated = await api(`/api/jobs/${job.id}/retry`, { method: "POST" });
    onChange?.(updated);
    toast(`Job #${job.id} queued again`, "success");
    balanceMayHaveChanged();
  } catch (error) {
    toast(error.message, "error");
  }
}

/** Cancel and retry buttons that fit the job's state; ``onChange(job)`` gets the server's answer. */
export function jobActions(job, onChange) {
  const buttons = [];
  if (ACTIVE_STATES.has(job.state)) {
    buttons.push(
      h(
        "button",
        { type: "button", class: "small danger", dataset: { testid: "cancel" }, onclick: () => cancel(job, onChange) },
        "Cancel",
      ),
    );
  }
  if (RETRYABLE_STATES.has(job.state)) {
    buttons.push(
      h(
        "button",
        { type: "button", class: "small", dataset: { testid: "retry" }, onclick: () => retry(job, onChange) },
        "Retry",
      ),
    );
  }
  return buttons;
}

/**
 * A card for one job. Call ``updateJobCard(card, job)`` on every change: results already shown are
 * kept (a playing video is not interrupted), everything else is redrawn.
 */
export function jobCard(job, onChange) {
  const card = h("article", { class: "job-card", dataset: { testid: "job-card" } });
  card.append(
    h("div", { class: "head" }),
    h("p", { class: "prompt" }),
    h("div", { class: "progress-row" }),
    h("p", { class: "error", role: "alert", hidden: true, dataset: { testid: "job-error" } }),
    h("p", { class: "notice small job-notice", role: "status", hidden: true, dataset: { testid: "job-notice", jobId: String(job.id) } }),
    h("div", { class: "media-grid", dataset: { testid: "results" } }),
  );
  card.onChange = onChange;
  updateJobCard(card, job);
  return card;
}

export function updateJobCard(card, job) {
  card.dataset.jobId = String(job.id);
  card.dataset.state = job.state;
  const [head, prompt, progressRow, error, , media] = card.children;
  const meta = [`#${job.id}`, job.mode, job.provider, job.aspect, job.count > 1 ? `×${job.count}` : null]
    .filter(Boolean)
    .join(" · ");
  fill(
    head,
    stateBadge(job.state),
    chargedBadge(job.charged),
    h("span", { class: "meta" }, meta),
    h("span", { class: "meta" }, formatTime(job.created_at)),
    elapsedBadge(job),
    h("span", { class: "spacer" }),
    jobActions(job, (updated) => {
      updateJobCard(card, updated);
      card.onChange?.(updated);
    }),
  );
  prompt.textContent = job.prompt ?? "";
  if (TERMINAL_STATES.has(job.state)) {
    progressRow.replaceChildren();
  } else {
    fill(progressRow, progressBar(job), h("span", { class: "meta" }, progressText(job)));
  }
  if (job.error) {
    error.textContent = job.error.category ? `${job.error.message} (${job.error.category})` : job.error.message;
    error.hidden = false;
  } else {
    error.hidden = true;
  }
  const files = job.files ?? [];
  const signature = files.map((f) => f.id).join(",");
  if (media.dataset.signature !== signature) {
    media.dataset.signature = signature;
    fill(media, files.map(mediaFigure));
  }
}
