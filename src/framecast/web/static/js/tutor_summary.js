// The summary shown once a Tutor session ends (right after "End session", or on reopening an ended
// one): its duration, how many messages and corrections it had (corrections by type), and its scores.

import { $, fill, h } from "./dom.js";
import { TYPES } from "./tutor_messages.js";

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || seconds === "") return "—";
  const total = Math.max(0, Math.round(Number(seconds)));
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  if (minutes === 0) return `${rest} s`;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

function stat(label, value, testid) {
  return h(
    "div",
    { class: "stat", dataset: { testid } },
    h("div", { class: "value" }, value),
    h("div", { class: "label" }, label),
  );
}

function scoreRow(label, value, testid) {
  const measured = value !== null && value !== undefined;
  const number = measured ? Number(value) : 0;
  return h(
    "div",
    { class: "score", dataset: { testid, measured: String(measured) } },
    h("span", { class: "score-label" }, label),
    h("span", { class: "progress" }, h("span", { class: "bar", style: `width: ${measured ? number : 0}%` })),
    h(
      "span",
      { class: measured ? "score-value" : "score-value muted" },
      measured ? `${number.toFixed(1)} / 100` : "not measured",
    ),
  );
}

/**
 * Fill and reveal the summary ``box``. ``items``: the chat's items (failed ones are not counted);
 * ``corrections``: the normalised correction lists of its learner messages; ``duration`` in seconds;
 * ``scores``: {grammar, vocabulary, pronunciation} (each may be missing), or null; ``labels``: the
 * session language's labels (tutor_messages.js labelsFor).
 */
export function showSummary(box, { items, corrections, duration, scores, labels }) {
  const counted = items.filter((item) => item.dataset.state !== "failed");
  const mine = counted.filter((item) => item.dataset.role === "user").length;
  const counts = Object.fromEntries(TYPES.map((type) => [type, 0]));
  for (const list of corrections) for (const c of list) counts[c.type] += 1;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  fill(
    $('[data-testid="summary-stats"]', box),
    stat("Duration", formatDuration(duration), "summary-duration"),
    stat("Messages (yours)", `${counted.length} (${mine})`, "summary-messages"),
    stat("Corrections", String(total), "summary-correction-total"),
  );
  fill(
    $('[data-testid="summary-corrections"]', box),
    total === 0
      ? "No corrections in this session."
      : [
          "Corrections by type: ",
          TYPES.filter((type) => counts[type] > 0).map((type, index) => [
            index ? " · " : "",
            h("span", { class: "type-label" }, labels[type]),
            ` ${counts[type]}`,
          ]),
        ],
  );
  fill(
    $('[data-testid="summary-scores"]', box),
    scoreRow("Grammar", scores?.grammar, "score-grammar"),
    scoreRow("Vocabulary", scores?.vocabulary, "score-vocabulary"),
    scoreRow("Pronunciation", scores?.pronunciation, "score-pronunciation"),
  );
  box.hidden = false;
  box.scrollIntoView({ block: "nearest" });
}
