"""The bytes GenAIPro v1 puts on the wire: SSE events, completion payloads, history rows, error bodies.

The observed form (report §3.2) is ``event:NAME\\ndata:PAYLOAD\\n\\n`` — no space after the colon,
bare status words, a JSON *array* of items for video completion and a JSON *object* for images.
Within what clients have been seen to meet, each request varies harmlessly (:class:`WireStyle`), so a
client tested against the emulator is tolerant by construction.

The word for success is not one of those variations: it depends on the endpoint, as in the
reference's examples (report §3.1) — ``completed`` for text-to-video and create-image,
``MEDIA_GENERATION_STATUS_SUCCESSFUL`` for frames- and ingredients-to-video (:func:`success_word`).
A completed history row says the same word as its generation's completion.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from framecast.emulators.genaipro.state import HistoryRecord, ItemStatus
from framecast.providers.base import Mode

SUCCESS_PLAIN = "completed"
SUCCESS_FLOW = "MEDIA_GENERATION_STATUS_SUCCESSFUL"
VIETNAM = timezone(timedelta(hours=7))

VIDEO_STATUS_EVENT = "video_generation_status"
VIDEO_COMPLETE_EVENT = "video_generation_complete"
IMAGE_STATUS_EVENT = "image_generation_status"
IMAGE_COMPLETE_EVENT = "image_generation_complete"
ERROR_EVENT = "error"

RECAPTCHA_ERROR = {"code": 403, "error": "Failed to pass reCAPTCHA evaluation, please try again"}
MAINTENANCE_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>GenAIPro - Maintenance</title></head>
<body>
<h1>We'll be back soon</h1>
<p>GenAIPro is currently under maintenance. Please try again in 15-30 minutes.</p>
</body>
</html>
"""


@dataclass(frozen=True)
class WireStyle:
    """How one response spells things; every variant has been seen from the real service."""

    spaced: bool = False  # "data: x" instead of "data:x" (and "event: " likewise)
    quoted: bool = False  # status as a JSON string ("processing") instead of a bare word
    percentages: bool = False  # progress as {"status": ..., "process_percentage": n}
    tz: tzinfo = UTC  # timestamps with "Z", or "+07:00"

    @classmethod
    def draw(cls, rng: random.Random) -> WireStyle:
        """A style drawn from ``rng``; each trait departs from the canonical form with a fixed chance."""
        return cls(
            spaced=rng.random() < 0.25,
            quoted=rng.random() < 0.25,
            percentages=rng.random() < 0.25,
            tz=VIETNAM if rng.random() < 0.5 else UTC,
        )


CANONICAL = WireStyle()


def success_word(mode: Mode) -> str:
    """The status word of a successful ``mode`` generation, in its completion and its history rows."""
    return SUCCESS_FLOW if mode in (Mode.FRAMES, Mode.INGREDIENTS) else SUCCESS_PLAIN


def event(name: str, data: str, style: WireStyle) -> bytes:
    """One SSE event block."""
    sep = ": " if style.spaced else ":"
    return f"event{sep}{name}\ndata{sep}{data}\n\n".encode()


def status_data(status: str, percent: int | None, style: WireStyle) -> str:
    """The data of a status event in this style."""
    if style.percentages and percent is not None:
        return compact_json({"status": status, "process_percentage": percent})
    return json.dumps(status) if style.quoted else status


def malformed_events(name: str, style: WireStyle) -> bytes:
    """A ``name`` event whose data is cut-off JSON, then a line with no colon at all."""
    return event(name, '{"status": "proc', style) + b"this line has no colon\n\n"


def format_time(moment: datetime) -> str:
    """ISO 8601 to the second, ``Z`` for UTC, ``+07:00`` style otherwise."""
    text = moment.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if moment.utcoffset() == timedelta(0) else text


def file_url(root_url: str, name: str) -> str:
    return f"{root_url.rstrip('/')}/files/{name}"


def video_completion(
    records: list[HistoryRecord], root_url: str, *, with_status: bool = True, with_url: bool = True
) -> str:
    """``video_generation_complete`` data: a JSON array, one item per video."""
    items: list[dict[str, Any]] = []
    for record in records:
        item: dict[str, Any] = {"id": record.id, "prompt": record.prompt}
        if with_url:
            item["file_url"] = file_url(root_url, record.file_names[0])
        if with_status:
            item["status"] = success_word(record.mode)
        item["created_at"] = format_time(record.created_at)
        items.append(item)
    return compact_json(items)


def image_completion(
    record: HistoryRecord, root_url: str, *, with_status: bool = True, with_url: bool = True
) -> str:
    """``image_generation_complete`` data: one JSON object carrying every image's URL."""
    item: dict[str, Any] = {"id": record.id, "prompt": record.prompt}
    if with_url:
        item["file_urls"] = [file_url(root_url, name) for name in record.file_names]
    if with_status:
        item["status"] = success_word(record.mode)
    item["created_at"] = format_time(record.created_at)
    return compact_json(item)


def history_item(record: HistoryRecord, root_url: str) -> dict[str, Any]:
    """One row of ``GET /veo/histories``; files appear only once completed.

    ``status`` is :func:`success_word` once completed, else ``processing`` or ``failed`` (with
    ``error`` saying why).
    """
    done = record.status is ItemStatus.COMPLETED
    urls = [file_url(root_url, name) for name in record.file_names] if done else []
    return {
        "id": record.id,
        "prompt": record.prompt,
        "file_urls": urls,
        "file_url": urls[0] if urls else None,
        "status": success_word(record.mode) if done else record.status.value,
        "created_at": format_time(record.created_at),
        "error": record.error,
    }


def error_body(message: str, code: int | None = None) -> dict[str, Any]:
    return {"error": message} if code is None else {"error": message, "code": code}


def compact_json(value: Any) -> str:
    # Compact separators: the real service writes JSON without spaces.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
