// The Tutor's conversation socket (/ws/conversation/{id}, docs/tutor-api.md): JSON frames
// {type, data}, authenticated by the session cookie (same origin). An unintended close is retried
// for as long as the page is open, 1 s doubling to 30 s — except close code 4401 (not logged in),
// where retrying cannot help: the learner is sent to the login page. Learner messages carry a
// client_id: the ones not yet answered are kept and sent again after a reconnect with the same
// client_id, and the server answers a resend from what it stored instead of running the turn twice.
// A turn refused with retry_after (over a limit that only needs waiting) stays queued and is sent
// again after that many seconds.

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
// The server's close codes: not logged in, and a message bigger than the server accepts.
export const NOT_LOGGED_IN = 4401;
const MESSAGE_TOO_BIG = 1009;

/** The login page, coming back to this page afterwards. */
export function loginUrl() {
  return `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
}

/** A fresh client_id for one learner message. */
export function newClientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * new TutorSocket(sessionId, {onMessage(message), onStatus(state, seconds, detail), onOpen(reconnected),
 * onLoggedOut()}).
 * States: "connecting", "connected", "reconnecting" (seconds until the next try), "closed".
 * onOpen runs on every open, before queued messages are sent, and may return a promise (the page
 * re-reads its history there); the queue is flushed once it settles. onLoggedOut runs when the
 * server closes with 4401; by default it opens the login page.
 */
export class TutorSocket {
  constructor(sessionId, { onMessage, onStatus, onOpen, onLoggedOut } = {}) {
    this.url = socketUrl(sessionId);
    this.onMessage = onMessage ?? (() => {});
    this.onStatus = onStatus ?? (() => {});
    this.onOpen = onOpen ?? (() => {});
    this.onLoggedOut = onLoggedOut ?? (() => window.location.assign(loginUrl()));
    this.ws = null;
    this.ready = false; // open and past onOpen: frames go straight out
    this.stopped = false;
    this.delay = FIRST_DELAY_MS;
    this.timer = null;
    this.opens = 0;
    // client_id -> frame, in send order: learner messages not answered yet.
    this.pending = new Map();
    // The client_id whose turn the server is answering (set by its transcription).
    this.answering = null;
    this.reconnects = 0;
    // The client_id of the last frame sent: the one a 1009 close refused.
    this.lastSent = null;
    this.retryTimers = new Set();
  }

  get connected() {
    return this.ready;
  }

  connect() {
    if (this.stopped || this.ws) return;
    this.onStatus(this.opens === 0 ? "connecting" : "reconnecting", 0);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener("open", () => this.opened(ws));
    ws.addEventListener("message", (event) => this.received(event));
    ws.addEventListener("close", (event) => this.closed(ws, event));
  }

  async opened(ws) {
    const reconnected = this.opens > 0;
    this.opens += 1;
    this.answering = null;
    try {
      await this.onOpen(reconnected);
    } catch (error) {
      console.warn("tutor socket: onOpen failed", error);
    }
    if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
    this.delay = FIRST_DELAY_MS;
    this.ready = true;
    this.onStatus("connected", 0);
    for (const frame of this.pending.values()) this.transmit(ws, frame);
  }

  transmit(ws, frame) {
    this.lastSent = frame.data.client_id;
    ws.send(JSON.stringify(frame));
  }

  received(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    const data = message.data && typeof message.data === "object" ? message.data : {};
    this.settleFrom(message.type, data);
    this.onMessage({ type: message.type, data });
  }

  /** Drop a pending message once its turn has been answered (or refused). */
  settleFrom(type, data) {
    if (type === "transcription" && data.client_id && this.pending.has(data.client_id)) {
      this.answering = data.client_id;
    } else if (type === "response" && this.answering) {
      this.pending.delete(this.answering);
      this.answering = null;
    } else if (type === "error" && !data.message_id) {
      // The server handles one frame at a time, so an error without a message id answers the
      // turn being answered, or else the oldest frame it has not answered yet.
      const id = this.answering ?? this.pending.keys().next().value;
      this.answering = null;
      if (id === undefined) return;
      const wait = Number(data.retry_after);
      if (Number.isFinite(wait) && wait > 0) this.retryLater(id, wait);
      else this.pending.delete(id);
    }
  }

  /** Send a refused frame again after ``seconds`` (it stays pending meanwhile). */
  retryLater(clientId, seconds) {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      const frame = this.pending.get(clientId);
      if (frame && this.ready && !this.stopped) this.transmit(this.ws, frame);
    }, seconds * 1000);
    this.retryTimers.add(timer);
  }

  closed(ws, event) {
    if (this.ws !== ws) return;
    this.ws = null;
    this.ready = false;
    if (this.stopped) {
      this.onStatus("closed", 0);
      return;
    }
    if (event.code === NOT_LOGGED_IN) {
      // Not logged in any more: retrying cannot help until the learner logs in again.
      this.stopped = true;
      this.onStatus("closed", 0, "You are logged out: log in again to continue.");
      this.onLoggedOut();
      return;
    }
    if (event.code === MESSAGE_TOO_BIG && this.lastSent !== null && this.pending.has(this.lastSent)) {
      // Sending that frame again would be refused again, after every reconnect.
      this.pending.delete(this.lastSent);
      this.onMessage({ type: "error", data: { message: "That message was too big for the server; it was not sent." } });
    }
    this.reconnects += 1;
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, MAX_DELAY_MS);
    this.onStatus("reconnecting", Math.round(wait / 1000));
    this.timer = setTimeout(() => this.connect(), wait);
  }

  /** Send a learner message (text or audio) with a fresh client_id; queued while disconnected. */
  sendTurn(type, data) {
    const clientId = data.client_id ?? newClientId();
    const frame = { type, data: { ...data, client_id: clientId } };
    this.pending.set(clientId, frame);
    if (this.ready) this.transmit(this.ws, frame);
    return clientId;
  }

  /** Forget a queued message (the learner gave up on it). */
  forget(clientId) {
    this.pending.delete(clientId);
  }

  /** Close on purpose: tell the server to stop, and never reconnect. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ type: "control", data: { command: "stop" } }));
    } else if (ws) {
      ws.close(1000);
    } else {
      this.onStatus("closed", 0);
    }
  }

  /** Drop the connection as a network failure would (for tests and the console); it reconnects. */
  drop() {
    this.ws?.close(4000, "dropped by the page");
  }
}

function socketUrl(sessionId) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws/conversation/${encodeURIComponent(sessionId)}`;
}
