// Administrators: list users, disable or promote them, create one, or make an invitation link.

import { api, clearError, showError } from "./api.js";
import { $, fill, formatTime, h, toast } from "./dom.js";

const me = Number($("#admin-script").dataset.me);
const tableBody = $('[data-testid="users-table"] tbody');
const listError = $('[data-testid="users-error"]');

async function change(user, patch, message) {
  try {
    await api(`/api/users/${user.id}`, { method: "PATCH", json: patch });
    toast(message, "success");
    load();
  } catch (error) {
    toast(error.message, "error");
  }
}

function row(user) {
  const self = user.id === me;
  return h(
    "tr",
    { dataset: { testid: "user-row", email: user.email } },
    h("td", {}, user.name, self ? h("span", { class: "muted small" }, " (you)") : null),
    h("td", { class: "mono small" }, user.email),
    h("td", {}, user.is_admin ? h("span", { class: "badge state-running" }, "admin") : "user"),
    h("td", {}, user.disabled ? h("span", { class: "badge state-failed" }, "disabled") : h("span", { class: "badge state-succeeded" }, "active")),
    h("td", { class: "small muted" }, formatTime(user.created_at)),
    h(
      "td",
      { class: "actions" },
      self
        ? null
        : [
            h(
              "button",
              {
                type: "button",
                class: "small",
                onclick: () => change(user, { is_admin: !user.is_admin }, `${user.name} is ${user.is_admin ? "no longer" : "now"} an administrator`),
              },
              user.is_admin ? "Make user" : "Make admin",
            ),
            " ",
            h(
              "button",
              {
                type: "button",
                class: `small ${user.disabled ? "" : "danger"}`,
                onclick: () => change(user, { disabled: !user.disabled }, `${user.name} ${user.disabled ? "enabled" : "disabled"}`),
              },
              user.disabled ? "Enable" : "Disable",
            ),
          ],
    ),
  );
}

async function load() {
  try {
    const users = await api("/api/users");
    fill(tableBody, users.map(row));
    clearError(listError);
  } catch (error) {
    showError(listError, error);
  }
}

function field(form, name) {
  return form.elements.namedItem(name);
}

function values(form) {
  return {
    name: field(form, "name").value.trim(),
    email: field(form, "email").value.trim(),
    is_admin: field(form, "is_admin").checked,
  };
}

const inviteForm = $("#invite-form");
inviteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const errorBox = $('[data-testid="invite-error"]');
  const payload = values(inviteForm);
  if (!payload.name || !payload.email) {
    showError(errorBox, "Give the name and the email of the person to invite.");
    return;
  }
  try {
    const invite = await api("/api/users/invites", { method: "POST", json: payload });
    clearError(errorBox);
    $('[data-testid="invite-url"]').value = invite.invite_url;
    $('[data-testid="invite-result"]').hidden = false;
    const expiry = $('[data-testid="invite-expiry"]');
    expiry.textContent = `The link works once, until ${formatTime(invite.expires_at)}.`;
    expiry.hidden = false;
  } catch (error) {
    showError(errorBox, error);
  }
});

$('[data-testid="copy-invite"]').addEventListener("click", async () => {
  const field = $('[data-testid="invite-url"]');
  try {
    await navigator.clipboard.writeText(field.value);
    toast("Link copied", "success");
  } catch {
    field.select(); // no clipboard access (plain HTTP): leave it selected for Ctrl+C
  }
});

const createForm = $("#create-form");
createForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const errorBox = $('[data-testid="create-error"]');
  const payload = { ...values(createForm), password: field(createForm, "password").value };
  try {
    const user = await api("/api/users", { method: "POST", json: payload });
    clearError(errorBox);
    createForm.reset();
    toast(`${user.name} can now log in`, "success");
    load();
  } catch (error) {
    showError(errorBox, error);
  }
});

load();
