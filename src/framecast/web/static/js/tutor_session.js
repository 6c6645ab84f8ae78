// A Tutor learning session: the transcript (read from the REST API, then kept up to date from the
// conversation socket), the composer (typed or spoken sentences), corrections under each learner
// message, the tutor's speech and avatar video, and the summary once the session ends.
//
// Messages are keyed by their server id, and an unsent one by its client_id, so a reconnect (which
// re-reads the history) or a resend (which replays the stored answer) never shows anything twice.

import { api, ApiError } from "./api.js";
import { AudioQueue } from "./audio_queue.js";
import { $, $all, fill, formatTime, h } from "./dom.js";
import { Recorder, RecorderError } from "./recorder.js";
import { VoiceActivity } from "./voice_activity.js";
import { TutorSocket } from "./tutor_socket.js";

const root = $("#tutor-session");
const sessionId = root.dataset.sessionId;
const userId = root.dataset.userId;
const language = root.dataset.language === "ko" ? "ko" : "en";
const maxAudioBytes = Number(root.dataset.maxAudioBytes || 0);
const maxTextChars = Number(root.dataset.maxTextChars || 0);

const chat = $('[data-testid="chat"]');
const scroller = $('[data-testid="chat-scroll"]');
const loading = $('[data-testid="chat-loading"]');
const typing = $('[data-testid="tutor-typing"]');
const status = $('[data-testid="connection-status"]');
const errorBox = $('[data-testid="chat-error"]');
const errorText = $('[data-testid="chat-error-text"]');
const composer = $("#composer");
const input = $("#message");
const sendButton = $('[data-testid="send-button"]');
const micButton = $('[data-testid="mic-button"]');
const micLabel = $('[data-testid="mic-label"]');
const micState = $('[data-testid="mic-state"]');
const endButton = $('[data-testid="end-session"]');
const summary = $('[data-testid="session-summary"]');
const video = $('[data-testid="avatar-video"]');
const soundHint = $('[data-testid="sound-hint"]');

const TEXT = {
  en: {
    grammar: "Grammar",
    vocabulary: "Vocabulary",
    pronunciation: "Pronunciation",
    better: "A more natural way to say it",
    feedback: "Feedback",
    severity: { high: "important", medium: "worth fixing", low: "minor" },
  },
  ko: {
    grammar: "문법",
    vocabulary: "어휘",
    pronunciation: "발음",
    better: "더 자연스러운 표현",
    feedback: "피드백",
    severity: { high: "중요", medium: "보통", low: "사소함" },
  },
}[language];
const TYPES = ["grammar", "vocabulary", "pronunciation"];
const SEVERITIES = new Set(["high", "medium", "low"]);

const byId = new Map(); // message id -> <li>
const byClient = new Map(); // client_id -> <li> (learner messages sent from this page)
const correctionsOf = new Map(); // message id -> corrections (for the summary)
let ended = root.dataset.ended === "true";
// Hands-free mode (see the end of the file).
const handsFreeButton = $('[data-testid="handsfree-toggle"]');
let handsFreeOn = false;
let voiceActivity = null;
let waitingForReply = false;
let socket = null;
let audioClientId = null; // the spoken message waiting for its transcription
let spokenTurn = false; // the turn being answered was spoken: read its word scores afterwards

// ---- Sound and the avatar video -----------------------------------------------------------------

const audio = new AudioQueue({ onblocked: () => (soundHint.hidden = false) });

soundHint.addEventListener("click", () => {
  soundHint.hidden = true;
  if (video.src && video.muted) {
    video.muted = false;
    video.play().catch(() => {});
  }
});

function playVideo(url) {
  audio.clear(); // the avatar says the same words, in sync with its lips
  video.src = url;
  // While the microphone listens (hands-free), the avatar moves without sound.
  video.muted = recorder.recording;
  video.play().catch((error) => {
    if (error?.name !== "NotAllowedError") return; // a broken video: the "error" event reports it
    video.muted = true;
    soundHint.hidden = false;
    video.play().catch(() => {});
  });
}

video.addEventListener("error", () => {
  if (video.getAttribute("src")) showProblem("The avatar video could not be played; the reply's text and sound are above.");
});

// ---- Messages -----------------------------------------------------------------------------------

function scrollDown() {
  scroller.scrollTop = scroller.scrollHeight;
}

/** Insert ``item`` in order: by seq when known, else after everything confirmed. */
function place(item) {
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
  loading.hidden = true;
}

