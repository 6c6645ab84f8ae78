// How a job, its progress and its results look; shared by the studio, queue and batch pages.

import { api } from "./api.js";
import { fill, formatTime, h, toast } from "./dom.js";

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

export function downloadUrl(url) {
  return url + (url.includes("?") ? "&" : "?") + "download=1";
}

/** A result that plays in the page: <video controls> or <img>, with a download link. */
export function mediaFigure(file) {
  const video = file.kind === "video" || /\.(mp4|webm|mov)$/i.test(file.name ?? "");
  const player = video
    ? h("video", {
        src: file.url,
        controls: true,
        preload: "metadata",
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

async function act(job, verb, onChange) {
  try {
    const updated = await api(`/api/jobs/${job.id}/${verb}`, { method: "POST" });
    onChange?.(updated);
    toast(verb === "cancel" ? `Job ${job.id} cancelled` : `Job ${job.id} queued again`, "success");
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
        { type: "button", class: "small danger", dataset: { testid: "cancel" }, onclick: () => act(job, "cancel", onChange) },
        "Cancel",
      ),
    );
  }
  if (RETRYABLE_STATES.has(job.state)) {
    buttons.push(
      h(
        "button",
        { type: "button", class: "small", dataset: { testid: "retry" }, onclick: () => act(job, "retry", onChange) },
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
    h("div", { class: "media-grid", dataset: { testid: "results" } }),
  );
  card.onChange = onChange;
  updateJobCard(card, job);
  return card;
}

export function updateJobCard(card, job) {
  card.dataset.jobId = String(job.id);
  card.dataset.state = job.state;
  const [head, prompt, progressRow, error, media] = card.children;
  const meta = [`#${job.id}`, job.mode, job.provider, job.aspect, job.count > 1 ? `×${job.count}` : null]
    .filter(Boolean)
    .join(" · ");
  fill(
    head,
    stateBadge(job.state),
    h("span", { class: "meta" }, meta),
    h("span", { class: "meta" }, formatTime(job.created_at)),
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
