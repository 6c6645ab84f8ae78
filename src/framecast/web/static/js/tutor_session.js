// A Tutor learning session page: the transcript (read from the REST API, then kept up to date from
// the conversation socket), the composer (typed or spoken sentences), the microphone button, the
// tutor's speech and avatar video, the connection status, and ending the session.
//
// The chat items are drawn by tutor_messages.js, the replies' speech and the avatar video are played
// by tutor_voice.js (one voice per reply), hands-free mode lives in tutor_handsfree.js and the
// end-of-session summary in tutor_summary.js; this module holds the page's state and wiring. Its
// words are those of the session's language (tutor_text.js).
//
// Messages are keyed by their server id, and an unsent one by its client_id, so a reconnect (which
// re-reads the history) or a resend (which replays the stored answer) never shows anything twice.

import { api, ApiError } from "./api.js";
import { $, $all, fill } from "./dom.js";
import { Recorder, RecorderError } from "./recorder.js";
import { HandsFree } from "./tutor_handsfree.js";
import {
  historyCheck,
  historyMeta,
  insertInOrder,
  markNotSent,
  messageItem,
  setCorrections,
  setMeta,
  setText,
  setVoicePlaceholder,
  setWordScores,
  useLanguage,
} from "./tutor_messages.js";
import { TutorSocket } from "./tutor_socket.js";
import { showSummary as renderSummary } from "./tutor_summary.js";
import { pageWords } from "./tutor_text.js";
import { TutorVoice } from "./tutor_voice.js";

const root = $("#tutor-session");
const sessionId = root.dataset.sessionId;
const userId = root.dataset.userId;
const language = root.dataset.language === "ko" ? "ko" : "en";
const maxAudioBytes = Number(root.dataset.maxAudioBytes || 0);
// The server hears at most FRAMECAST_TUTOR__MAX_TURN_SECONDS of a spoken turn: a recording is stopped
// and sent two seconds before that.
const MAX_RECORDING_MS = Math.max(1, Number(root.dataset.maxTurnSeconds || 60) - 2) * 1000;
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
const handsFreeButton = $('[data-testid="handsfree-toggle"]');
const endButton = $('[data-testid="end-session"]');
const summary = $('[data-testid="session-summary"]');
const video = $('[data-testid="avatar-video"]');
const soundHint = $('[data-testid="sound-hint"]');

const text = useLanguage(language);
const labels = text;
const byId = new Map(); // message id -> <li>
const byClient = new Map(); // client_id -> <li> (learner messages sent from this page)
const correctionsOf = new Map(); // message id -> corrections (for the summary)
let ended = root.dataset.ended === "true";
let socket = null;
let audioClientId = null; // the spoken message waiting for its transcription
let spokenTurn = false; // the turn being answered was spoken: read its word scores afterwards

// ---- Sound and the avatar video -----------------------------------------------------------------

const recorder = new Recorder();
// While the microphone listens (hands-free), the avatar moves without sound.
const voice = new TutorVoice({ video, onblocked: () => (soundHint.hidden = false), silent: () => recorder.recording });

soundHint.addEventListener("click", () => {
  soundHint.hidden = true;
  voice.allowSound();
});

video.addEventListener("error", () => {
  if (video.getAttribute("src")) showProblem(text.videoFailed);
});

/** What the play and watch buttons of a message's meta line do: each stops what is playing first. */
const actions = {
  playAudio: (url, item) => {
    const tutor = item.dataset.role === "assistant";
    voice.playClip(url, {
      id: tutor ? item.dataset.messageId : null,
      videoUrl: tutor && item.dataset.video === "ready" ? item.dataset.videoUrl : null,
    });
  },
  playVideo: (url, item) => voice.watch(url, { id: item.dataset.messageId }),
};

// ---- Messages -----------------------------------------------------------------------------------

// On a phone the conversation scrolls with the page, between the sticky avatar and composer.
const phoneLayout = window.matchMedia("(max-width: 860px)");

function scrollDown() {
  if (scroller.scrollHeight > scroller.clientHeight + 1) scroller.scrollTop = scroller.scrollHeight;
  else if (phoneLayout.matches) window.scrollTo(0, document.documentElement.scrollHeight);
}

function place(item) {
  insertInOrder(chat, item);
  loading.hidden = true;
}

function setId(item, id, seq) {
  if (id) {
    item.dataset.messageId = id;
    byId.set(id, item);
  }
  if (seq !== undefined && seq !== null) item.dataset.seq = String(seq);
}

