// The summary shown once a Tutor session ends (right after "End session", or on reopening an ended
// one): a sentence saying what happened, its duration, how many messages and corrections it had
// (corrections by type), and its scores — in the session's language.

import { $, fill, h } from "./dom.js";
import { TYPES } from "./tutor_messages.js";

/** ``seconds`` as "3 min 20 s" / "3분 20초" (``text``: tutor_text.js words), or "—" when unknown. */
export function formatDuration(seconds, text) {
  if (seconds === null || seconds === undefined || seconds === "") return "—";
  const total = Math.max(0, Math.round(Number(seconds)));
  return text.duration(Math.floor(total / 60), total % 60);
}

function stat(label, value, testid) {
  return h(
    "div",
    { class: "stat", dataset: { testid } },
    h("div", { class: "value" }, value),
    h("div", { class: "label" }, label),
  );
}

function scoreRow(label, value, testid, text) {
  const measured = value !== null && value !== undefined;
  const number = measured ? Number(value) : 0;
  const bar = h("span", { class: "bar" });
  bar.style.width = `${measured ? number : 0}%`; // a style property: the page's policy refuses style attributes
  return h(
    "div",
    { class: "score", dataset: { testid, measured: String(measured) } },
    h("span", { class: "score-label" }, label),
    h("span", { class: "progress" }, bar),
    h(
      "span",
      { class: measured ? "score-value" : "score-value muted" },
      measured ? `${number.toFixed(1)} / 100` : text.notMeasured,
    ),
  );
}

/**
 * Fill and reveal the summary ``box``. ``items``: the chat's items (failed ones are not counted);
 * ``corrections``: the normalised correction lists of its learner messages; ``duration`` in seconds;
 * ``scores``: {grammar, vocabulary, pronunciation} (each may be missing), or null; ``text``: the
 * session language's words (tutor_text.js); ``words``: the page's particle-bearing words.
 */
export function showSummary(box, { items, corrections, duration, scores, text, words = {} }) {
  const counted = items.filter((item) => item.dataset.state !== "failed");
  const mine = counted.filter((item) => item.dataset.role === "user").length;
  const counts = Object.fromEntries(TYPES.map((type) => [type, 0]));
  for (const list of corrections) for (const c of list) counts[c.type] += 1;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const top = total ? TYPES.reduce((best, type) => (counts[type] > counts[best] ? type : best), TYPES[0]) : null;
  const particles = words.particles ?? {};
  fill(
    $('[data-testid="summary-sentence"]', box),
    text.summarySentence({
      duration: formatDuration(duration, text),
      spoken: mine,
      topType: top ? text[top] : null,
      topicObject: particles.topic_object ?? null,
      topTypeObject: top ? particles.types_object?.[top] ?? null : null,
    }),
  );
  fill(
    $('[data-testid="summary-stats"]', box),
    stat(text.summaryDuration, formatDuration(duration, text), "summary-duration"),
    stat(text.summaryMessages, `${counted.length} (${mine})`, "summary-messages"),
    stat(text.summaryCorrections, String(total), "summary-correction-total"),
  );
  fill(
    $('[data-testid="summary-corrections"]', box),
    total === 0
      ? text.noCorrections
      : [
          text.byType,
          TYPES.filter((type) => counts[type] > 0).map((type, index) => [
            index ? " · " : "",
            h("span", { class: "type-label" }, text[type]),
            ` ${counts[type]}`,
          ]),
        ],
  );
  fill(
    $('[data-testid="summary-scores"]', box),
    scoreRow(text.grammar, scores?.grammar, "score-grammar", text),
    scoreRow(text.vocabulary, scores?.vocabulary, "score-vocabulary", text),
    scoreRow(text.pronunciation, scores?.pronunciation, "score-pronunciation", text),
  );
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}
