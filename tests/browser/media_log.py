"""A record of everything the page plays, for the browser tests of the tutor's voice.

``MEDIA_LOG`` is an init script: every ``<audio>`` and ``<video>`` the page plays (the avatar video
from the start) is watched, and each of its play, playing, pause, ended, volumechange, timeupdate
and seeked events adds an entry to ``window.__media`` with the state of every watched element at
that moment — so the order in which two elements' events arrive does not matter. A recording that
starts (``MediaRecorder.start``) adds an entry of type ``record``.

An element is *audible* while it plays (not paused, not ended), unmuted, with some volume; one that
has been asked to play but is still loading counts already, which makes the checks stricter.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

MEDIA_LOG = """(() => {
  const tracked = [];
  const log = [];
  window.__media = log;
  const audible = (el) => !el.paused && !el.ended && !el.muted && el.volume > 0;
  const state = (el) => ({
    el: tracked.indexOf(el),
    tag: el.tagName.toLowerCase(),
    message: el.dataset.messageId || "",
    audible: audible(el),
    playing: !el.paused && !el.ended,
    muted: el.muted,
    time: el.currentTime,
  });
  const record = (type, el) => log.push({ type, ...(el ? state(el) : {}), all: tracked.map(state) });
  const track = (el) => {
    if (tracked.includes(el)) return;
    tracked.push(el);
    for (const type of ["play", "playing", "pause", "ended", "volumechange", "timeupdate", "seeked"]) {
      el.addEventListener(type, () => record(type, el));
    }
  };
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    track(this);
    return play.call(this);
  };
  if (window.MediaRecorder) {
    const start = MediaRecorder.prototype.start;
    MediaRecorder.prototype.start = function (...args) {
      record("record", null);
      return start.apply(this, args);
    };
  }
  const watchAll = () => document.querySelectorAll("audio, video").forEach(track);
  document.addEventListener("DOMContentLoaded", watchAll);
})();"""

Entry = dict[str, Any]


def media_log(page: Page) -> list[Entry]:
    entries: list[Entry] = page.evaluate("() => window.__media")
    return entries


def audible_at_once(log: list[Entry]) -> list[Entry]:
    """The entries at which more than one element could be heard."""
    return [e for e in log if sum(1 for s in e["all"] if s["audible"]) > 1]


def starts(log: list[Entry], message: str) -> int:
    """How many times the sentence of ``message`` became audible from its beginning, over every
    element that speaks it (its speech clips and the avatar video)."""
    count = 0
    was: dict[int, bool] = {}
    for entry in log:
        for element in entry["all"]:
            heard = element["audible"]
            if (
                heard
                and not was.get(element["el"])
                and element["message"] == message
                and element["time"] < 0.5
            ):
                count += 1
            was[element["el"]] = heard
    return count


def heard(log: list[Entry], message: str, tag: str) -> bool:
    """Whether an element ``tag`` ("audio" or "video") was ever audible speaking ``message``."""
    return any(s["audible"] and s["message"] == message and s["tag"] == tag for e in log for s in e["all"])


def ended(message: str) -> str:
    """A page function: whether the speech of ``message`` has played to its end."""
    return (
        "() => window.__media.some((e) => e.type === 'ended' && e.tag === 'audio' "
        f"&& e.message === {message!r})"
    )


def finished(message: str) -> str:
    """A page function: whether something speaking ``message`` (its speech or its video) has ended."""
    return f"() => window.__media.some((e) => e.type === 'ended' && e.message === {message!r})"


def happened(event: str, tag: str, message: str, *, times: int = 1) -> str:
    """A page function: whether an element ``tag`` speaking ``message`` fired ``event`` ``times``."""
    match = f"e.type === {event!r} && e.tag === {tag!r} && e.message === {message!r}"
    return f"() => window.__media.filter((e) => {match}).length >= {times}"
