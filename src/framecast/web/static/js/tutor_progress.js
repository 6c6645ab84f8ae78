// The progress page: the three scores, a chart of the sessions' scores (and phrase practice) over
// time, corrections by type and severity, the most common mistakes, suggestions, and the recent
// conversations with their transcripts (loaded when a conversation is opened), and the recent phrase
// attempts. Its words follow the learner's language (tutor_text.js).
//
// The same module draws a teacher's view of one of their learners (class_learner.html): the page
// names where the data comes from (`sources`: the learner's own API, or /api/teacher/learners/<id>)
// and whether the sessions can be continued from here (`read_only`); there it speaks of the learner
// (`learner_name`) where the learner's own page speaks to them ("Your scores", "You:").

import { api, showError, clearError } from "./api.js";
import { $, debounce, fill, formatTime, h } from "./dom.js";
import { lineChart } from "./tutor_chart.js";
import { textFor } from "./tutor_text.js";

const data = JSON.parse($("#tutor-data").textContent);
const text = textFor(data.language);
const TOPICS = Object.fromEntries(data.topics);
const TYPES = ["grammar", "vocabulary", "pronunciation"].map((key) => [key, text[key]]);
const SEVERITIES = ["high", "medium", "low"].map((key) => [key, text.severities[key]]);
const SESSIONS_SHOWN = 10;
const sources = data.sources;
const learnerName = data.learner_name ?? null;
const speaker = learnerName ?? text.you;
const errorBox = $('[data-testid="progress-error"]');
let redrawChart = () => {};

function rounded(value) {
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value) : null;
}

export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(Number(seconds) || 0));
  if (total < 60) return text.duration(0, total);
  const minutes = Math.round(total / 60);
  if (minutes < 60) return text.duration(minutes, 0);
  return text.hours(Math.floor(minutes / 60), minutes % 60);
}

function setStat(testid, value, { unmeasured = null } = {}) {
  const box = $(`[data-testid="${testid}"] .value`);
  box.classList.toggle("unmeasured", unmeasured !== null);
  box.textContent = unmeasured ?? value;
}

function drawScores(stats) {
  const progress = stats.progress;
  const scored = (stats.history ?? []).length > 0;
  const notYet = text.notMeasuredYet;
  for (const [key] of TYPES) {
    const measured = key === "pronunciation" ? progress.pronunciation_measured : scored;
    const value = rounded(progress[`${key}_score`]);
    setStat(`score-${key}`, value, { unmeasured: measured && value !== null ? null : notYet });
    $(`[data-testid="score-${key}"]`).dataset.value = measured && value !== null ? String(value) : "";
  }
  setStat("total-sessions", progress.total_sessions);
  setStat("total-time", formatDuration(progress.total_duration));
  setStat("total-corrections", stats.correction_stats?.total_corrections ?? progress.total_corrections);
  setStat("total-practice", stats.practice?.attempts ?? 0);
}

function chartDescription(history, practice) {
  const parts = [];
  if (history.length) {
    const latest = history[history.length - 1];
    const score = (value) => (rounded(value) === null ? text.notMeasured : rounded(value));
    parts.push(
      text.chartScored(history.length, formatTime(history[0].created_at), formatTime(latest.created_at)),
      text.chartLatest(score(latest.grammar), score(latest.vocabulary), score(latest.pronunciation)),
    );
  }
  if (practice.length) {
    const mean = practice.reduce((sum, point) => sum + point.score, 0) / practice.length;
    parts.push(text.chartPractice(practice.length, Math.round(mean)));
  }
  return parts.join(" ");
}

function numbersTable(history, practice) {
  const cell = (value) => h("td", { class: "num" }, rounded(value) ?? "–");
  const rows = [
    ...history.map((point) => ({ at: point.created_at, what: text.conversation, g: point.grammar, v: point.vocabulary, p: point.pronunciation })),
    ...practice.map((point) => ({ at: point.created_at, what: text.phrasePractice, g: null, v: null, p: point.score })),
  ].sort((a, b) => new Date(a.at) - new Date(b.at));
  return h(
    "details",
    { class: "chart-numbers" },
    h("summary", { class: "small" }, text.showNumbers),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("thead", {}, h("tr", {}, h("th", {}, text.when), h("th", {}, text.what), h("th", { class: "num" }, text.grammar), h("th", { class: "num" }, text.vocabulary), h("th", { class: "num" }, text.pronunciation))),
        h("tbody", {}, rows.map((row) => h("tr", {}, h("td", {}, formatTime(row.at)), h("td", {}, row.what), cell(row.g), cell(row.v), cell(row.p)))),
      ),
    ),
  );
}

