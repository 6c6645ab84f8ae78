// Live job updates over Server-Sent Events (GET /api/events).
//
// On every (re)connection the server first sends a `snapshot` of all matching jobs, then a `job`
// event for every change. Pages render from the snapshot and patch from the events, so a reload, a
// second tab or a dropped connection all re-attach to the same progress: the server owns the work.

const MAX_BACKOFF_MS = 30000;
// A job first seen already ended counts as "just ended" when it finished this recently.
const JUST_ENDED_MS = 60000;
const ACTIVE = new Set(["blocked", "queued", "running", "reconciling", "paused"]);
const ENDED = new Set(["succeeded", "failed", "cancelled"]);
const lastState = new Map(); // job id -> the state this tab last saw

/** Tell the page (balance chip, tab title, notifications) when a job it watched has just ended. */
function noticeEnding(job) {
  const before = lastState.get(job.id);
  lastState.set(job.id, job.state);
  if (!ENDED.has(job.state) || ENDED.has(before ?? "")) return;
  const finished = Date.parse(job.finished_at ?? "");
  const recent = Number.isFinite(finished) && Date.now() - finished < JUST_ENDED_MS;
  if (ACTIVE.has(before ?? "") || (before === undefined && recent)) {
    window.dispatchEvent(new CustomEvent("framecast:job-ended", { detail: job }));
  }
}

// Counters a test (or a curious user in the console) can read: window.framecastEvents.
const stats = { connected: false, snapshots: 0, jobEvents: 0, reconnects: 0 };
window.framecastEvents = stats;

function jobsOf(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.jobs)) return data.jobs;
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

/**
 * Follow jobs: all of the user's, or one job (jobId), or one batch (batchId).
 * onSnapshot(jobs) runs on every connection, onJob(job) on every change, onStatus(state) with
 * "connecting", "live" or "reconnecting". Returns {close()}.
 */
export function watchJobs({ jobId, batchId, onSnapshot, onJob, onStatus } = {}) {
  const url = new URL("/api/events", window.location.origin);
  if (jobId) url.searchParams.set("job_id", String(jobId));
  if (batchId) url.searchParams.set("batch_id", String(batchId));
  let source = null;
  let closed = false;
  let backoff = 1000;
  let timer = null;

  const status = (state) => {
    stats.connected = state === "live";
    onStatus?.(state);
  };

  function connect() {
    status("connecting");
    source = new EventSource(url.pathname + url.search);
    source.addEventListener("snapshot", (event) => {
      backoff = 1000;
      stats.snapshots += 1;
      status("live");
      const jobs = jobsOf(parse(event));
      for (const job of jobs) {
        // A job that ended while the stream was down still ends here; others are only remembered.
        if (lastState.has(job.id)) noticeEnding(job);
        else lastState.set(job.id, job.state);
      }
      onSnapshot?.(jobs);
    });
    source.addEventListener("job", (event) => {
      const job = parse(event);
      if (!job) return;
      stats.jobEvents += 1;
      const current = job.job ?? job;
      noticeEnding(current);
      onJob?.(current);
    });
    source.addEventListener("error", () => {
      if (closed) return;
      status("reconnecting");
      // The browser retries a dropped stream by itself; a refused one (CLOSED) is retried here.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        stats.reconnects += 1;
        timer = setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    });
  }

  function close() {
    closed = true;
    clearTimeout(timer);
    source?.close();
  }

  window.addEventListener("pagehide", close);
  // A page restored from the back/forward cache comes back with its stream closed: reopen it.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && closed) {
      closed = false;
      connect();
    }
  });
  connect();
  return { close };
}

/** Show the connection state in ``element`` (class "live"): its data-state drives the dot colour. */
export function liveIndicator(element) {
  const words = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" };
  return (state) => {
    if (!element) return;
    element.dataset.state = state;
    element.textContent = words[state] ?? state;
  };
}
