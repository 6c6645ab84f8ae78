// The one way pages talk to the server: same-origin fetch with the CSRF token, JSON in and out, and
// the server's error shape {"error": {type, message, details}} turned into an ApiError.

import { fill, h } from "./dom.js";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiError extends Error {
  constructor(status, type, message, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.details = details;
  }
}

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

/** "/api/jobs" plus ``query``; empty values (null, undefined, "") are left out. */
export function apiUrl(path, query = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === "") continue;
    url.searchParams.set(name, String(value));
  }
  return url.pathname + url.search;
}

/**
 * Call the API and return the decoded JSON (null for 204).
 * Options: method, json (a value sent as JSON), form (FormData sent as multipart), query, signal.
 * Throws ApiError carrying the server's message when the answer is not 2xx, or when the server
 * cannot be reached (status 0).
 */
export async function api(path, { method = "GET", json, form, query, signal } = {}) {
  const headers = { Accept: "application/json" };
  const upper = method.toUpperCase();
  if (UNSAFE.has(upper)) headers["X-CSRF-Token"] = csrfToken();
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(apiUrl(path, query), {
      method: upper,
      headers,
      body,
      signal,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "Cannot reach the Framecast server. Check that it is running.");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = data && typeof data === "object" ? data.error : null;
    if (error && typeof error.message === "string") {
      throw new ApiError(response.status, error.type ?? "error", error.message, error.details ?? {});
    }
    const reason = response.status === 413 ? "the upload is too large" : response.statusText;
    throw new ApiError(response.status, "http_error", `${response.status} ${reason}`.trim());
  }
  return data;
}

/** Show ``error`` in ``target`` (an element with class "error"); a logged-out user gets a link. */
export function showError(target, error) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ApiError && error.status === 401) {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    fill(target, "Your session has ended. ", h("a", { href: `/login?next=${next}` }, "Log in again"), ".");
  } else {
    fill(target, message);
  }
  target.hidden = false;
}

export function clearError(target) {
  target.replaceChildren();
  target.hidden = true;
}

// States of work the server does in the background (a batch's ZIP, a history import) that are over.
const SETTLED = new Set(["succeeded", "failed", "none"]);

/**
 * Follow background work: GET ``url`` every ``everyMs`` until the answer's ``state`` is settled
 * (succeeded, failed, or none), handing each answer to ``onUpdate``; resolves with the last one.
 * ``first`` is an answer already in hand (the POST that started the work). Network errors are
 * tried again; another error rejects.
 */
export async function followWork(url, { first = null, everyMs = 1000, onUpdate = () => {} } = {}) {
  const pause = () => new Promise((resolve) => setTimeout(resolve, everyMs));
  let answer = first;
  for (;;) {
    if (answer !== null) {
      onUpdate(answer);
      if (SETTLED.has(answer.state)) return answer;
      await pause();
    }
    try {
      answer = await api(url);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 0) throw error;
      if (answer === null) await pause();
    }
  }
}
