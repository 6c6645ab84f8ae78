"""Poster frames: one still JPEG per video, made once when the video lands, shown before it plays.

Pages show a poster instead of asking the browser to fetch the start of every video in a list (a
library page of 24 clips would otherwise open 24 video streams). A poster is the frame about
:data:`POSTER_AT_S` into the clip (the first frame of a shorter one), scaled to at most
:data:`MAX_WIDTH` pixels wide, written atomically. The video is opened as MP4 only, from a local
file only: FFmpeg never guesses the container nor follows a URL.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import av
import cv2
import numpy as np

from framecast.core.files import write_bytes_atomically

log = logging.getLogger(__name__)

POSTER_AT_S = 0.5
MAX_WIDTH = 640
JPEG_QUALITY = 82


def poster_path(posters_dir: Path, video: Path) -> Path:
    """Where the poster of ``video`` goes: a name derived from the video's path, so that every
    video has its own and making it again replaces it."""
    digest = hashlib.sha256(str(video.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return posters_dir / f"{digest}.jpg"


def make_poster(video: Path, dest: Path) -> Path | None:
    """Write the poster of ``video`` to ``dest`` and return ``dest``; None (and a log line) when the
    video cannot be read: a missing poster only means the page shows the video's own first frame."""
    try:
        frame = _frame_near(video, POSTER_AT_S)
    except (av.FFmpegError, OSError, ValueError) as exc:
        log.warning("no poster for %s: %s", video, exc)
        return None
    if frame is None:
        log.warning("no poster for %s: it has no video frame", video)
        return None
    height, width = frame.shape[:2]
    if width > MAX_WIDTH:
        scale = MAX_WIDTH / width
        frame = cv2.resize(frame, (MAX_WIDTH, max(2, round(height * scale))), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        log.warning("no poster for %s: the JPEG encoder refused the frame", video)
        return None
    write_bytes_atomically(dest, encoded.tobytes())
    return dest


def _frame_near(video: Path, seconds: float) -> np.ndarray | None:
    """The BGR frame at about ``seconds`` (the last one before it ends, for a shorter clip)."""
    with av.open(str(video), mode="r", format="mp4", options={"protocol_whitelist": "file"}) as container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        chosen: np.ndarray | None = None
        for frame in container.decode(stream):
            chosen = frame.to_ndarray(format="bgr24")
            if frame.time is not None and frame.time >= seconds:
                break
        return chosen
