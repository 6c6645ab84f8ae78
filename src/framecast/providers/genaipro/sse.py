"""GenAIPro's Server-Sent Events: a tolerant byte-level decoder and the meaning of each event.

The decoder follows the WHATWG event-stream rules where GenAIPro does and bends them where it does not:

* ``event:`` / ``data:`` are accepted with or without one space after the colon (the server writes
  ``event:NAME`` with no space);
* lines end with CR, LF or CRLF, and a CRLF split across two chunks is still one line end;
* lines starting with ``:`` are comments; multi-line data is joined with ``\\n``; a blank line
  dispatches; the event name resets after each dispatch; an event without data is not dispatched;
* unlike the spec, a final event that is not followed by a blank line *is* dispatched at end of
  stream, because servers omit it and dropping a completion would cost a paid generation.

:func:`interpret` turns one decoded event into a :data:`GenAIProMessage`. Nothing here does I/O.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from framecast.providers.base import HistoryStatus, MediaItem

DEFAULT_EVENT = "message"
_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched event: its name (``message`` when none was given) and its data."""

    event: str
    data: str


class SSEDecoder:
    """Incremental decoder: feed raw byte chunks, get the events completed so far.

    Call :meth:`close` once the stream has ended to get a final event that lacked its blank line.
    """

    def __init__(self) -> None:
        # Invalid UTF-8 is replaced rather than raised: one bad byte must not lose a completion.
        self._text = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._pending_cr = False
        self._started = False
        self._event = ""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode ``chunk`` and return every event it completed."""
        return self._feed_text(self._text.decode(chunk))

    def close(self) -> list[SSEEvent]:
        """Flush the end of the stream, dispatching a trailing event that had no blank line."""
        events = self._feed_text(self._text.decode(b"", final=True))
        if self._buffer:
            line, self._buffer = self._buffer, ""
            event = self._process_line(line)
            if event is not None:
                events.append(event)
        final = self._dispatch()
        if final is not None:
            events.append(final)
        return events

    def _feed_text(self, text: str) -> list[SSEEvent]:
        if not text:
            return []
        if not self._started:
            self._started = True
            text = text.removeprefix("\ufeff")
        if self._pending_cr:
            self._pending_cr = False
            text = text.removeprefix("\n")
        events: list[SSEEvent] = []
        buffer = self._buffer + text
        start = 0
        for match in _LINE_END.finditer(buffer):
            event = self._process_line(buffer[start : match.start()])
            if event is not None:
                events.append(event)
            start = match.end()
        # A CR at the very end may be the first half of a CRLF split across chunks.
        self._pending_cr = start == len(buffer) and buffer.endswith("\r")
        self._buffer = buffer[start:]
        return events

    def _process_line(self, line: str) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon:
            value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        # ``id`` and ``retry`` mean nothing to a POST stream that cannot be resumed; others are unknown.
        return None

    def _dispatch(self) -> SSEEvent | None:
        event: SSEEvent | None = None
        if self._data:
            event = SSEEvent(self._event or DEFAULT_EVENT, "\n".join(self._data))
        self._event = ""
        self._data = []
        return event


def decode_events(chunks: Iterable[bytes]) -> Iterator[SSEEvent]:
    """Every event in a finite sequence of byte chunks, including a trailing one without blank line."""
    decoder = SSEDecoder()
    for chunk in chunks:
        yield from decoder.feed(chunk)
    yield from decoder.close()


# --- What an event means -----------------------------------------------------------------------

_FLOW_PREFIX = "media_generation_status_"
_COMPLETED_WORDS = frozenset({"completed", "complete", "successful", "success", "succeeded", "done"})
_FAILED_WORDS = frozenset({"failed", "failure", "error"})
_PROCESSING_WORDS = frozenset({"pending", "active", "queued"})


def normalise_status(word: str) -> str:
    """A status word in GenAIPro's plain spelling.

    ``MEDIA_GENERATION_STATUS_SUCCESSFUL`` -> ``completed``, ``..._FAILED`` -> ``failed``,
    ``..._PENDING|ACTIVE|QUEUED`` -> ``processing``; anything else is lower-cased and kept.
    """
    text = word.strip().lower()
    flow = text.startswith(_FLOW_PREFIX)
    text = text.removeprefix(_FLOW_PREFIX)
    if text in _COMPLETED_WORDS:
        return "completed"
    if text in _FAILED_WORDS:
        return "failed"
    if flow or text in _PROCESSING_WORDS:
        return "processing"
    return text


def history_status(word: str | None) -> HistoryStatus:
    """The neutral status of a history row; unknown or missing words count as still processing."""
    plain = normalise_status(word or "")
    if plain == "completed":
        return HistoryStatus.COMPLETED
    if plain in {"failed", "cancelled", "canceled"}:
        return HistoryStatus.FAILED
    return HistoryStatus.PROCESSING


def parse_timestamp(value: object) -> datetime | None:
    """An ISO-8601 time (``Z`` or ``+07:00``); a time without zone is taken as UTC; junk gives None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def file_urls_of(payload: dict[str, Any]) -> tuple[str, ...]:
    """URLs from ``file_url`` (a string) and/or ``file_urls`` (an array), in order, without repeats."""
    found: list[str] = []
    single = payload.get("file_url")
    if isinstance(single, str) and single.strip():
        found.append(single.strip())
    many = payload.get("file_urls")
    if isinstance(many, str):
        many = [many]
    if isinstance(many, list):
        found.extend(url.strip() for url in many if isinstance(url, str) and url.strip())
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class CompletedItem:
    """One history object from a completion event; ``file_urls`` may hold several images."""

    id: str | None
    prompt: str | None = None
    file_urls: tuple[str, ...] = ()
    created_at: datetime | None = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> CompletedItem:
        raw_id = payload.get("id")
        prompt = payload.get("prompt")
        return cls(
            id=str(raw_id) if raw_id not in (None, "") else None,
            prompt=prompt if isinstance(prompt, str) else None,
            file_urls=file_urls_of(payload),
            created_at=parse_timestamp(payload.get("created_at")),
        )

    def media_items(self) -> list[MediaItem]:
        return [
            MediaItem(provider_id=self.id, url=url, prompt=self.prompt, created_at=self.created_at)
            for url in self.file_urls
        ]