function drawChart(stats) {
  const history = stats.history ?? [];
  const practice = (stats.practice_history ?? []).filter((point) => typeof point.score === "number");
  const box = $('[data-testid="chart-box"]');
  const empty = history.length === 0 && practice.length === 0;
  $('[data-testid="chart-empty"]').hidden = !empty;
  if (empty) {
    box.replaceChildren();
    return;
  }
  const series = [
    { key: "grammar", label: text.grammar, points: history.map((p) => ({ at: p.created_at, value: p.grammar })) },
    { key: "vocabulary", label: text.vocabulary, points: history.map((p) => ({ at: p.created_at, value: p.vocabulary })) },
    { key: "pronunciation", label: text.pronunciation, points: history.map((p) => ({ at: p.created_at, value: p.pronunciation })) },
  ];
  if (practice.length) {
    series.push({ key: "practice", label: text.phrasePractice, line: false, points: practice.map((p) => ({ at: p.created_at, value: p.score })) });
  }
  const draw = () =>
    lineChart({
      title: learnerName ? text.chartTitleOf(learnerName) : text.chartTitle,
      description: chartDescription(history, practice),
      series,
      // Drawn at the width it is shown at, so that its text keeps its size on a phone.
      width: Math.round(Math.max(320, Math.min(960, box.clientWidth || 720))),
    });
  fill(box, draw(), numbersTable(history, practice));
  redrawChart = () => box.querySelector("svg.chart")?.replaceWith(draw());
}

function barFill(className, percent) {
  const bar = h("span", { class: className });
  bar.style.width = `${percent}%`; // a style property: the page's policy refuses style attributes
  return bar;
}

function bars(target, counts, labels, classPrefix) {
  const max = Math.max(1, ...labels.map(([key]) => counts?.[key] ?? 0));
  fill(
    target,
    labels.map(([key, label]) => {
      const count = counts?.[key] ?? 0;
      return h(
        "div",
        { class: "bar-row", dataset: { testid: `bar-${key}`, count: String(count) } },
        h("span", { class: "bar-label" }, label),
        h("span", { class: "bar-track", "aria-hidden": "true" }, barFill(`bar-fill ${classPrefix}-${key}`, (100 * count) / max)),
        h("span", { class: "bar-count" }, count),
      );
    }),
  );
}

function drawWeaknesses(weak) {
  const mistakes = weak.common_mistakes ?? [];
  fill(
    $('[data-testid="common-mistakes"]'),
    mistakes.map(([text, count]) =>
      h("li", { dataset: { testid: "mistake" } }, h("span", { class: "mistake-text" }, `“${text}”`), " ", h("span", { class: "badge" }, `${count}×`)),
    ),
  );
  $('[data-testid="no-mistakes"]').hidden = mistakes.length > 0;
  fill(
    $('[data-testid="suggestions"]'),
    (weak.improvement_suggestions ?? []).map((text) => h("li", { dataset: { testid: "suggestion" } }, text)),
  );
}

// --- recent conversations and their transcripts ------------------------------------------------

function correctionCard(correction) {
  return h(
    "div",
    { class: `correction-card sev-${correction.severity}`, dataset: { testid: "transcript-correction" } },
    h(
      "header",
      {},
      h("span", { class: "type-label" }, text[correction.correction_type] ?? correction.correction_type),
      h("span", { class: "severity" }, text.severity[correction.severity] ?? correction.severity),
    ),
    h(
      "p",
      { class: "change" },
      h("del", {}, correction.original_text),
      " ",
      h("span", { class: "arrow", "aria-label": "should be" }, "→"),
      " ",
      h("ins", {}, correction.corrected_text),
    ),
    correction.explanation ? h("p", { class: "explanation small" }, correction.explanation) : null,
  );
}

function messageView(message) {
  const mine = message.role === "user";
  const corrections = mine ? message.corrections : [];
  return h(
    "li",
    { class: `message ${mine ? "user" : "assistant"}`, dataset: { testid: "transcript-message", role: message.role } },
    h(
      "div",
      { class: "message-body" },
      h("div", { class: "bubble" }, h("span", { class: "sr-only" }, `${mine ? speaker : text.tutor}: `), message.content),
      corrections.length ? h("div", { class: "corrections" }, corrections.map(correctionCard)) : null,
      mine && message.better_expression
        ? h("div", { class: "better" }, h("strong", {}, text.betterShort), h("span", {}, message.better_expression))
        : null,
      mine && message.feedback
        ? corrections.length
          ? h("div", { class: "feedback" }, h("strong", {}, text.feedback), h("span", {}, message.feedback))
          : h("p", { class: "feedback quiet small" }, message.feedback)
        : null,
    ),
  );
}

