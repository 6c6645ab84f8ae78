// Administrators: list users, disable or promote them, make them teachers or learners, give one a
// password reset link, create one, make an invitation link, and list or revoke pending invitations.

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
    loadInvites(); // disabling or demoting an admin revokes their invitations
  } catch (error) {
    toast(error.message, "error");
  }
}

/** A link the server answered: absolute when it knows its public address, else a path on this site. */
function fullLink(link) {
  return new URL(link, window.location.origin).href;
}

async function copyFrom(field) {
  try {
    await navigator.clipboard.writeText(field.value);
    toast("Link copied", "success");
  } catch {
    field.select(); // no clipboard access (plain HTTP): leave it selected for Ctrl+C
  }
}

async function resetLink(user) {
  try {
    const reset = await api(`/api/users/${user.id}/reset-link`, { method: "POST" });
    $('[data-testid="reset-url"]').value = fullLink(reset.reset_url);
    $('[data-testid="reset-for"]').textContent =
      `For ${user.name} (${user.email}): they open it and choose a new password. An earlier link for them stops working.`;
    $('[data-testid="reset-expiry"]').textContent = `The link works once, until ${formatTime(reset.expires_at)}.`;
    const result = $('[data-testid="reset-result"]');
    result.hidden = false;
    result.scrollIntoView({ block: "nearest" });
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
    h(
      "td",
      { dataset: { testid: "user-role" } },
      user.is_admin ? [h("span", { class: "badge state-running" }, "admin"), " "] : null,
      user.role,
    ),
    h("td", {}, user.disabled ? h("span", { class: "badge state-failed" }, "disabled") : h("span", { class: "badge state-succeeded" }, "active")),
    h("td", { class: "small muted" }, formatTime(user.created_at)),
    h(
      "td",
      { class: "actions" },
      // A teacher creates classes and sees their learners' progress (/classes).
      h(
        "button",
        {
          type: "button",
          class: "small",
          dataset: { testid: "toggle-teacher" },
          onclick: () => {
            const role = user.role === "teacher" ? "learner" : "teacher";
            change(user, { role }, `${user.name} is now a ${role}`);
          },
        },
        user.role === "teacher" ? "Make learner" : "Make teacher",
      ),
      " ",
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
            " ",
            h(
              "button",
              {
                type: "button",
                class: "small",
                dataset: { testid: "reset-link" },
                disabled: user.disabled,
                title: user.disabled ? "Enable the account first" : "A one-time link to set a new password",
                onclick: () => resetLink(user),
              },
              "Reset link",
            ),
          ],
    ),
  );
}

// ---- Pending invitations -------------------------------------------------------------------------

const invitesBody = $('[data-testid="invites-table"] tbody');
const invitesError = $('[data-testid="invites-error"]');
const invitesEmpty = $('[data-testid="invites-empty"]');

async function revoke(invite) {
  if (!window.confirm(`Revoke the invitation of ${invite.name}? The link stops working.`)) return;
  try {
    await api(`/api/users/invites/${invite.id}`, { method: "DELETE" });
    toast(`Invitation of ${invite.name} revoked`, "success");
  } catch (error) {
    toast(error.message, "error");
  }
  loadInvites();
}

function inviteRow(invite) {
  return h(
    "tr",
    { dataset: { testid: "invite-row", email: invite.email } },
    h("td", {}, invite.name),
    h("td", { class: "mono small" }, invite.email),
    h("td", {}, invite.is_admin ? h("span", { class: "badge state-running" }, "admin") : "user"),
    h("td", { class: "small" }, invite.invited_by_name),
    h("td", { class: "small muted" }, formatTime(invite.expires_at)),
    h(
      "td",
      { class: "actions" },
      h("button", { type: "button", class: "small danger", dataset: { testid: "revoke-invite" }, onclick: () => revoke(invite) }, "Revoke"),
    ),
  );
}

async function loadInvites() {
  try {
    const invites = await api("/api/users/invites");
    fill(invitesBody, invites.map(inviteRow));
    invitesEmpty.hidden = invites.length > 0;
    clearError(invitesError);
  } catch (error) {
    showError(invitesError, error);
  }
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
    $('[data-testid="invite-url"]').value = fullLink(invite.invite_url);
    $('[data-testid="invite-result"]').hidden = false;
    const expiry = $('[data-testid="invite-expiry"]');
    expiry.textContent = `The link works once, until ${formatTime(invite.expires_at)}.`;
    expiry.hidden = false;
    loadInvites();
  } catch (error) {
    showError(errorBox, error);
  }
});

$('[data-testid="copy-invite"]').addEventListener("click", () => copyFrom($('[data-testid="invite-url"]')));
$('[data-testid="copy-reset"]').addEventListener("click", () => copyFrom($('[data-testid="reset-url"]')));

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
loadInvites();