@dataclass(frozen=True)
class Status:
    """A progress report: the plain status word and, when sent, the percentage done."""

    word: str
    percent: int | None = None
    provider_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completed:
    """The terminal success event. Items may still lack URLs; the caller decides what that means."""

    items: tuple[CompletedItem, ...] = ()

    @property
    def provider_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.id for item in self.items if item.id))


@dataclass(frozen=True)
class Failed:
    """The terminal failure event: the server's message and its code (a number when numeric)."""

    message: str
    code: int | str | None = None


@dataclass(frozen=True)
class Malformed:
    """Data that looked like JSON but did not decode; log it and keep reading."""

    raw: str
    reason: str = field(default="undecodable JSON")


GenAIProMessage = Status | Completed | Failed | Malformed


def interpret(event: SSEEvent) -> GenAIProMessage:
    """What one GenAIPro event means; never raises.

    Error events (``error``, ``generation_error``, any name ending in ``error``) are :class:`Failed`.
    A completion is an event whose name contains ``complete``, an array, or an object whose status
    is completed or that carries ``file_url``/``file_urls``. A status of failed is :class:`Failed`.
    """
    name = event.event.strip().lower()
    text = event.data.strip()
    decoded, malformed = _decode(text)
    if name.endswith("error"):
        return _failure(decoded if not malformed else text)
    if malformed:
        return Malformed(event.data)
    if isinstance(decoded, list):
        return _from_list(decoded)
    if isinstance(decoded, dict):
        return _from_object(decoded, completion_event="complete" in name)
    word = str(decoded).strip() if decoded is not None else ""
    if "complete" in name:
        if word.startswith(("http://", "https://")):
            return Completed((CompletedItem(id=None, file_urls=(word,)),))
        return Completed()
    if not word:
        return Malformed(event.data, reason="empty data")
    if normalise_status(word) == "failed":
        return Failed("the generation failed")
    return Status(normalise_status(word))


def _decode(text: str) -> tuple[Any, bool]:
    """(value, malformed): JSON when it looks like JSON, else the bare text."""
    if not text:
        return "", False
    if text[0] in '{["':
        try:
            return json.loads(text), False
        except ValueError:
            return None, True
    try:
        value = json.loads(text)
    except ValueError:
        return text, False
    # Bare numbers and literals are status words, not structures.
    return (text if not isinstance(value, str) else value), False


def _from_list(values: list[Any]) -> GenAIProMessage:
    objects = [value for value in values if isinstance(value, dict)]
    if objects and all(history_status(_status_word(obj)) is HistoryStatus.FAILED for obj in objects):
        first = objects[0]
        return Failed(_message_of(first) or "the generation failed", _code_of(first))
    items: list[CompletedItem] = []
    for value in values:
        if isinstance(value, dict):
            items.append(CompletedItem.from_payload(value))
        elif isinstance(value, str) and value.strip():
            items.append(CompletedItem(id=None, file_urls=(value.strip(),)))
    return Completed(tuple(items))


def _from_object(payload: dict[str, Any], *, completion_event: bool) -> GenAIProMessage:
    word = _status_word(payload)
    plain = normalise_status(word) if word else ""
    urls = file_urls_of(payload)
    # An error text alone fails the generation only when no status says otherwise: a "processing"
    # object that mentions a retried upstream error must not trigger a (paid) resubmit.
    if plain == "failed" or (payload.get("error") and not urls and not plain):
        return Failed(_message_of(payload) or "the generation failed", _code_of(payload))
    if completion_event or plain == "completed" or urls:
        return Completed((CompletedItem.from_payload(payload),))
    raw_id = payload.get("id")
    ids = (str(raw_id),) if raw_id not in (None, "") else ()
    return Status(plain or "processing", _percent(payload.get("process_percentage")), ids)


def _failure(payload: Any) -> Failed:
    if isinstance(payload, dict):
        return Failed(_message_of(payload) or "unknown error", _code_of(payload))
    text = str(payload).strip() if payload is not None else ""
    return Failed(text or "unknown error")


def _status_word(payload: dict[str, Any]) -> str:
    value = payload.get("status")
    return value if isinstance(value, str) else ""


def _message_of(payload: dict[str, Any]) -> str:
    for key in ("error", "message", "detail"):
        value = payload.get(key)
        if isinstance(value, dict):
            nested = _message_of(value)
            if nested:
                return nested
        elif isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _code_of(payload: dict[str, Any]) -> int | str | None:
    value = payload.get("code")
    if value is None and isinstance(payload.get("error"), dict):
        value = payload["error"].get("code")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    return text or None


def _percent(value: object) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return None
    return max(0, min(100, round(number)))
