// The classes page. A teacher: their classes with the code to hand out, the learners (each a link to
// the teacher's view of them), invitations by email, and a form for a new class. A learner: joining
// by code, the teachers' invitations, and the teachers who see their progress (and leaving).

import { api, showError, clearError } from "./api.js";
import { $, fill, formatTime, h } from "./dom.js";

const data = JSON.parse($("#classes-data").textContent);
const errorBox = $('[data-testid="classes-error"]');

/** Run an action of the page, show its error (if any) in ``box``, then draw the page again. */
async function act(work, box = errorBox) {
  try {
    await work();
    clearError(box);
  } catch (error) {
    showError(box, error);
  }
  await load();
}

// --- a teacher -------------------------------------------------------------------------------------

function learnerItem(group, learner) {
  return h(
    "li",
    { dataset: { testid: "learner", learnerId: String(learner.id) } },
    h("a", { href: `/classes/learners/${learner.id}`, dataset: { testid: "learner-link" } }, learner.name),
    " ",
    h("span", { class: "muted small" }, `${learner.email} · joined ${formatTime(learner.joined_at)}`),
    " ",
    h(
      "button",
      {
        type: "button",
        class: "small ghost",
        dataset: { testid: "remove-learner" },
        onclick: () => act(() => api(`/api/classes/${group.id}/learners/${learner.id}`, { method: "DELETE" })),
      },
      "Remove",
    ),
  );
}

function inviteItem(group, invite) {
  return h(
    "li",
    { dataset: { testid: "pending-invite" } },
    h("span", {}, invite.email),
    " ",
    h("span", { class: "muted small" }, "waiting for them to accept"),
    " ",
    h(
      "button",
      {
        type: "button",
        class: "small ghost",
        onclick: () => act(() => api(`/api/classes/${group.id}/invites/${invite.id}`, { method: "DELETE" })),
      },
      "Withdraw",
    ),
  );
}

function classCard(group) {
  const inviteError = h("p", { class: "error", role: "alert", dataset: { testid: "invite-error" }, hidden: true });
  const email = h("input", { type: "email", name: "email", required: true, dataset: { testid: "invite-email" }, "aria-label": "Learner's email" });
  const form = h(
    "form",
    {
      class: "inline-form",
      dataset: { testid: "invite-form" },
      onsubmit: (event) => {
        event.preventDefault();
        act(() => api(`/api/classes/${group.id}/invites`, { method: "POST", json: { email: email.value } }), inviteError);
      },
    },
    email,
    h("button", { type: "submit", dataset: { testid: "invite" } }, "Invite"),
  );
  return h(
    "section",
    { class: "card", dataset: { testid: "class-card", classId: String(group.id) } },
    h("h2", { dataset: { testid: "class-title" } }, group.name),
    h("p", {}, "Join code: ", h("strong", { class: "join-code", dataset: { testid: "join-code" } }, group.join_code)),
    h("h3", { class: "small muted" }, `Learners (${group.learners.length})`),
    group.learners.length
      ? h("ul", { dataset: { testid: "learners" } }, group.learners.map((learner) => learnerItem(group, learner)))
      : h("p", { class: "muted small", dataset: { testid: "no-learners" } }, "Nobody has joined yet."),
    h("h3", { class: "small muted" }, "Invite a learner by email"),
    form,
    inviteError,
    group.invites.length ? h("ul", { dataset: { testid: "pending-invites" } }, group.invites.map((invite) => inviteItem(group, invite))) : null,
    h(
      "p",
      {},
      h(
        "button",
        {
          type: "button",
          class: "small danger",
          dataset: { testid: "delete-class" },
          onclick: () => {
            if (window.confirm(`Delete the class “${group.name}”? Its learners leave it.`)) {
              act(() => api(`/api/classes/${group.id}`, { method: "DELETE" }));
            }
          },
        },
        "Delete class",
      ),
    ),
  );
}

async function loadTeacher() {
  const groups = await api("/api/classes");
  fill($('[data-testid="class-list"]'), groups.map(classCard));
  $('[data-testid="no-classes"]').hidden = groups.length > 0;
}

// --- a learner -------------------------------------------------------------------------------------

function invitationItem(invitation) {
  const box = $('[data-testid="join-error"]');
  return h(
    "li",
    { dataset: { testid: "invitation" } },
    h("span", {}, `${invitation.class_name} (${invitation.teacher_name})`),
    " ",
    h(
      "button",
      {
        type: "button",
        class: "small",
        dataset: { testid: "accept-invitation" },
        onclick: () => act(() => api(`/api/classes/invitations/${invitation.id}/accept`, { method: "POST" }), box),
      },
      "Accept",
    ),
    " ",
    h(
      "button",
      {
        type: "button",
        class: "small ghost",
        onclick: () => act(() => api(`/api/classes/invitations/${invitation.id}`, { method: "DELETE" }), box),
      },
      "Decline",
    ),
  );
}

function teacherItem(membership) {
  return h(
    "li",
    { dataset: { testid: "my-teacher", classId: String(membership.class_id) } },
    h("strong", { dataset: { testid: "teacher-name" } }, membership.teacher_name),
    " · ",
    h("span", { dataset: { testid: "joined-class" } }, membership.class_name),
    " ",
    h("span", { class: "muted small" }, `since ${formatTime(membership.joined_at)}`),
    " ",
    h(
      "button",
      {
        type: "button",
        class: "small ghost",
        dataset: { testid: "leave-class" },
        onclick: () => {
          const question = `Leave the class “${membership.class_name}”? ${membership.teacher_name} will no longer see your progress.`;
          if (window.confirm(question)) {
            act(() => api(`/api/classes/${membership.class_id}/membership`, { method: "DELETE" }));
          }
        },
      },
      "Leave",
    ),
  );
}

async function loadLearner() {
  const [joined, invited] = await Promise.all([api("/api/classes/joined"), api("/api/classes/invitations")]);
  fill($('[data-testid="my-teachers"]'), joined.map(teacherItem));
  $('[data-testid="no-teachers"]').hidden = joined.length > 0;
  fill($('[data-testid="invitations"]'), invited.map(invitationItem));
  $('[data-testid="invitations-box"]').hidden = invited.length === 0;
}

async function load() {
  try {
    await (data.is_teacher ? loadTeacher() : loadLearner());
  } catch (error) {
    showError(errorBox, error);
  }
}

if (data.is_teacher) {
  $('[data-testid="create-class-form"]').addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $('[data-testid="class-name"]');
    act(async () => {
      await api("/api/classes", { method: "POST", json: { name: name.value } });
      name.value = "";
    });
  });
} else {
  $('[data-testid="join-form"]').addEventListener("submit", (event) => {
    event.preventDefault();
    const code = $('[data-testid="class-code"]');
    act(async () => {
      await api("/api/classes/join", { method: "POST", json: { code: code.value } });
      code.value = "";
    }, $('[data-testid="join-error"]'));
  });
}
load();