function messageItem(role) {
  const label = role === "user" ? "You" : "Tutor";
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

function setId(item, id, seq) {
  if (id) {
    item.dataset.messageId = id;
    byId.set(id, item);
  }
  if (seq !== undefined && seq !== null) item.dataset.seq = String(seq);
}

function setText(item, text) {
  const bubble = $(".bubble", item);
  if (bubble.textContent !== text) fill(bubble, text);
}

function setMeta(item, { timestamp, audioUrl, spoken, videoUrl, videoState } = {}) {
  if (timestamp) item.dataset.time = timestamp;
  if (audioUrl) item.dataset.audioUrl = audioUrl;
  if (spoken) item.dataset.kind = "audio";
  if (videoUrl) item.dataset.videoUrl = videoUrl;
  if (videoState) item.dataset.video = videoState;
  const parts = [];
  if (item.dataset.time) parts.push(h("time", { datetime: item.dataset.time }, formatTime(item.dataset.time)));
  if (item.dataset.kind === "audio") parts.push(h("span", { class: "tag" }, "spoken"));
  if (item.dataset.audioUrl) {
    const url = item.dataset.audioUrl;
    parts.push(
      h(
        "button",
        { type: "button", class: "link small", dataset: { testid: "play-audio" }, onclick: () => audio.enqueue(url) },
        item.dataset.role === "user" ? "▶ Your recording" : "▶ Play",
      ),
    );
  }
  if (item.dataset.video === "ready" && item.dataset.videoUrl) {
    const url = item.dataset.videoUrl;
    parts.push(
      h(
        "button",
        { type: "button", class: "link small", dataset: { testid: "watch-video" }, onclick: () => playVideo(url) },
        "▶ Watch the video",
      ),
    );
  } else if (item.dataset.video === "pending" || item.dataset.video === "rendering") {
    parts.push(h("span", { class: "tag muted" }, "video on its way…"));
  }
  fill($(".meta", item), parts);
}

function setWordScores(item, scores) {
  if (!Array.isArray(scores) || scores.length === 0) return;
  const words = scores.map((entry) => {
    const value = Number(entry.score);
    const grade = value >= 0.7 ? "good" : value >= 0.3 ? "ok" : "poor";
    return h(
      "span",
      {
        class: `word-score ${grade}`,
        title: `${Math.round(value * 100)}%${entry.heard ? ` · heard “${entry.heard}”` : ""}`,
        dataset: { testid: "word-score" },
      },
      entry.word,
    );
  });
  const row = h("p", { class: "word-scores small", dataset: { testid: "word-scores" } },
    h("span", { class: "muted" }, "Pronunciation: "), words.flatMap((word) => [word, " "]));
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

function correctionCard(correction) {
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
      h("span", { class: "type-label" }, TEXT[type]),
      h("span", { class: "severity small" }, TEXT.severity[severity]),
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

function setCorrections(item, { hasErrors, corrections, better, feedback }) {
  const list = corrections.map(correctionOf);
  if (item.dataset.messageId) correctionsOf.set(item.dataset.messageId, list);
  const rest = remainingFeedback(feedback, list, better);
  const box = $(".corrections", item);
  if (!box) return;
  item.dataset.checked = hasErrors ? "errors" : "correct";
  fill(
    box,
    list.map(correctionCard),
    hasErrors && better
      ? h("div", { class: "better", dataset: { testid: "better-expression" } },
          h("strong", {}, TEXT.better), h("span", {}, better))
      : null,
    rest
      ? h("div", { class: hasErrors ? "feedback" : "feedback quiet", dataset: { testid: "feedback" } },
          hasErrors ? h("strong", {}, TEXT.feedback) : null, h("span", {}, rest))
      : null,
  );
}

// ---- Live messages from the socket --------------------------------------------------------------

function onTranscription(data) {
  const mine = data.client_id ? byClient.get(data.client_id) : undefined;
  const known = data.message_id ? byId.get(data.message_id) : undefined;
  let item = known ?? mine;
  if (known && mine && known !== mine) mine.remove(); // the history already brought it back
  if (!item) {
    item = messageItem("user");
    setId(item, data.message_id);
    place(item);
  }
  if (data.client_id) byClient.set(data.client_id, item);
  setId(item, data.message_id);
  item.dataset.state = "sent";
  setText(item, data.text ?? "");
  spokenTurn = item.dataset.kindOfTurn === "audio";
  if (spokenTurn) setMeta(item, { spoken: true });
  if (data.client_id && data.client_id === audioClientId) {
    audioClientId = null;
    micState.textContent = "";
  }
  if (!known) place(item); // confirmed: it now sits among the confirmed messages
  scrollDown();
}

function onCorrection(data) {
  const item = byId.get(data.message_id);
  if (!item) return;
  setCorrections(item, {
    hasErrors: Boolean(data.has_errors),
    corrections: Array.isArray(data.corrections) ? data.corrections : [],
    better: data.better_expression,
    feedback: data.feedback,
  });
  scrollDown();
}

function onResponse(data) {
  let item = data.message_id ? byId.get(data.message_id) : undefined;
  const isNew = !item;
  if (!item) {
    item = messageItem("assistant");
    setId(item, data.message_id);
    place(item);
  }
  setText(item, data.text ?? "");
  setMeta(item, {
    timestamp: item.dataset.time ?? new Date().toISOString(),
    audioUrl: data.audio_url,
    videoUrl: data.video_url,
    videoState: data.video_url ? "ready" : item.dataset.video ?? "pending",
  });
  // A replayed answer (after a resend) was heard already.
  if (isNew && data.audio) audio.enqueue(data.audio);
  refreshTyping();
  scrollDown();
  if (spokenTurn) {
    spokenTurn = false;
    refreshHistory();
  }
  replyArrived();
}

function onVideo(data) {
  const item = byId.get(data.message_id);
  if (item) setMeta(item, { videoUrl: data.video_url, videoState: "ready" });
  const tutorItems = $all('li.message.assistant', chat);
  const latest = tutorItems[tutorItems.length - 1];
  if (data.video_url && (!item || item === latest)) playVideo(data.video_url);
}

function onError(data) {
  showProblem(data.message || "Something went wrong.");
  replyArrived();
  if (data.message_id) {
    const item = byId.get(data.message_id);
    if (item && item.dataset.role === "assistant" && item.dataset.video !== "ready") {
      setMeta(item, { videoState: "failed" });
    }
  }
  // Learner messages the server refused are no longer pending in the socket: mark them.
  for (const [clientId, item] of byClient) {
    if (item.dataset.state === "pending" && socket && !socket.pending.has(clientId)) {
      item.dataset.state = "failed";
      $(".meta", item).replaceChildren(h("span", { class: "tag error-text" }, "not sent"));
      if (clientId === audioClientId) {
        audioClientId = null;
        micState.textContent = "";
      }
    }
  }
  refreshTyping();
}

function onMessage({ type, data }) {
  if (type === "transcription") onTranscription(data);
  else if (type === "correction") onCorrection(data);
  else if (type === "response") onResponse(data);
  else if (type === "video_update") onVideo(data);
  else if (type === "error") onError(data);
}

function refreshTyping() {
  typing.hidden = !socket || socket.pending.size === 0;
  if (!typing.hidden) scrollDown();
}

// ---- History ------------------------------------------------------------------------------------

function mergeHistory(messages) {
  for (const message of messages) {
    const role = message.role === "user" ? "user" : "assistant";
    let item = byId.get(message.id);
    if (!item) {
      item = messageItem(role);
      setId(item, message.id, message.seq);
      item.dataset.state = "sent";
      place(item);
    } else {
      setId(item, message.id, message.seq);
    }
    setText(item, message.content ?? "");
    setMeta(item, {
      timestamp: message.timestamp,
      audioUrl: message.audio_url,
      spoken: message.kind === "audio",
      videoUrl: message.video_url,
      videoState: message.video_state,
    });
    if (role === "user") {
      if (message.feedback !== null || message.corrections.length > 0) {
        setCorrections(item, {
          hasErrors: message.corrections.length > 0,
          corrections: message.corrections,
          better: message.better_expression,
          feedback: message.feedback,
        });
      }
      setWordScores(item, message.word_scores);
    }
  }
  loading.hidden = true;
  if (chat.children.length === 0 && ended) {
    fill(loading, "Nothing was said in this session.");
    loading.hidden = false;
  }
  scrollDown();
}

async function loadHistory() {
  const messages = await api(`/api/conversations/sessions/${encodeURIComponent(sessionId)}/conversations`);
  mergeHistory(messages);
  return messages;
}

function refreshHistory() {
  loadHistory().catch(() => {}); // only adds the pronunciation scores; the next reconnect retries
}

// ---- Problems -----------------------------------------------------------------------------------

function showProblem(message) {
  errorText.textContent = message;
  errorBox.hidden = false;
}

function clearProblem() {
  errorText.textContent = "";
  errorBox.hidden = true;
}

$('[data-testid="dismiss-error"]').addEventListener("click", clearProblem);

// ---- Sending ------------------------------------------------------------------------------------

function sendText() {
  const text = input.value.trim();
  if (!text || ended) return;
  if (maxTextChars && text.length > maxTextChars) {
    showProblem(`Your message is ${text.length} characters long; the limit is ${maxTextChars}.`);
    return;
  }
  clearProblem();
  const item = messageItem("user");
  item.dataset.state = "pending";
  setText(item, text);
  const clientId = socket.sendTurn("text", { text });
  item.dataset.clientId = clientId;
  byClient.set(clientId, item);
  place(item);
  input.value = "";
  input.focus();
  refreshTyping();
  scrollDown();
}

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  sendText();
});

input.addEventListener("keydown", (event) => {
  // isComposing: Enter also confirms a Korean (IME) syllable; that must not send.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendText();
  }
});

