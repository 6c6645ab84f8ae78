"""An H.264 MP4 writer over PyAV that browsers play progressively, with an optional AAC sound track.

The file is H.264 (libx264) in yuv420p at a constant frame rate, with the ``moov`` box moved to the
front (``movflags=+faststart``) so Chromium and Firefox start playing before the whole file arrives.
Frames are encoded as they come, so a clip never sits in memory. The MP4 is written to a hidden
temporary file next to ``dest`` and renamed over it only once complete: a crash or an error never
leaves a truncated file under the final name.
"""

from __future__ import annotations

import os
import queue
import threading
import uuid
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeVar, cast

import av
import cv2
import numpy as np
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream
from av.video.reformatter import ColorPrimaries, ColorRange, ColorTrc
from numpy.typing import NDArray

from framecast.providers.offline.camera import Frame

DEFAULT_CRF = 23
DEFAULT_PRESET = "veryfast"

# FFmpeg's AVColorSpace value for BT.601 (PyAV's Colorspace enum holds swscale's numbering instead).
AVCOL_SPC_SMPTE170M = 6

T = TypeVar("T")


class H264Writer:
    """Write RGB (or BGR, ``channels="bgr"``) frames one by one to an MP4; use as a context manager.

    ``width`` and ``height`` must be even (a yuv420p requirement); :meth:`write` raises ``ValueError``
    for a frame of another shape. With ``audio_rate``, the file also gets a mono AAC track fed by
    :meth:`write_audio` (interleave it with the frames so the muxer never buffers much). Leaving the
    ``with`` block normally publishes ``dest``; leaving it with an exception deletes the temporary
    file and leaves ``dest`` untouched.
    """

    def __init__(
        self,
        dest: Path,
        width: int,
        height: int,
        fps: int,
        *,
        crf: int = DEFAULT_CRF,
        preset: str = DEFAULT_PRESET,
        channels: Literal["rgb", "bgr"] = "rgb",
        audio_rate: int | None = None,
        audio_bit_rate: int = 64_000,
    ) -> None:
        if width % 2 or height % 2 or width <= 0 or height <= 0:
            raise ValueError(f"H.264 in yuv420p needs positive even dimensions, got {width}x{height}")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.dest = dest
        self.width = width
        self.height = height
        self.fps = fps
        self.frames_written = 0
        self.samples_written = 0
        self._crf = crf
        self._preset = preset
        self._channels = channels
        self._to_yuv = cv2.COLOR_RGB2YUV_I420 if channels == "rgb" else cv2.COLOR_BGR2YUV_I420
        self._audio_rate = audio_rate
        self._audio_bit_rate = audio_bit_rate
        self._temp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")
        self._container: av.container.OutputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._sound: AudioStream | None = None
        self._resampler: AudioResampler | None = None

    def __enter__(self) -> H264Writer:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self._temp), mode="w", format="mp4", options={"movflags": "+faststart"})
        try:
            stream = container.add_stream("libx264", rate=self.fps)
            stream.width = self.width
            stream.height = self.height
            stream.pix_fmt = "yuv420p"
            stream.options = {"crf": str(self._crf), "preset": self._preset}
            # Frames are converted with OpenCV's BT.601 limited-range matrix; say so, or players guess.
            context = stream.codec_context
            context.colorspace = AVCOL_SPC_SMPTE170M
            context.color_range = int(ColorRange.MPEG)
            context.color_primaries = int(ColorPrimaries.BT709)
            context.color_trc = int(ColorTrc.BT709)
            if self._audio_rate is not None:
                sound = container.add_stream("aac", rate=self._audio_rate)
                if not isinstance(sound, AudioStream):  # pragma: no cover - aac is an audio codec
                    raise TypeError("the aac encoder gave no audio stream")
                sound.layout = "mono"
                sound.bit_rate = self._audio_bit_rate
                self._sound = sound
                self._resampler = AudioResampler(format="fltp", layout="mono", rate=self._audio_rate)
        except BaseException:
            container.close()
            self._temp.unlink(missing_ok=True)
            raise
        self._container = container
        self._stream = stream
        return self

    def write(self, frame: Frame) -> None:
        """Encode one RGB (or BGR) ``(height, width, 3)`` uint8 frame."""
        if self._container is None or self._stream is None:
            raise RuntimeError("H264Writer.write() called outside its with-block")
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(
                f"expected a {self.width}x{self.height} {self._channels.upper()} uint8 frame, "
                f"got shape {frame.shape} {frame.dtype}"
            )
        # OpenCV's I420 conversion is faster than letting swscale convert inside PyAV.
        yuv = np.asarray(cv2.cvtColor(np.ascontiguousarray(frame), self._to_yuv), dtype=np.uint8)
        video_frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        video_frame.pts = self.frames_written
        self._container.mux(self._stream.encode(video_frame))
        self.frames_written += 1

    def write_audio(self, samples: NDArray[np.int16]) -> None:
        """Encode the next mono 16-bit samples (at ``audio_rate``) of the sound track."""
        if self._container is None or self._sound is None or self._resampler is None:
            raise RuntimeError("H264Writer.write_audio() needs audio_rate and its with-block")
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = cast(int, self._audio_rate)
        frame.pts = self.samples_written
        frame.time_base = Fraction(1, cast(int, self._audio_rate))
        for converted in self._resampler.resample(frame):
            self._container.mux(self._sound.encode(converted))
        self.samples_written += len(samples)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        container, stream, sound, resampler = self._container, self._stream, self._sound, self._resampler
        self._container = self._stream = None
        self._sound = self._resampler = None
        if container is None or stream is None:
            return
        if exc_type is not None:
            container.close()
            self._temp.unlink(missing_ok=True)
            return
        try:
            if self.frames_written == 0:
                raise ValueError(f"no frames were written to {self.dest}")
            container.mux(stream.encode(None))
            if sound is not None and resampler is not None:
                for chunk in resampler.resample(None):
                    container.mux(sound.encode(chunk))
                container.mux(sound.encode(None))
            container.close()
            _fsync(self._temp)
            os.replace(self._temp, self.dest)
        except BaseException:
            container.close()
            self._temp.unlink(missing_ok=True)
            raise


def write_mp4(
    frames: Iterable[Frame],
    dest: Path,
    *,
    width: int,
    height: int,
    fps: int,
    crf: int = DEFAULT_CRF,
    preset: str = DEFAULT_PRESET,
) -> Path:
    """Encode ``frames`` (consumed lazily) into ``dest`` and return ``dest``.

    The frames are produced on a helper thread while this one encodes, so drawing and encoding
    overlap (both release the GIL in their native code). Whatever ``frames`` raises is re-raised
    here; so is ``ValueError`` for odd dimensions, a frame of the wrong shape, or no frames at all.
    ``dest`` is only created once the whole file is written.
    """
    with H264Writer(dest, width, height, fps, crf=crf, preset=preset) as writer:
        for frame in prefetch(frames):
            writer.write(frame)
    return dest


_DONE = object()


def prefetch(items: Iterable[T], depth: int = 4) -> Iterator[T]:
    """Iterate ``items`` on a helper thread, keeping up to ``depth`` of them ready.

    An exception raised by ``items`` is re-raised by this iterator. Closing this iterator early
    (e.g. the consumer failed) stops the helper thread after the item it is producing.
    """
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
        except BaseException as error:  # handed to the consumer, which re-raises it
            offer(_Failure(error))
            return
        offer(_DONE)

    producer = threading.Thread(target=produce, name="framecast-frames", daemon=True)
    producer.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        producer.join()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _fsync(path: Path) -> None:
    """Flush the finished file to disk before the rename makes it visible."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