async function loadTranscript(item, session) {
  const body = item.querySelector(".transcript");
  fill(body, h("p", { class: "muted small" }, text.loadingConversation));
  try {
    const messages = await api(`${sources.sessions}/${encodeURIComponent(session.id)}/conversations`);
    item.dataset.loaded = "true";
    if (!messages.length) {
      fill(body, h("p", { class: "muted small" }, text.nothingSaidThere));
      return;
    }
    fill(body, h("ol", { class: "chat", dataset: { testid: "transcript" } }, messages.map(messageView)));
  } catch (error) {
    fill(body, h("p", { class: "error", role: "alert" }, error.message));
  }
}

function sessionItem(session, scores) {
  const topic = session.topic ? TOPICS[session.topic] ?? session.topic : data.free_conversation;
  const ended = session.ended_at !== null;
  const item = h(
    "details",
    { class: "session-item", dataset: { testid: "session-item", sessionId: session.id } },
    h(
      "summary",
      {},
      h("span", { class: "session-when" }, formatTime(session.started_at)),
      h("span", { class: "session-what" }, `${topic} · ${text.levels[session.difficulty] ?? session.difficulty}`),
      ended ? h("span", { class: "muted small" }, formatDuration(session.duration)) : h("span", { class: "badge state-running" }, text.inProgressShort),
      scores
        ? h(
            "span",
            { class: "session-scores small muted" },
            text.sessionScores(rounded(scores.grammar), rounded(scores.vocabulary), rounded(scores.pronunciation)),
          )
        : null,
      ended || data.read_only ? null : h("a", { href: `/tutor/sessions/${encodeURIComponent(session.id)}`, class: "small" }, text.continue),
    ),
    h("div", { class: "transcript" }),
  );
  item.addEventListener("toggle", () => {
    if (item.open && item.dataset.loaded !== "true") loadTranscript(item, session);
  });
  return item;
}

function drawAttempts(practice) {
  const recent = practice?.recent ?? [];
  fill(
    $('[data-testid="practice-attempts"]'),
    recent.map((attempt) =>
      h(
        "li",
        { dataset: { testid: "practice-attempt", score: String(rounded(attempt.score)) } },
        h("span", { class: "attempt-phrase" }, attempt.english_text),
        " ",
        h("span", { class: "badge" }, `${rounded(attempt.score)}`),
        " ",
        h("span", { class: "muted small" }, formatTime(attempt.created_at)),
      ),
    ),
  );
  $('[data-testid="no-practice-attempts"]').hidden = recent.length > 0;
}

function drawSessions(list, history) {
  const scores = new Map(history.map((point) => [point.session_id, point]));
  fill($('[data-testid="recent-sessions"]'), list.map((session) => sessionItem(session, scores.get(session.id))));
  $('[data-testid="no-sessions"]').hidden = list.length > 0;
}

async function load() {
  try {
    const [stats, weak, list] = await Promise.all([
      api(sources.stats),
      api(sources.weaknesses, { query: { language: data.language } }),
      api(sources.sessions, { query: { limit: SESSIONS_SHOWN } }),
    ]);
    clearError(errorBox);
    const practised = (stats.practice?.attempts ?? 0) > 0;
    const isNew = stats.progress.total_sessions === 0 && list.length === 0 && !practised;
    $('[data-testid="progress-empty"]').hidden = !isNew;
    $('[data-testid="progress-body"]').hidden = isNew;
    if (isNew) return;
    drawScores(stats);
    drawChart(stats);
    bars($('[data-testid="corrections-by-type"]'), stats.correction_stats?.by_type, TYPES, "type");
    bars($('[data-testid="corrections-by-severity"]'), stats.correction_stats?.by_severity, SEVERITIES, "sev");
    drawWeaknesses(weak);
    drawAttempts(stats.practice);
    drawSessions(list, stats.history ?? []);
  } catch (error) {
    showError(errorBox, error);
  } finally {
    $('[data-testid="progress-loading"]').hidden = true;
  }
}

let drawnWidth = window.innerWidth;
window.addEventListener(
  "resize",
  debounce(() => {
    if (Math.abs(window.innerWidth - drawnWidth) < 40) return;
    drawnWidth = window.innerWidth;
    redrawChart();
  }, 200),
);
load();
