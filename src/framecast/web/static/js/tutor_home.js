// The Tutor's home page: start a session (POST /api/conversations/sessions, then its page) and list
// the learner's recent sessions. Scores of ended sessions come from the progress history, which
// holds one point per scored session. Its words follow the learner's language (tutor_text.js).

import { api, clearError, showError } from "./api.js";
import { $, fill, formatTime, h } from "./dom.js";
import { formatDuration as duration } from "./tutor_summary.js";
import { textFor } from "./tutor_text.js";

const form = $("#start-form");
const formError = $('[data-testid="form-error"]', form);
const submit = $('[data-testid="start-session"]', form);
const list = $('[data-testid="session-list"]');
const empty = $('[data-testid="no-sessions"]');
const listError = $('[data-testid="sessions-error"]');
const userId = list.dataset.userId;
const text = textFor(list.dataset.language);
const topicLabels = new Map(Array.from($("#topic").options, (option) => [option.value, option.text]));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError(formError);
  const data = new FormData(form);
  submit.disabled = true;
  try {
    const session = await api("/api/conversations/sessions", {
      method: "POST",
      json: {
        difficulty: data.get("difficulty"),
        topic: data.get("topic") || null,
        language: data.get("language"),
      },
    });
    window.location.assign(`/tutor/sessions/${encodeURIComponent(session.id)}`);
  } catch (error) {
    showError(formError, error);
    submit.disabled = false;
  }
});

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  return duration(seconds, text);
}

function score(label, value) {
  const shown = value === null || value === undefined ? text.notMeasured : Math.round(Number(value));
  return h("span", { class: "chip-score" }, h("span", { class: "muted" }, `${label} `), String(shown));
}

function sessionRow(session, scores) {
  const ended = Boolean(session.ended_at);
  const topic = session.topic ? topicLabels.get(session.topic) ?? session.topic : topicLabels.get("");
  const status = ended
    ? h("span", { class: "badge state-succeeded", dataset: { testid: "session-status" } }, text.ended)
    : h("span", { class: "badge state-running", dataset: { testid: "session-status" } }, text.inProgress);
  const details = [
    text.levels[session.difficulty] ?? session.difficulty,
    text.explainedIn[session.language === "ko" ? "ko" : "en"],
  ];
  if (ended && session.duration !== null) details.push(formatDuration(session.duration));
  return h(
    "li",
    { class: "session-row", dataset: { testid: "session-row", sessionId: session.id } },
    h(
      "a",
      { href: `/tutor/sessions/${encodeURIComponent(session.id)}`, class: "session-link" },
      h("span", { class: "session-topic" }, topic),
      h("span", { class: "muted small" }, formatTime(session.started_at)),
    ),
    h("span", { class: "muted small session-details" }, details.join(" · ")),
    h(
      "span",
      { class: "session-status" },
      status,
      ended && scores
        ? h(
            "span",
            { class: "scores small", dataset: { testid: "session-scores" } },
            score(text.grammar, scores.grammar),
            score(text.vocabulary, scores.vocabulary),
            score(text.pronunciation, scores.pronunciation),
          )
        : ended
          ? h("span", { class: "muted small" }, text.notScored)
          : null,
    ),
  );
}

async function loadSessions() {
  try {
    const sessions = await api("/api/conversations/sessions", { query: { limit: 10 } });
    let scored = new Map();
    if (sessions.some((session) => session.ended_at)) {
      try {
        const stats = await api(`/api/progress/${userId}/stats`);
        scored = new Map((stats.history ?? []).map((point) => [point.session_id, point]));
      } catch {
        scored = new Map(); // the list is still useful without its scores
      }
    }
    fill(list, sessions.map((session) => sessionRow(session, scored.get(session.id))));
    empty.hidden = sessions.length > 0;
  } catch (error) {
    showError(listError, error);
  }
}

loadSessions();
