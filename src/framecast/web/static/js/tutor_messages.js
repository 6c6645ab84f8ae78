// The Tutor session's chat items, built and updated in place: the message bubble, its meta line
// (time, "spoken" tag, play and watch buttons, video state), the correction cards with the better
// expression and the feedback under a learner's message, the pronunciation word scores, and what a
// history entry contributes to all of these.
//
// Pure DOM rendering: each function gets the item and what it needs (labels, play actions); which
// message is which (ids, client ids) and what a click does are the session page's business. The
// words are those of the session's language (``useLanguage``; tutor_text.js).

import { $, fill, formatTime, h } from "./dom.js";
import { textFor } from "./tutor_text.js";

/** The correction types, in the order the summary lists them. */
export const TYPES = ["grammar", "vocabulary", "pronunciation"];
const SEVERITIES = new Set(["high", "medium", "low"]);

let text = textFor("en");

/** Draw the items in ``language`` ("en" or "ko") from now on; returns its words. */
export function useLanguage(language) {
  text = textFor(language);
  return text;
}

/** The labels of correction types, severities and boxes in ``language`` ("en" or "ko"). */
export function labelsFor(language) {
  return textFor(language);
}

/** Insert ``item`` into ``chat`` in order: by seq when known, else after everything confirmed. */
export function insertInOrder(chat, item) {
  const seq = item.dataset.seq === undefined ? null : Number(item.dataset.seq);
  const items = Array.from(chat.children);
  let before = null;
  if (seq !== null) {
    before = items.find((other) => other.dataset.seq !== undefined && Number(other.dataset.seq) > seq);
  }
  if (!before && item.dataset.state !== "pending") {
    before = items.find((other) => other.dataset.state === "pending" && other !== item);
  }
  chat.insertBefore(item, before ?? null);
}

/** An empty chat item for ``role`` ("user" or "assistant"), not yet placed. */
export function messageItem(role) {
  const label = role === "user" ? text.you : text.tutor;
  return h(
    "li",
    { class: `message ${role}`, dataset: { testid: role === "user" ? "user-message" : "tutor-message", role } },
    role === "user" ? null : h("img", { class: "who", src: "/tutor/portrait.png", alt: "", "aria-hidden": "true" }),
    h(
      "div",
      { class: "message-body" },
      h("span", { class: "sr-only" }, `${label}: `),
      h("div", { class: "bubble", dataset: { testid: "bubble" } }),
      h("div", { class: "meta small" }),
      role === "user" ? h("div", { class: "corrections", dataset: { testid: "corrections" } }) : null,
    ),
  );
}

export function setText(item, text) {
  const bubble = $(".bubble", item);
  if (bubble.textContent !== text) fill(bubble, text);
}

/** The bubble of a spoken message waiting for its transcription. */
export function setVoicePlaceholder(item) {
  fill($(".bubble", item), h("em", { class: "muted" }, text.voiceMessage));
}

/**
 * Record what is new about ``item`` (fields left out keep their value) and redraw its meta line.
 * ``actions.playAudio(url, item)`` and ``actions.playVideo(url, item)`` are what its play and watch
 * buttons do.
 */
export function setMeta(item, { timestamp, audioUrl, spoken, videoUrl, videoState } = {}, actions) {
  if (timestamp) item.dataset.time = timestamp;
  if (audioUrl) item.dataset.audioUrl = audioUrl;
  if (spoken) item.dataset.kind = "audio";
  if (videoUrl) item.dataset.videoUrl = videoUrl;
  if (videoState) item.dataset.video = videoState;
  const parts = [];
  if (item.dataset.time) parts.push(h("time", { datetime: item.dataset.time }, formatTime(item.dataset.time)));
  if (item.dataset.kind === "audio") parts.push(h("span", { class: "tag" }, text.spoken));
  if (item.dataset.audioUrl) {
    const url = item.dataset.audioUrl;
    parts.push(
      h(
        "button",
        { type: "button", class: "link small", dataset: { testid: "play-audio" }, onclick: () => actions.playAudio(url, item) },
        item.dataset.role === "user" ? text.playRecording : text.play,
      ),
    );
  }
  if (item.dataset.video === "ready" && item.dataset.videoUrl) {
    const url = item.dataset.videoUrl;
    parts.push(
      h(
        "button",
        { type: "button", class: "link small", dataset: { testid: "watch-video" }, onclick: () => actions.playVideo(url, item) },
        text.watch,
      ),
    );
  } else if (item.dataset.video === "pending" || item.dataset.video === "rendering") {
    parts.push(h("span", { class: "tag muted" }, text.videoComing));
  }
  fill($(".meta", item), parts);
}