// ---- The microphone -----------------------------------------------------------------------------

const recorder = new Recorder();
let micBusy = false;

function micIdle() {
  micButton.classList.remove("recording");
  micButton.setAttribute("aria-pressed", "false");
  micLabel.textContent = "Speak";
}

function sizeLabel(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

async function toggleRecording() {
  if (micBusy || ended) return;
  micBusy = true;
  try {
    if (!recorder.recording) {
      clearProblem();
      // The tutor must not be heard by the microphone.
      audio.clear();
      video.pause();
      await recorder.start();
      micButton.classList.add("recording");
      micButton.setAttribute("aria-pressed", "true");
      micLabel.textContent = "Stop";
      micState.textContent = "Listening…";
      return;
    }
    micState.textContent = "Sending…";
    const { blob, mime, base64 } = await recorder.stop();
    micIdle();
    if (blob.size === 0) {
      micState.textContent = "";
      showProblem("Nothing was recorded: check the microphone, then try again.");
      return;
    }
    if (maxAudioBytes && blob.size > maxAudioBytes) {
      micState.textContent = "";
      showProblem(
        `The recording is ${sizeLabel(blob.size)}; the limit is ${sizeLabel(maxAudioBytes)}. ` +
          "Record a shorter sentence.",
      );
      return;
    }
    const item = messageItem("user");
    item.dataset.state = "pending";
    item.dataset.kindOfTurn = "audio";
    fill($(".bubble", item), h("em", { class: "muted" }, "Voice message…"));
    const clientId = socket.sendTurn("audio", { audio: base64, mime });
    item.dataset.clientId = clientId;
    byClient.set(clientId, item);
    audioClientId = clientId;
    place(item);
    refreshTyping();
    scrollDown();
  } catch (error) {
    micIdle();
    micState.textContent = "";
    if (error instanceof RecorderError) showProblem(error.message);
    else showProblem(`The recording failed: ${error?.message ?? error}`);
  } finally {
    micBusy = false;
  }
}

micButton.addEventListener("click", () => {
  if (handsFreeOn) setHandsFree(false);
  toggleRecording();
});

// ---- Hands-free: listen, send when the learner pauses, wait for the tutor, listen again ---------

function tutorSpeaking() {
  return audio.playing !== null || audio.queue.length > 0 || (!video.paused && !video.ended && !video.muted);
}

function setHandsFree(on) {
  handsFreeOn = on && !ended;
  handsFreeButton.setAttribute("aria-pressed", String(handsFreeOn));
  handsFreeButton.classList.toggle("on", handsFreeOn);
  if (handsFreeOn) {
    listen();
    return;
  }
  voiceActivity?.stop();
  voiceActivity = null;
  waitingForReply = false;
  if (recorder.recording) {
    recorder.cancel();
    micIdle();
  }
  micState.textContent = "";
}

async function listen() {
  if (!handsFreeOn || ended || recorder.recording || micBusy || waitingForReply) return;
  if (tutorSpeaking()) {
    setTimeout(listen, 300);
    return;
  }
  await toggleRecording();
  if (!recorder.recording || recorder.stream === null) {
    setHandsFree(false); // the microphone could not start: the error is shown already
    return;
  }
  micState.textContent = "Listening… (hands-free)";
  voiceActivity = new VoiceActivity(recorder.stream, {
    onSpeechEnd: ({ spoke }) => {
      voiceActivity = null;
      if (!handsFreeOn || !recorder.recording) return;
      if (!spoke) {
        // Nothing said for a while: start a fresh recording instead of sending silence.
        recorder.cancel();
        micIdle();
        setTimeout(listen, 0);
        return;
      }
      waitingForReply = true;
      toggleRecording();
    },
  });
  voiceActivity.start();
}

function replyArrived() {
  if (!waitingForReply) return;
  waitingForReply = false;
  setTimeout(listen, 600); // let the reply's sound start first
}

handsFreeButton.addEventListener("click", () => setHandsFree(!handsFreeOn));

// ---- Ending -------------------------------------------------------------------------------------

function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || seconds === "") return "—";
  const total = Math.max(0, Math.round(Number(seconds)));
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  if (minutes === 0) return `${rest} s`;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

