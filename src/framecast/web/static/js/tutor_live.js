// The real-time page: open a Tavus conversation, show its room in an iframe, and end it — with the
// End button, when its time is up, or when the learner leaves the page (a beacon on "pagehide", since
// an open conversation holds one of the account's slots and bills until it is ended).

import { api, csrfToken, showError, clearError } from "./api.js";
import { $, h } from "./dom.js";

// Tavus ends a call after this many seconds by itself (web/routes/avatar_sessions.py MAX_CALL_S).
const MAX_CALL_S = 600;

const startButton = $('[data-testid="live-start"]');
const endButton = $('[data-testid="live-end"]');
const statusBox = $('[data-testid="live-status"]');
const room = $('[data-testid="live-room"]');
const errorBox = $('[data-testid="live-error"]');

let active = null; // the open conversation's id
let timer = null;

function endUrl(id) {
  return `/api/avatar-sessions/tavus/${encodeURIComponent(id)}`;
}

function setStatus(text, state = "") {
  statusBox.textContent = text;
  statusBox.dataset.state = state;
}

function remaining(until) {
  const left = Math.max(0, Math.round((until - Date.now()) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
}

function showRoom(id, url) {
  const parsed = new URL(url, window.location.href);
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new Error(`The avatar room has an unusable address (${parsed.protocol}).`);
  }
  active = id;
  room.replaceChildren(
    h("iframe", {
      src: parsed.href,
      title: "Real-time conversation with the avatar teacher",
      allow: "camera; microphone; autoplay; display-capture; fullscreen",
      allowfullscreen: true,
      dataset: { testid: "live-frame" },
    }),
  );
  room.hidden = false;
  startButton.hidden = true;
  endButton.hidden = false;
  endButton.disabled = false;
  const until = Date.now() + MAX_CALL_S * 1000;
  setStatus(`In conversation · ${remaining(until)} left`, "live");
  timer = setInterval(() => {
    if (Date.now() >= until) {
      end("The 10-minute limit was reached: the conversation has ended.");
    } else {
      setStatus(`In conversation · ${remaining(until)} left`, "live");
    }
  }, 1000);
}

function closeRoom(message) {
  clearInterval(timer);
  timer = null;
  active = null;
  room.replaceChildren();
  room.hidden = true;
  endButton.hidden = true;
  startButton.hidden = false;
  startButton.disabled = false;
  setStatus(message, "ended");
}

async function start() {
  clearError(errorBox);
  startButton.disabled = true;
  setStatus("Starting the conversation…", "reconnecting");
  try {
    const opened = await api("/api/avatar-sessions/create", { method: "POST", json: {} });
    showRoom(opened.session_id, opened.room_url);
  } catch (error) {
    startButton.disabled = false;
    setStatus("", "");
    showError(errorBox, error);
  }
}

async function end(message = "The conversation has ended.") {
  const id = active;
  if (id === null) return;
  clearError(errorBox);
  endButton.disabled = true;
  setStatus("Ending the conversation…", "reconnecting");
  try {
    await api(endUrl(id), { method: "DELETE" });
    closeRoom(message);
  } catch (error) {
    endButton.disabled = false;
    setStatus("Still in conversation", "live");
    showError(errorBox, error);
  }
}

startButton.addEventListener("click", start);
endButton.addEventListener("click", () => end());

// Leaving the page (navigation, closing the tab) ends the conversation. A beacon is the one request
// a closing page still sends; it cannot set headers, so the CSRF token travels as a form field.
window.addEventListener("pagehide", () => {
  if (active === null) return;
  navigator.sendBeacon(endUrl(active), new URLSearchParams({ csrf_token: csrfToken() }));
  closeRoom("The conversation ended when you left the page.");
});