/** A learner's message the server refused: its meta line says so instead. */
export function markNotSent(item) {
  item.dataset.state = "failed";
  $(".meta", item).replaceChildren(h("span", { class: "tag error-text" }, text.notSent));
}

export function setWordScores(item, scores) {
  if (!Array.isArray(scores) || scores.length === 0) return;
  const words = scores.map((entry) => {
    const value = Number(entry.score);
    const grade = value >= 0.7 ? "good" : value >= 0.3 ? "ok" : "poor";
    return h(
      "span",
      {
        class: `word-score ${grade}`,
        title: `${Math.round(value * 100)}%${entry.heard ? ` · ${text.heard(entry.heard)}` : ""}`,
        dataset: { testid: "word-score" },
      },
      entry.word,
    );
  });
  const row = h(
    "p",
    { class: "word-scores small", dataset: { testid: "word-scores" } },
    h("span", { class: "muted" }, text.pronunciationRow),
    words.flatMap((word) => [word, " "]),
  );
  $(".word-scores", item)?.remove();
  $(".corrections", item).before(row);
}

/** Normalise a correction from the socket ({type, original, ...}) or the history ({correction_type, ...}). */
function correctionOf(raw) {
  const type = raw.type ?? raw.correction_type ?? "grammar";
  return {
    type: TYPES.includes(type) ? type : "grammar",
    original: raw.original ?? raw.original_text ?? "",
    corrected: raw.corrected ?? raw.corrected_text ?? "",
    explanation: raw.explanation ?? "",
    severity: SEVERITIES.has(raw.severity) ? raw.severity : "medium",
  };
}

/** The feedback lines the cards do not already show (its "original → corrected" lines are the cards). */
function remainingFeedback(feedback, corrections, better) {
  if (!feedback) return "";
  if (corrections.length === 0) return feedback;
  const lines = feedback.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines
    .filter((line, index) => !(index === 0 && line.endsWith(":")))
    .filter((line) => !line.includes(" → "))
    .filter((line) => !(better && line.includes(better)))
    .join("\n");
}

function correctionCard(correction, labels) {
  const { type, severity } = correction;
  return h(
    "article",
    {
      class: `correction-card sev-${severity}`,
      dataset: { testid: "correction-card", type, severity },
    },
    h(
      "header",
      {},
      h("span", { class: "type-label" }, labels[type]),
      h("span", { class: "severity small" }, labels.severity[severity]),
    ),
    h(
      "p",
      { class: "change" },
      h("del", { dataset: { testid: "original" } }, correction.original),
      h("span", { class: "arrow", "aria-label": "should be" }, " → "),
      h("ins", { dataset: { testid: "corrected" } }, correction.corrected),
    ),
    correction.explanation ? h("p", { class: "explanation small" }, correction.explanation) : null,
  );
}

/**
 * Show a learner message's check under it: a card per correction, the better expression, and the
 * feedback the cards leave out. Returns the normalised corrections ({type, severity, ...}), which the
 * summary counts; they are returned even for an item without a corrections box.
 */
export function setCorrections(item, { hasErrors, corrections, better, feedback }, labels) {
  const list = corrections.map(correctionOf);
  const rest = remainingFeedback(feedback, list, better);
  const box = $(".corrections", item);
  if (!box) return list;
  item.dataset.checked = hasErrors ? "errors" : "correct";
  fill(
    box,
    list.map((correction) => correctionCard(correction, labels)),
    hasErrors && better
      ? h(
          "div",
          { class: "better", dataset: { testid: "better-expression" } },
          h("strong", {}, labels.better),
          h("span", {}, better),
        )
      : null,
    rest
      ? h(
          "div",
          { class: hasErrors ? "feedback" : "feedback quiet", dataset: { testid: "feedback" } },
          hasErrors ? h("strong", {}, labels.feedback) : null,
          h("span", {}, rest),
        )
      : null,
  );
  return list;
}

// ---- History entries (GET .../conversations) ----------------------------------------------------

/** The setMeta fields of a history entry. */
export function historyMeta(message) {
  return {
    timestamp: message.timestamp,
    audioUrl: message.audio_url,
    spoken: message.kind === "audio",
    videoUrl: message.video_url,
    videoState: message.video_state,
  };
}

/** The setCorrections check of a learner's history entry, or null when it was never checked. */
export function historyCheck(message) {
  if (message.feedback === null && message.corrections.length === 0) return null;
  return {
    hasErrors: message.corrections.length > 0,
    corrections: message.corrections,
    better: message.better_expression,
    feedback: message.feedback,
  };
}
