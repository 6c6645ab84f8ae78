"""The offline talking avatar: a portrait whose mouth moves with the speech, as an MP4 with sound.

Each video frame's mouth opening follows the short-time loudness of the speech (RMS in dB relative
to the clip's own speaking level, gated below ``SILENCE_DBFS``, with a quick attack and a slower
release so the lips do not flicker). The face blinks every few seconds on a fixed schedule and the
head sways and nods a little, more while it speaks. Everything is deterministic: the same speech
and portrait give the same pixels.

Where the mouth goes:

- the default portrait (``portrait=None``) is drawn by ``offline/portrait.py``, so the mouth and
  eyes are exactly known: the mouth is painted at every opening, closed included, and it blinks;
- a user portrait (JPEG/PNG, centre-cropped to a square) has its face found with OpenCV's Haar
  cascade when this OpenCV build ships one (``cv2.data.haarcascades``; the OpenCV 5 wheels do not),
  the mouth then at (0.5 w, 0.78 h) of the face box. Without a cascade, or when it finds no face,
  the portrait is taken to be framed like the default one (a centred head and shoulders) and the
  mouth goes to the default portrait's mouth position rather than refusing the picture: a learner's
  stylised avatar must still talk. A user portrait keeps its own closed mouth (nothing is painted
  while the speech is quiet) and does not blink, since its eyes are not known.

The MP4 is H.264 (yuv420p, ``moov`` first) with the speech as AAC, written to a hidden temporary
file in ``dest_dir`` and renamed into place once complete. Its name is a hash of the speech, the
portrait and the render settings, so rendering the same message twice returns the existing file.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import anyio
import cv2
import numpy as np
from numpy.typing import NDArray

from framecast.core.errors import InvalidInputError
from framecast.providers.base import MediaItem, SpeechAudio
from framecast.providers.offline.audio import decode_to_pcm
from framecast.providers.offline.encode import DEFAULT_CRF, DEFAULT_PRESET, H264Writer, prefetch
from framecast.providers.offline.portrait import (
    LIPS,
    Image,
    MouthBox,
    default_portrait,
    draw_blink,
    draw_mouth,
    mouth_box,
)

PROVIDER_NAME: Final = "offline"
# Bumped whenever the pictures change, so cached renders of an older look are not reused.
RENDER_VERSION: Final = 1
DEFAULT_SIZE: Final = 512
FPS: Final = 25
AUDIO_RATE: Final = 24_000
AUDIO_BIT_RATE: Final = 64_000
TAIL_FRAMES: Final = 3  # the mouth closes over these frames after the last sound
SILENCE_DBFS: Final = -50.0  # frames quieter than this are silence, whatever the clip's level
DYNAMIC_RANGE_DB: Final = 24.0  # from closed (this far below the speaking level) to fully open
ATTACK: Final = 0.7  # share of the way to a louder target covered in one frame
RELEASE: Final = 0.4  # ... and to a quieter one
OPEN_THRESHOLD: Final = 0.05  # below this a mouth is drawn (or left) closed
MAX_PORTRAIT_BYTES: Final = 20 * 1024 * 1024
# Seconds between blinks, cycled; the first blink comes after FIRST_BLINK_S.
BLINK_INTERVALS_S: Final = (3.4, 4.6, 2.8, 4.1, 5.2, 3.0)
FIRST_BLINK_S: Final = 1.6
BLINK_SHAPE: Final = (0.55, 1.0, 1.0, 0.5)  # lid closure over the frames of one blink

Samples = NDArray[np.float32]


@dataclass(frozen=True)
class _Face:
    """A portrait ready to animate."""

    image: Image  # BGR, size x size; the default portrait without its mouth
    mouth: MouthBox
    lips: tuple[int, int, int]
    drawn: bool  # the project's own portrait: paint the closed mouth too, and blink


class OfflineAvatarRenderer:
    """``AvatarRenderer`` drawing the talking head locally; see the module docstring."""

    name = PROVIDER_NAME

    def __init__(
        self,
        *,
        size: int = DEFAULT_SIZE,
        fps: int = FPS,
        crf: int = DEFAULT_CRF,
        preset: str = DEFAULT_PRESET,
    ) -> None:
        if size < 64 or size % 2:
            raise ValueError(f"the avatar size must be an even number of pixels >= 64, got {size}")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.size = size
        self.fps = fps
        self.crf = crf
        self.preset = preset

    async def render(self, audio: SpeechAudio, *, portrait: Path | None, dest_dir: Path) -> MediaItem:
        """The MP4 of ``portrait`` (the default tutor when None) speaking ``audio``, in ``dest_dir``.

        Runs in a worker thread. Raises ``InvalidInputError`` when the audio cannot be decoded or
        the portrait is missing or not a readable JPEG/PNG image.
        """
        return await anyio.to_thread.run_sync(self.render_sync, audio, portrait, dest_dir)

    def render_sync(self, audio: SpeechAudio, portrait: Path | None, dest_dir: Path) -> MediaItem:
        """Blocking :meth:`render`, for callers already on a worker thread."""
        portrait_bytes = _read_portrait(portrait) if portrait is not None else None
        key = self._key(audio.data, portrait_bytes)
        dest = dest_dir / f"avatar-{key[:24]}.mp4"
        if dest.is_file():
            return MediaItem(provider_id=key, path=dest)
        pcm = decode_to_pcm(audio.data, sample_rate=AUDIO_RATE)
        samples = np.frombuffer(pcm, dtype=np.int16)
        face = self._face(portrait_bytes)
        openings = mouth_openings(samples, AUDIO_RATE, self.fps)
        dest_dir.mkdir(parents=True, exist_ok=True)
        self._write(dest, face, openings, samples)
        return MediaItem(provider_id=key, path=dest)

    def _key(self, audio: bytes, portrait: bytes | None) -> str:
        digest = hashlib.sha256(f"avatar/{RENDER_VERSION}/{self.size}/{self.fps}/{self.crf}".encode())
        digest.update(hashlib.sha256(audio).digest())
        digest.update(hashlib.sha256(portrait).digest() if portrait is not None else b"default")
        return digest.hexdigest()

    def _face(self, portrait: bytes | None) -> _Face:
        if portrait is None:
            return _Face(default_portrait(self.size, mouth=False), mouth_box(self.size), LIPS, drawn=True)
        unreadable = InvalidInputError("the portrait could not be read: it must be a JPEG or PNG image")
        if not portrait:
            raise unreadable
        try:
            decoded = cv2.imdecode(np.frombuffer(portrait, dtype=np.uint8), cv2.IMREAD_COLOR)
        except cv2.error as error:
            raise unreadable from error
        if decoded is None or decoded.ndim != 3 or min(decoded.shape[:2]) < 32:
            raise unreadable
        image = _fit_square(np.asarray(decoded, dtype=np.uint8), self.size)
        mouth = locate_mouth(image)
        return _Face(image, mouth, _lip_colour(image, mouth), drawn=False)

    def _write(self, dest: Path, face: _Face, openings: Samples, samples: NDArray[np.int16]) -> None:
        size, fps = self.size, self.fps
        with H264Writer(
            dest,
            size,
            size,
            fps,
            crf=self.crf,
            preset=self.preset,
            channels="bgr",
            audio_rate=AUDIO_RATE,
            audio_bit_rate=AUDIO_BIT_RATE,
        ) as writer:
            for index, frame in enumerate(prefetch(self._frames(face, openings))):
                writer.write(frame)
                # The speech up to the end of this frame, so the muxer interleaves as it goes.
                until = min(len(samples), (index + 1) * AUDIO_RATE // fps)
                if until > writer.samples_written:
                    writer.write_audio(samples[writer.samples_written : until])

    def _frames(self, face: _Face, openings: Samples) -> Iterator[Image]:
        size, fps = self.size, self.fps
        nod = _smooth(openings, attack=0.12, release=0.05)
        blinks = blink_closures(len(openings), fps) if face.drawn else None
        scale = size / DEFAULT_SIZE
        for index, opening in enumerate(openings):
            frame = face.image.copy()
            if blinks is not None:
                draw_blink(frame, size, float(blinks[index]))
            if face.drawn or opening >= OPEN_THRESHOLD:
                draw_mouth(frame, face.mouth, float(opening), lips=face.lips)
            t = index / fps
            dx = scale * 1.2 * math.sin(2 * math.pi * 0.17 * t + 1.0)
            dy = scale * (1.5 * math.sin(2 * math.pi * 0.23 * t) + 3.0 * float(nod[index]))
            angle = 0.7 * math.sin(2 * math.pi * 0.13 * t) + 0.8 * float(nod[index])
            # Rotate about the neck so the head tilts rather than spins.
            matrix = cv2.getRotationMatrix2D((size / 2, size * 0.8), angle, 1.0)
            matrix[0, 2] += dx
            matrix[1, 2] += dy
            yield np.asarray(
                cv2.warpAffine(
                    frame, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
                ),
                dtype=np.uint8,
            )


def mouth_openings(samples: NDArray[np.int16], sample_rate: int, fps: int) -> Samples:
    """The mouth opening (0..1) of each video frame for mono 16-bit ``samples``: ``TAIL_FRAMES``
    more frames than the speech lasts, all 0 for silence."""
    hop = sample_rate / fps
    count = math.ceil(len(samples) / hop) + TAIL_FRAMES
    audio = samples.astype(np.float32) / 32768.0
    # Mean square over a one-frame window centred on each frame's middle: short enough to see
    # the dips between syllables.
    squared = np.concatenate(([0.0], np.cumsum(audio.astype(np.float64) ** 2)))
    centres = (np.arange(count) + 0.5) * hop
    start = np.clip((centres - hop / 2).astype(np.int64), 0, len(audio))
    end = np.clip((centres + hop / 2).astype(np.int64), 0, len(audio))
    width = np.maximum(end - start, 1)
    rms = np.sqrt((squared[end] - squared[start]) / width)
    level_db = 20.0 * np.log10(rms + 1e-9)
    voiced = level_db > SILENCE_DBFS
    if not voiced.any():
        return np.zeros(count, dtype=np.float32)
    speaking_db = float(np.percentile(level_db[voiced], 95))
    target = np.clip((level_db - (speaking_db - DYNAMIC_RANGE_DB)) / DYNAMIC_RANGE_DB, 0.0, 1.0)
    target = np.where(voiced, target**2, 0.0).astype(np.float32)
    openings = _smooth(target, attack=ATTACK, release=RELEASE)
    # Speech that stops on a loud sound would leave the mouth half open: close it over the tail.
    openings[-TAIL_FRAMES:] *= np.linspace(0.5, 0.0, TAIL_FRAMES, dtype=np.float32)
    return openings


def blink_closures(count: int, fps: int) -> Samples:
    """Eyelid closure (0..1) of each of ``count`` frames: a blink at a fixed rhythm."""
    closures = np.zeros(count, dtype=np.float32)
    t = FIRST_BLINK_S
    k = 0
    while True:
        first = round(t * fps)
        if first >= count:
            return closures
        for offset, closure in enumerate(BLINK_SHAPE):
            if first + offset < count:
                closures[first + offset] = closure
        t += BLINK_INTERVALS_S[k % len(BLINK_INTERVALS_S)]
        k += 1


def locate_mouth(image: Image) -> MouthBox:
    """Where to paint the mouth on a square user ``image``: below the face OpenCV finds, else
    where the default portrait has it (see the module docstring)."""
    size = image.shape[0]
    face = _detect_face(image)
    if face is None:
        return mouth_box(size)
    x, y, w, h = face
    half_width = max(2, round(w * 0.17))
    return MouthBox(
        center_x=round(x + 0.5 * w),
        center_y=round(y + 0.78 * h),
        half_width=half_width,
        max_half_open=max(2, round(half_width * 0.55)),
    )


def _detect_face(image: Image) -> tuple[int, int, int, int] | None:
    """The largest face as (x, y, w, h), or None without a face or without a Haar cascade."""
    cascade_class = getattr(cv2, "CascadeClassifier", None)
    folder = getattr(getattr(cv2, "data", None), "haarcascades", None)
    if cascade_class is None or folder is None:
        return None
    path = Path(folder) / "haarcascade_frontalface_default.xml"
    if not path.is_file():
        return None
    cascade = cascade_class(str(path))
    if cascade.empty():
        return None
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    side = image.shape[0]
    found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5, minSize=(side // 8, side // 8))
    if len(found) == 0:
        return None
    x, y, w, h = max(found, key=lambda box: int(box[2]) * int(box[3]))
    return int(x), int(y), int(w), int(h)


def _read_portrait(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_PORTRAIT_BYTES:
            raise InvalidInputError(
                f"the portrait {path.name} is larger than {MAX_PORTRAIT_BYTES // (1024 * 1024)} MB"
            )
        return path.read_bytes()
    except FileNotFoundError as error:
        raise InvalidInputError(f"the portrait {path} does not exist") from error
    except IsADirectoryError as error:
        raise InvalidInputError(f"the portrait {path} is a folder, not an image") from error


def _fit_square(image: Image, size: int) -> Image:
    """The centre square of ``image`` (its top when it is a tall picture: heads sit high), resized."""
    height, width = image.shape[:2]
    side = min(height, width)
    x0 = (width - side) // 2
    y0 = (height - side) // 4 if height > width else 0
    square = image[y0 : y0 + side, x0 : x0 + side]
    interpolation = cv2.INTER_AREA if side > size else cv2.INTER_CUBIC
    return np.ascontiguousarray(cv2.resize(square, (size, size), interpolation=interpolation), dtype=np.uint8)


def _lip_colour(image: Image, mouth: MouthBox) -> tuple[int, int, int]:
    """Lips for a user portrait: the project's lip colour toned toward the skin around the mouth."""
    y0, y1 = max(0, mouth.center_y - mouth.half_width), mouth.center_y + mouth.half_width
    x0, x1 = max(0, mouth.center_x - mouth.half_width), mouth.center_x + mouth.half_width
    region = image[y0:y1, x0:x1].reshape(-1, 3)
    skin = np.median(region, axis=0) if len(region) else np.array(LIPS, dtype=np.float64)
    tone = 0.55 * np.array(LIPS, dtype=np.float64) + 0.45 * skin * 0.8
    b, g, r = (round(float(c)) for c in np.clip(tone, 0, 255))
    return b, g, r


def _smooth(values: Samples, *, attack: float, release: float) -> Samples:
    """A one-pole follower: ``attack`` of the way up, ``release`` of the way down, per frame."""
    out = np.empty_like(values)
    level = 0.0
    for index, value in enumerate(values.tolist()):
        level += (attack if value > level else release) * (value - level)
        out[index] = level
    return out