function stat(label, value, testid) {
  return h("div", { class: "stat", dataset: { testid } }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

function scoreRow(label, value, testid) {
  const measured = value !== null && value !== undefined;
  const number = measured ? Number(value) : 0;
  return h(
    "div",
    { class: "score", dataset: { testid, measured: String(measured) } },
    h("span", { class: "score-label" }, label),
    h("span", { class: "progress" }, h("span", { class: "bar", style: `width: ${measured ? number : 0}%` })),
    h("span", { class: measured ? "score-value" : "score-value muted" }, measured ? `${number.toFixed(1)} / 100` : "not measured"),
  );
}

function disableComposer() {
  setHandsFree(false);
  ended = true;
  recorder.cancel();
  micIdle();
  micState.textContent = "";
  composer.hidden = true;
  input.disabled = true;
  sendButton.disabled = true;
  micButton.disabled = true;
  endButton.hidden = true;
  typing.hidden = true;
}

function showSummary(duration, scores) {
  const items = Array.from(chat.children).filter((item) => item.dataset.state !== "failed");
  const mine = items.filter((item) => item.dataset.role === "user").length;
  const counts = Object.fromEntries(TYPES.map((type) => [type, 0]));
  for (const list of correctionsOf.values()) for (const c of list) counts[c.type] += 1;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  fill(
    $('[data-testid="summary-stats"]', summary),
    stat("Duration", formatDuration(duration), "summary-duration"),
    stat("Messages (yours)", `${items.length} (${mine})`, "summary-messages"),
    stat("Corrections", String(total), "summary-correction-total"),
  );
  fill(
    $('[data-testid="summary-corrections"]', summary),
    total === 0
      ? "No corrections in this session."
      : [
          "Corrections by type: ",
          TYPES.filter((type) => counts[type] > 0).map((type, index) => [
          index ? " · " : "",
          h("span", { class: "type-label" }, TEXT[type]),
            ` ${counts[type]}`,
          ]),
        ],
  );
  fill(
    $('[data-testid="summary-scores"]', summary),
    scoreRow("Grammar", scores?.grammar, "score-grammar"),
    scoreRow("Vocabulary", scores?.vocabulary, "score-vocabulary"),
    scoreRow("Pronunciation", scores?.pronunciation, "score-pronunciation"),
  );
  summary.hidden = false;
  summary.scrollIntoView({ block: "nearest" });
}

endButton.addEventListener("click", async () => {
  endButton.disabled = true;
  clearProblem();
  try {
    const result = await api(`/api/conversations/sessions/${encodeURIComponent(sessionId)}/end`, { method: "POST" });
    disableComposer();
    socket?.stop();
    showSummary(result.duration, result.scores);
  } catch (error) {
    endButton.disabled = false;
    if (error instanceof ApiError && error.status === 401) showProblem("You are logged out: log in again to end the session.");
    else showProblem(`The session could not be ended: ${error.message}`);
  }
});

// ---- Connection status --------------------------------------------------------------------------

function showStatus(state, seconds, detail) {
  const text = {
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    closed: ended ? "Session ended" : "Disconnected",
  }[state];
  status.dataset.state = state === "connected" ? "live" : state;
  status.textContent = text;
  status.title = state === "reconnecting" && seconds ? `Trying again in ${seconds} s` : "";
  if (detail) showProblem(detail);
}

// ---- Start --------------------------------------------------------------------------------------

async function start() {
  try {
    await loadHistory();
  } catch (error) {
    fill(loading, `The conversation could not be loaded: ${error.message}`);
    loading.classList.add("error-text");
    if (!(error instanceof ApiError) || error.status === 0) {
      // The server is away: the socket below retries, and its reconnect reads the history again.
    } else {
      return;
    }
  }
  if (ended) {
    disableComposer();
    showStatus("closed", 0);
    let scores = null;
    try {
      const stats = await api(`/api/progress/${userId}/stats`);
      scores = (stats.history ?? []).find((point) => point.session_id === sessionId) ?? null;
    } catch {
      scores = null;
    }
    showSummary(root.dataset.duration, scores);
    return;
  }
  socket = new TutorSocket(sessionId, {
    onMessage,
    onStatus: showStatus,
    onOpen: async (reconnected) => {
      if (reconnected) await loadHistory();
    },
  });
  window.tutorSocket = socket; // for the console and the browser tests
  socket.connect();
  input.focus();
}

start();
