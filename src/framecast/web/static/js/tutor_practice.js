// The practice page: filter the phrases, pick one, listen to it, record yourself saying it, and see
// the overall score and every word coloured by its score, what was heard of each flagged word
// ("you said “rate”", from the server in the learner's language), and your recent attempts at the
// phrase. On a phone the list stacks above the phrase: tapping one brings its controls into view.

import { api, clearError, showError } from "./api.js";
import { $, fill, formatTime, h } from "./dom.js";
import { Recorder, RecorderError } from "./recorder.js";

const data = JSON.parse($("#tutor-data").textContent);
const TOPICS = Object.fromEntries(data.topics);
// A recording stops by itself after this long: a phrase takes a few seconds to say.
const MAX_RECORDING_MS = 15_000;
const RECENT_ATTEMPTS = 5;

const category = $('[data-testid="practice-category"]');
const difficulty = $('[data-testid="practice-difficulty"]');
const list = $('[data-testid="phrase-list"]');
const pageError = $('[data-testid="practice-error"]');
const attemptError = $('[data-testid="attempt-error"]');
const listenButton = $('[data-testid="practice-listen"]');
const recordButton = $('[data-testid="practice-record"]');
const stopButton = $('[data-testid="practice-stop"]');
const statusBox = $('[data-testid="practice-status"]');
const result = $('[data-testid="practice-result"]');

const recorder = new Recorder();
let phrases = [];
let current = null; // the chosen phrase
let playing = null; // the phrase's <audio> while it plays
let autoStop = null;
let loads = 0; // answers to older filter changes are dropped

/** "good" (>= 0.7), "ok" (>= 0.4) or "poor": the colour of a word scored 0..1. */
export function level(score) {
  if (score >= 0.7) return "good";
  if (score >= 0.4) return "ok";
  return "poor";
}

const LEVEL_TEXT = { good: "good", ok: "almost", poor: "practise this word" };

function verdict(score) {
  if (score >= 85) return "Excellent!";
  if (score >= 70) return "Good — nearly there.";
  if (score >= 40) return "Keep practising: listen again and repeat the red words.";
  return "Try again slowly and clearly.";
}

function setStatus(text, state = "") {
  statusBox.textContent = text;
  statusBox.dataset.state = state;
}

// --- the phrase list ------------------------------------------------------------------------------

function phraseButton(phrase) {
  return h(
    "li",
    {},
    h(
      "button",
      {
        type: "button",
        class: "phrase-item",
        "aria-pressed": String(current?.id === phrase.id),
        dataset: { testid: "phrase", phraseId: String(phrase.id) },
        onclick: () => {
          choose(phrase);
          revealControls();
        },
      },
      h("span", { class: "phrase-item-en", lang: "en" }, phrase.english_text),
      h("span", { class: "phrase-item-ko small muted", lang: "ko" }, phrase.korean_text),
    ),
  );
}

async function loadPhrases() {
  const mine = ++loads;
  try {
    const found = await api("/api/practice/phrases", { query: { category: category.value, difficulty: difficulty.value } });
    if (mine !== loads) return;
    phrases = found;
    clearError(pageError);
    fill(list, phrases.map(phraseButton));
    $('[data-testid="phrase-count"]').textContent = phrases.length
      ? `${phrases.length} phrase${phrases.length === 1 ? "" : "s"}`
      : "No phrases for this topic and level.";
  } catch (error) {
    if (mine === loads) showError(pageError, error);
  }
}

// --- one phrase -----------------------------------------------------------------------------------

function choose(phrase) {
  if (recorder.recording) recorder.cancel();
  clearTimeout(autoStop);
  stopAudio();
  current = phrase;
  for (const button of list.querySelectorAll('[data-testid="phrase"]')) {
    button.setAttribute("aria-pressed", String(button.dataset.phraseId === String(phrase.id)));
  }
  const url = new URL(window.location.href);
  url.searchParams.set("phrase", String(phrase.id));
  history.replaceState(null, "", url);
  $('[data-testid="no-phrase"]').hidden = true;
  $('[data-testid="phrase-view"]').hidden = false;
  fill(
    $('[data-testid="phrase-tags"]'),
    h("span", { class: "badge" }, TOPICS[phrase.category] ?? phrase.category),
    h("span", { class: "badge" }, phrase.difficulty),
  );
  $('[data-testid="phrase-english"]').textContent = phrase.english_text;
  $('[data-testid="phrase-korean"]').textContent = phrase.korean_text;
  result.hidden = true;
  clearError(attemptError);
  showIdle();
  setStatus("");
  loadAttempts();
}

/** Scroll the Listen/Record controls into view when they are off screen (the list is above them). */
function revealControls() {
  const controls = listenButton.parentElement;
  const box = controls.getBoundingClientRect();
  if (box.top >= 0 && box.bottom <= window.innerHeight) return;
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  controls.scrollIntoView({ block: "center", behavior: smooth ? "smooth" : "auto" });
}

function stopAudio() {
  if (playing) {
    playing.pause();
    playing = null;
  }
  listenButton.textContent = "▶ Listen";
}

function listen() {
  if (!current) return;
  if (playing) {
    stopAudio();
    return;
  }
  clearError(attemptError);
  const url = `/api/practice/phrases/${current.id}/audio`;
  const audio = new Audio(url);
  playing = audio;
  listenButton.textContent = "■ Stop playing";
  audio.addEventListener("ended", () => playing === audio && stopAudio());
  audio.addEventListener("error", async () => {
    if (playing !== audio) return;
    stopAudio();
    try {
      await api(url); // the server's reason, e.g. speech is not available
      showError(attemptError, new Error("The phrase's audio could not be played in this browser."));
    } catch (error) {
      showError(attemptError, error);
    }
  });
  audio.play().catch((error) => {
    if (error?.name === "NotAllowedError") {
      stopAudio();
      showError(attemptError, new Error("The browser blocked the sound: press Listen again."));
    }
  });
}