function showCorrections(item, check) {
  const list = setCorrections(item, check, labels);
  if (item.dataset.messageId) correctionsOf.set(item.dataset.messageId, list);
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
  if (spokenTurn) setMeta(item, { spoken: true }, actions);
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
  showCorrections(item, {
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
  setMeta(
    item,
    {
      timestamp: item.dataset.time ?? new Date().toISOString(),
      audioUrl: data.audio_url,
      videoUrl: data.video_url,
      videoState: data.video_url ? "ready" : item.dataset.video ?? "pending",
    },
    actions,
  );
  // A replayed answer (after a resend) was heard already.
  if (isNew && data.audio) voice.say(data.message_id, data.audio);
  refreshTyping();
  scrollDown();
  if (spokenTurn) {
    spokenTurn = false;
    refreshHistory();
  }
  handsFree.replyArrived();
}

function onVideo(data) {
  const item = byId.get(data.message_id);
  if (item) setMeta(item, { videoUrl: data.video_url, videoState: "ready" }, actions);
  const tutorItems = $all("li.message.assistant", chat);
  const latest = tutorItems[tutorItems.length - 1];
  voice.videoReady(data.message_id, data.video_url, { latest: !item || item === latest });
}

function onError(data) {
  showProblem(data.message || text.somethingWrong);
  handsFree.replyArrived();
  if (data.message_id) {
    const item = byId.get(data.message_id);
    if (item && item.dataset.role === "assistant" && item.dataset.video !== "ready") {
      setMeta(item, { videoState: "failed" }, actions);
    }
  }
  // Learner messages the server refused are no longer pending in the socket: mark them.
  for (const [clientId, item] of byClient) {
    if (item.dataset.state === "pending" && socket && !socket.pending.has(clientId)) {
      markNotSent(item);
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
    setMeta(item, historyMeta(message), actions);
    if (role === "user") {
      const check = historyCheck(message);
      if (check) showCorrections(item, check);
      setWordScores(item, message.word_scores);
    }
  }
  loading.hidden = true;
  if (chat.children.length === 0 && ended) {
    fill(loading, text.nothingSaid);
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
  const message = input.value.trim();
  if (!message || ended) return;
  if (maxTextChars && message.length > maxTextChars) {
    showProblem(text.tooLong(message.length, maxTextChars));
    return;
  }
  clearProblem();
  const item = messageItem("user");
  item.dataset.state = "pending";
  setText(item, message);
  const clientId = socket.sendTurn("text", { text: message });
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

let micBusy = false;
let autoStop = null;

function micIdle() {
  micButton.classList.remove("recording");
  micButton.setAttribute("aria-pressed", "false");
  micLabel.textContent = text.speak;
}

function sizeLabel(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Start a spoken turn, or stop the one under way and send it. */
async function toggleRecording() {
  if (micBusy || ended) return;
  micBusy = true;
  try {
    if (!recorder.recording) {
      clearProblem();
      // The tutor must not be heard by the microphone.
      voice.stop();
      await recorder.start();
      micButton.classList.add("recording");
      micButton.setAttribute("aria-pressed", "true");
      micLabel.textContent = text.stop;
      micState.textContent = text.listening;
      autoStop = setTimeout(() => {
        if (recorder.recording) toggleRecording();
      }, MAX_RECORDING_MS);
      return;
    }
    clearTimeout(autoStop);
    micState.textContent = text.sending;
    const { blob, mime, base64 } = await recorder.stop();
    micIdle();
    if (blob.size === 0) {
      micState.textContent = "";
      showProblem(text.nothingRecorded);
      return;
    }
    if (maxAudioBytes && blob.size > maxAudioBytes) {
      micState.textContent = "";
      showProblem(text.recordingTooBig(sizeLabel(blob.size), sizeLabel(maxAudioBytes)));
      return;
    }
    const item = messageItem("user");
    item.dataset.state = "pending";
    item.dataset.kindOfTurn = "audio";
    setVoicePlaceholder(item);
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
    else showProblem(text.recordingFailed(error?.message ?? error));
  } finally {
    micBusy = false;
  }
}

const handsFree = new HandsFree({
  recorder,
  voice,
  listeningText: text.listeningHandsFree,
  toggleTurn: toggleRecording,
  isEnded: () => ended,
  isBusy: () => micBusy,
  micIdle,
  showState: (text) => (micState.textContent = text),
  onChange: (on) => {
    handsFreeButton.setAttribute("aria-pressed", String(on));
    handsFreeButton.classList.toggle("on", on);
  },
});

micButton.addEventListener("click", () => {
  if (handsFree.on) handsFree.set(false);
  toggleRecording();
});

handsFreeButton.addEventListener("click", () => handsFree.set(!handsFree.on));

// ---- Ending -------------------------------------------------------------------------------------

function disableComposer() {
  handsFree.set(false);
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
  renderSummary(summary, {
    items: Array.from(chat.children),
    corrections: correctionsOf.values(),
    duration,
    scores,
    text,
    words: pageWords(),
  });
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
    if (error instanceof ApiError && error.status === 401) showProblem(text.loggedOut);
    else showProblem(text.notEnded(error.message));
  }
});

// ---- Connection status --------------------------------------------------------------------------

function showStatus(state, seconds, detail) {
  const shown = {
    connecting: text.status.connecting,
    connected: text.status.connected,
    reconnecting: text.status.reconnecting,
    closed: ended ? text.status.ended : text.status.disconnected,
  }[state];
  status.dataset.state = state === "connected" ? "live" : state;
  status.textContent = shown;
  status.title = state === "reconnecting" && seconds ? text.retryIn(seconds) : "";
  if (detail) showProblem(detail);
}

// ---- Start --------------------------------------------------------------------------------------

async function start() {
  try {
    await loadHistory();
  } catch (error) {
    fill(loading, text.notLoaded(error.message));
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
