// Settings: preferences, the password, and per provider the user's own key (store, check, delete)
// with live quota.

import { api, clearError, showError } from "./api.js";
import { $, $all, labelOf, toast } from "./dom.js";
import { balanceMayHaveChanged, formatNumber } from "./money.js";

const QUOTA_REFRESH_MS = 60000;

// ---- Preferences --------------------------------------------------------------------------------

const prefs = $("#preferences-form");
const prefsError = $('[data-testid="preferences-error"]');

prefs.addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = (name) => prefs.elements.namedItem(name);
  const concurrency = Number(field("concurrency").value);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50) {
    showError(prefsError, `${labelOf(field("concurrency"))}: a whole number from 1 to 50`);
    return;
  }
  try {
    await api("/api/account/preferences", {
      method: "PUT",
      json: { default_provider: field("default_provider").value, aspect: field("aspect").value, concurrency },
    });
    clearError(prefsError);
    toast("Preferences saved", "success");
    balanceMayHaveChanged(); // the header shows the default provider's balance
  } catch (error) {
    showError(prefsError, error);
  }
});

// ---- Password -----------------------------------------------------------------------------------

const passwordForm = $("#password-form");
const passwordError = $('[data-testid="password-error"]');
const passwordOk = $('[data-testid="password-ok"]');

passwordForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = (name) => passwordForm.elements.namedItem(name);
  passwordOk.hidden = true;
  const payload = {
    current_password: field("current_password").value,
    new_password: field("new_password").value,
    new_password_confirm: field("new_password_confirm").value,
  };
  for (const name of Object.keys(payload)) {
    if (!payload[name]) {
      showError(passwordError, `${labelOf(field(name))}: fill it in`);
      field(name).focus();
      return;
    }
  }
  if (payload.new_password !== payload.new_password_confirm) {
    showError(passwordError, `${labelOf(field("new_password_confirm"))}: the two passwords differ; type the same one twice`);
    return;
  }
  try {
    const result = await api("/api/account/password", { method: "POST", json: payload });
    clearError(passwordError);
    passwordForm.reset();
    const count = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    passwordOk.textContent =
      result.ended_sessions + result.revoked_tokens > 0
        ? `Password changed. Ended elsewhere: ${count(result.ended_sessions, "session")}, ${count(result.revoked_tokens, "API token")}.`
        : "Password changed.";
    passwordOk.hidden = false;
  } catch (error) {
    showError(passwordError, error);
    const bad = error.details?.field ? field(error.details.field) : null;
    bad?.focus?.();
  }
});

// ---- Keys and quota -----------------------------------------------------------------------------

function show(value) {
  return value === null || value === undefined ? "–" : formatNumber(value);
}

function keyCard(card, storedKeys) {
  const provider = card.dataset.provider;
  const form = $(".key-form", card);
  const input = $('[data-testid="key-input"]', card);
  const errorBox = $('[data-testid="key-error"]', card);
  const okBox = $('[data-testid="key-ok"]', card);
  const status = $('[data-testid="key-status"]', card);
  const note = $('[data-testid="quota-note"]', card);
  const deleteButton = $('[data-testid="delete-key"]', card);

  const setStored = (info) => {
    status.textContent = info ? `your key${info.hint ? ` …${info.hint}` : ""}` : "no key of yours";
    status.className = `badge ${info ? "state-succeeded" : ""}`;
    deleteButton.hidden = !info;
  };

  const showQuota = (quota) => {
    $('[data-testid="quota-available"]', card).textContent = show(quota?.available);
    $('[data-testid="quota-used"]', card).textContent = show(quota?.used);
    $('[data-testid="quota-total"]', card).textContent = show(quota?.total);
  };

  const refreshQuota = async () => {
    try {
      const quota = await api("/api/quota", { query: { provider } });
      showQuota(quota);
      note.textContent = `Quota read ${new Date().toLocaleTimeString()}.`;
    } catch (error) {
      showQuota(null);
      note.textContent = `Quota unavailable: ${error.message}`;
    }
  };

  const done = (message) => {
    clearError(errorBox);
    okBox.textContent = message;
    okBox.hidden = false;
  };

  const failed = (error) => {
    okBox.hidden = true;
    showError(errorBox, error);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) {
      failed(`${labelOf(input)}: paste the key; it is empty`);
      return;
    }
    try {
      const info = await api(`/api/account/keys/${provider}`, { method: "PUT", json: { api_key: input.value } });
      input.value = "";
      setStored(info);
      done("Key saved.");
      refreshQuota();
      balanceMayHaveChanged();
    } catch (error) {
      failed(error);
    }
  });

  $('[data-testid="check-key"]', card).addEventListener("click", async () => {
    // The key just pasted is checked before it is saved; with nothing pasted, the stored one.
    const pasted = input.value.trim();
    try {
      const result = await api(`/api/account/keys/${provider}/check`, {
        method: "POST",
        json: pasted ? { api_key: pasted } : {},
      });
      showQuota(result.quota);
      const whose = {
        pasted: "The pasted key works (not saved yet: press Save key to keep it)",
        own: "Your stored key works",
        platform: "The platform key works",
      }[result.key];
      done(`${whose}: ${show(result.quota.available)} credits available.`);
    } catch (error) {
      failed(error);
    }
  });

  deleteButton.addEventListener("click", async () => {
    if (!window.confirm("Delete your stored key? The platform key, if any, is used instead.")) return;
    try {
      await api(`/api/account/keys/${provider}`, { method: "DELETE" });
      setStored(null);
      done("Key deleted.");
      refreshQuota();
      balanceMayHaveChanged();
    } catch (error) {
      failed(error);
    }
  });

  setStored(storedKeys.find((key) => key.provider === provider));
  refreshQuota();
  setInterval(() => {
    if (document.visibilityState === "visible") refreshQuota();
  }, QUOTA_REFRESH_MS);
}

async function init() {
  const cards = $all('[data-testid="key-card"]');
  if (!cards.length) return;
  let stored = [];
  try {
    stored = await api("/api/account/keys");
  } catch (error) {
    toast(error.message, "error");
  }
  for (const card of cards) keyCard(card, stored);
}

init();