function showIdle() {
  recordButton.hidden = false;
  recordButton.disabled = false;
  stopButton.hidden = true;
}

async function record() {
  if (!current || recorder.recording) return;
  clearError(attemptError);
  stopAudio();
  result.hidden = true;
  recordButton.disabled = true;
  try {
    await recorder.start();
  } catch (error) {
    showIdle();
    showError(attemptError, error instanceof RecorderError ? error : new Error(String(error?.message ?? error)));
    return;
  }
  recordButton.hidden = true;
  stopButton.hidden = false;
  stopButton.disabled = false;
  stopButton.focus();
  setStatus("Recording… say the phrase, then press Stop.", "live");
  autoStop = setTimeout(() => stop(), MAX_RECORDING_MS);
}

async function stop() {
  clearTimeout(autoStop);
  if (!recorder.recording || !current) return;
  const phrase = current;
  stopButton.disabled = true;
  setStatus("Scoring your recording…", "reconnecting");
  try {
    const { base64, mime, blob } = await recorder.stop();
    if (blob.size === 0) throw new RecorderError("Nothing was recorded: check the microphone and try again.");
    if (blob.size > data.max_audio_bytes) throw new RecorderError("The recording is too long: say just the phrase.");
    const attempt = await api("/api/practice/attempts", {
      method: "POST",
      json: { phrase_id: phrase.id, audio: base64, mime },
    });
    if (current?.id !== phrase.id) return; // the learner moved on meanwhile
    showResult(attempt);
    setStatus("");
    loadAttempts();
  } catch (error) {
    setStatus("");
    showError(attemptError, error);
  } finally {
    showIdle();
  }
}

function wordView(item) {
  const kind = level(item.score);
  const heard = item.heard ? `heard “${item.heard}”` : "not heard";
  const said = item.flagged && item.note ? item.note : heard;
  return h(
    "span",
    {
      class: `word-score ${kind}`,
      title: `${Math.round(item.score * 100)}/100 · ${said}`,
      dataset: { testid: "word-score", level: kind, score: String(item.score), flagged: String(Boolean(item.flagged)) },
    },
    item.word,
    h("span", { class: "sr-only" }, ` (${LEVEL_TEXT[kind]}, ${said})`),
  );
}

/** One line per flagged word: the word, then what was heard of it ("you said “rate”"). */
function noteView(item) {
  return h(
    "li",
    { dataset: { testid: "word-note", word: item.word } },
    h("strong", { lang: "en" }, item.word),
    " — ",
    h("span", { dataset: { testid: "word-note-text" } }, item.note),
  );
}

function showResult(attempt) {
  const score = Math.round(attempt.score);
  const box = $('[data-testid="practice-score"]');
  box.textContent = `${score}`;
  box.dataset.value = String(score);
  box.className = `score-big ${level(attempt.score / 100)}`;
  $('[data-testid="practice-verdict"]').textContent = `/ 100 · ${verdict(attempt.score)}`;
  const words = attempt.words.map(wordView);
  fill($('[data-testid="practice-words"]'), words.flatMap((word, index) => (index ? [" ", word] : [word])));
  const flagged = attempt.words.filter((item) => item.flagged && item.note);
  const notes = $('[data-testid="practice-notes"]');
  fill(notes, flagged.map(noteView));
  notes.hidden = flagged.length === 0;
  fill(
    $('[data-testid="practice-heard"]'),
    h("span", { class: "muted" }, "We heard: "),
    attempt.transcript ? h("q", {}, attempt.transcript) : h("em", {}, "nothing — try speaking closer to the microphone"),
  );
  result.hidden = false;
}

async function loadAttempts() {
  const phrase = current;
  if (!phrase) return;
  try {
    const attempts = await api("/api/practice/attempts", { query: { phrase_id: phrase.id, limit: RECENT_ATTEMPTS } });
    if (current?.id !== phrase.id) return;
    fill(
      $('[data-testid="attempt-list"]'),
      attempts.map((attempt) =>
        h(
          "li",
          { dataset: { testid: "practice-attempt", attemptId: String(attempt.id) } },
          h("span", { class: `attempt-score ${level(attempt.score / 100)}` }, Math.round(attempt.score)),
          h("span", { class: "attempt-heard" }, attempt.transcript ? `“${attempt.transcript}”` : "(nothing heard)"),
          h("span", { class: "muted small" }, formatTime(attempt.created_at)),
        ),
      ),
    );
    $('[data-testid="no-attempts"]').hidden = attempts.length > 0;
  } catch (error) {
    showError(attemptError, error);
  }
}

category.addEventListener("change", loadPhrases);
difficulty.addEventListener("change", loadPhrases);
$('[data-testid="practice-filters"]').addEventListener("submit", (event) => event.preventDefault());
listenButton.addEventListener("click", listen);
recordButton.addEventListener("click", record);
stopButton.addEventListener("click", stop);
$('[data-testid="practice-again"]').addEventListener("click", record);

async function init() {
  const wanted = Number(new URLSearchParams(window.location.search).get("phrase"));
  if (wanted) {
    // Opened on a phrase (a reload, a link): show it whatever the filters are.
    try {
      const phrase = (await api("/api/practice/phrases")).find((item) => item.id === wanted);
      if (phrase) choose(phrase);
    } catch (error) {
      showError(pageError, error);
    }
  }
  await loadPhrases();
}

init();
