// When work ends: the tab title says so until the tab is looked at again, and, if the user allowed
// it, a browser notification tells them. Solo jobs alert on their own; a batch alerts once, when its
// last item ends (batch.js sends "framecast:batch-ended"), not once per item.

import { $ } from "./dom.js";

const baseTitle = document.title;
const button = $('[data-testid="notify-toggle"]');
const supported = "Notification" in window;

function markTitle(text) {
  document.title = `${text} · ${baseTitle}`;
}

function clearTitleWhenSeen() {
  if (document.visibilityState === "visible" && document.hasFocus()) document.title = baseTitle;
}

function notify(title, body, tag) {
  if (!supported || Notification.permission !== "granted") return;
  try {
    const note = new Notification(title, { body, tag });
    note.onclick = () => window.focus();
  } catch {
    // Some browsers only allow notifications from a service worker; the title still says it.
  }
}

const WORDS = { succeeded: "✓", failed: "✗", cancelled: "–" };

window.addEventListener("framecast:job-ended", (event) => {
  const job = event.detail;
  if (!job || job.batch_id) return;
  const mark = WORDS[job.state] ?? "";
  markTitle(`${mark} Job #${job.id} ${job.state}`);
  notify(`Job #${job.id} ${job.state}`, job.prompt ?? "", `job-${job.id}`);
});

window.addEventListener("framecast:batch-ended", (event) => {
  const batch = event.detail;
  if (!batch) return;
  const counts = batch.counts ?? {};
  const failed = (counts.failed ?? 0) + (counts.cancelled ?? 0);
  const summary = `${counts.succeeded ?? 0} succeeded${failed ? `, ${failed} failed or cancelled` : ""}`;
  markTitle(`${failed ? "✗" : "✓"} Batch #${batch.id} finished`);
  notify(`Batch #${batch.id} finished`, summary, `batch-${batch.id}`);
});

window.addEventListener("focus", clearTitleWhenSeen);
document.addEventListener("visibilitychange", clearTitleWhenSeen);
// Looking is not enough when the tab already had focus: the next touch of the page reads it.
document.addEventListener("pointerdown", clearTitleWhenSeen);

function showButton() {
  if (!button) return;
  button.hidden = !supported || Notification.permission !== "default";
}

button?.addEventListener("click", async () => {
  try {
    await Notification.requestPermission();
  } finally {
    showButton();
  }
});
showButton();
