from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from framecast.core.errors import InvalidInputError
from framecast.providers.base import AvatarRenderer, SpeechAudio
from framecast.providers.offline.audio import decode_to_pcm, pcm_to_wav
from framecast.providers.offline.avatar import (
    AUDIO_RATE,
    BLINK_SHAPE,
    FIRST_BLINK_S,
    TAIL_FRAMES,
    OfflineAvatarRenderer,
    blink_closures,
    locate_mouth,
    mouth_openings,
)
from framecast.providers.offline.portrait import default_portrait, default_portrait_png, mouth_box
from framecast.providers.offline.tts import speak_pcm

SENTENCE = "Hello! I am your English tutor. Shall we practise ordering food?"


@dataclass(frozen=True)
class Clip:
    video_codec: str
    pix_fmt: str
    size: tuple[int, int]
    fps: float
    audio_codec: str
    duration_s: float
    frames: list[NDArray[np.uint8]]  # BGR


def open_clip(path: Path) -> Clip:
    with av.open(str(path)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert container.duration is not None
        assert video.average_rate is not None
        frames = [frame.to_ndarray(format="bgr24") for frame in container.decode(video=0)]
        return Clip(
            video_codec=video.codec_context.name,
            pix_fmt=str(video.codec_context.pix_fmt),
            size=(video.codec_context.width, video.codec_context.height),
            fps=float(video.average_rate),
            audio_codec=audio.codec_context.name,
            duration_s=container.duration / 1_000_000,
            frames=frames,
        )


def dark_pixels(frame: NDArray[np.uint8]) -> int:
    """Pixels as dark as the inside of an open mouth, in the mouth of a 512 frame."""
    box = mouth_box(512)
    y0, y1 = box.center_y - box.max_half_open - 4, box.center_y + box.max_half_open + 4
    x0, x1 = box.center_x - box.half_width, box.center_x + box.half_width
    grey = cv2.cvtColor(frame[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    return int((grey < 55).sum())


def lip_pixels(frame: NDArray[np.uint8]) -> int:
    """Pixels as red as the lips (and far redder than the skin), in the mouth of a 512 frame."""
    region = mouth_region(frame)
    return int((region[..., 2] - region[..., 1] > 70).sum())


def mouth_region(frame: NDArray[np.uint8]) -> NDArray[np.float32]:
    box = mouth_box(512)
    y0, y1 = box.center_y - box.max_half_open - 4, box.center_y + box.max_half_open + 4
    x0, x1 = box.center_x - box.half_width, box.center_x + box.half_width
    return frame[y0:y1, x0:x1].astype(np.float32)


def seconds_of(speech: SpeechAudio) -> float:
    return len(decode_to_pcm(speech.data, sample_rate=AUDIO_RATE)) / 2 / AUDIO_RATE


@pytest.fixture(scope="module")
def speech() -> SpeechAudio:
    pcm, rate = speak_pcm(SENTENCE, voice="en-us+f2")
    return SpeechAudio(data=pcm_to_wav(pcm, rate), mime="audio/wav", sample_rate=rate)


@pytest.fixture(scope="module")
def silence() -> SpeechAudio:
    return SpeechAudio(data=pcm_to_wav(bytes(2 * 16_000 * 2), 16_000), mime="audio/wav", sample_rate=16_000)


@pytest.fixture(scope="module")
def talking(speech: SpeechAudio, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default tutor speaking ``SENTENCE``."""
    item = OfflineAvatarRenderer().render_sync(speech, None, tmp_path_factory.mktemp("talking"))
    assert item.path is not None
    return item.path


@pytest.fixture(scope="module")
def talking_clip(talking: Path) -> Clip:
    return open_clip(talking)


def test_the_renderer_satisfies_the_avatar_protocol() -> None:
    assert isinstance(OfflineAvatarRenderer(), AvatarRenderer)
    assert OfflineAvatarRenderer.name == "offline"


def test_the_video_is_h264_with_the_speech_as_aac(talking_clip: Clip, speech: SpeechAudio) -> None:
    assert talking_clip.video_codec == "h264"
    assert talking_clip.pix_fmt == "yuv420p"
    assert talking_clip.size == (512, 512)
    assert talking_clip.fps == 25
    assert talking_clip.audio_codec == "aac"
    assert talking_clip.duration_s == pytest.approx(seconds_of(speech), abs=0.3)
    assert len(talking_clip.frames) == pytest.approx(seconds_of(speech) * 25 + TAIL_FRAMES, abs=2)


def test_the_moov_box_comes_first_so_browsers_play_while_loading(talking: Path) -> None:
    data = talking.read_bytes()

    assert 0 <= data.find(b"moov") < data.find(b"mdat")


def test_the_mouth_opens_and_closes_with_the_speech(talking_clip: Clip) -> None:
    darkness = [dark_pixels(frame) for frame in talking_clip.frames]
    loudest = int(np.argmax(darkness))
    quietest = int(np.argmin(darkness))

    assert darkness[0] == 0  # espeak starts with a moment of silence
    assert darkness[-1] == 0  # and the tail frames close the mouth
    assert max(darkness) > 300
    # The mouth moves with the syllables, not only at the ends (measured: ~40 such steps).
    assert sum(1 for a, b in itertools.pairwise(darkness) if abs(a - b) > 80) >= 15
    # ... and shuts in the pauses between the sentences.
    speaking = darkness[darkness.index(next(d for d in darkness if d)) : -TAIL_FRAMES]
    assert speaking.count(0) >= 3
    difference = np.abs(
        mouth_region(talking_clip.frames[loudest]) - mouth_region(talking_clip.frames[quietest])
    )
    assert difference.mean() > 25


async def test_silence_gives_a_closed_still_mouth(silence: SpeechAudio, tmp_path: Path) -> None:
    item = await OfflineAvatarRenderer().render(silence, portrait=None, dest_dir=tmp_path)
    assert item.path is not None
    clip = open_clip(item.path)

    assert clip.duration_s == pytest.approx(2.0, abs=0.3)
    assert all(dark_pixels(frame) == 0 for frame in clip.frames)
    # The lips keep their closed shape; only the slow idle sway of the head moves them a little.
    lips = [lip_pixels(frame) for frame in clip.frames]
    assert min(lips) > 0.85 * max(lips) > 0


async def test_the_default_tutor_blinks(talking_clip: Clip) -> None:
    def whites(frame: NDArray[np.uint8]) -> int:
        return int((frame[215:245, 190:330].min(axis=2) > 235).sum())

    blink = round(FIRST_BLINK_S * 25) + 1
    assert whites(talking_clip.frames[blink]) < whites(talking_clip.frames[blink - 5]) / 4


async def test_rendering_the_same_message_again_returns_the_same_file(
    speech: SpeechAudio, tmp_path: Path
) -> None:
    renderer = OfflineAvatarRenderer(size=128)
    first = await renderer.render(speech, portrait=None, dest_dir=tmp_path / "out")
    assert first.path is not None
    stamp = first.path.stat().st_mtime_ns

    again = await renderer.render(speech, portrait=None, dest_dir=tmp_path / "out")

    assert again == first
    assert first.provider_id is not None
    assert first.path.name.startswith("avatar-")
    assert first.path.stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "out").iterdir()] == [first.path.name]  # no temporary file left


async def test_other_speech_or_another_portrait_gives_another_file(
    speech: SpeechAudio, silence: SpeechAudio, tmp_path: Path
) -> None:
    renderer = OfflineAvatarRenderer(size=128)
    portrait = default_portrait_png(tmp_path / "me.png", size=128)

    spoken = await renderer.render(speech, portrait=None, dest_dir=tmp_path / "out")
    silent = await renderer.render(silence, portrait=None, dest_dir=tmp_path / "out")
    mine = await renderer.render(speech, portrait=portrait, dest_dir=tmp_path / "out")

    assert len({spoken.path, silent.path, mine.path}) == 3


async def test_audio_that_does_not_decode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="audio could not be decoded"):
        await OfflineAvatarRenderer().render(
            SpeechAudio(data=b"definitely not audio", mime="audio/wav"),
            portrait=None,
            dest_dir=tmp_path / "out",
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", [b"", b"not a picture", b"\x89PNG\r\n\x1a\n broken"])
async def test_a_portrait_that_is_not_an_image_is_refused(
    content: bytes, speech: SpeechAudio, tmp_path: Path
) -> None:
    portrait = tmp_path / "portrait.png"
    portrait.write_bytes(content)

    with pytest.raises(InvalidInputError, match="portrait could not be read"):
        await OfflineAvatarRenderer().render(speech, portrait=portrait, dest_dir=tmp_path / "out")


async def test_a_missing_portrait_is_refused(speech: SpeechAudio, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="does not exist"):
        await OfflineAvatarRenderer().render(speech, portrait=tmp_path / "nobody.jpg", dest_dir=tmp_path)


async def test_a_user_portrait_talks_at_its_mouth(speech: SpeechAudio, tmp_path: Path) -> None:
    # A JPEG of the default face with a wider backdrop: it is centre-cropped back to a square.
    face = default_portrait(512)
    wide = cv2.copyMakeBorder(face, 0, 0, 100, 100, cv2.BORDER_REPLICATE)
    portrait = tmp_path / "learner.jpg"
    assert cv2.imwrite(str(portrait), wide, [cv2.IMWRITE_JPEG_QUALITY, 95])

    item = await OfflineAvatarRenderer().render(speech, portrait=portrait, dest_dir=tmp_path / "out")
    assert item.path is not None
    clip = open_clip(item.path)

    darkness = [dark_pixels(frame) for frame in clip.frames]
    # The portrait's own closed mouth may have a few dark pixels after JPEG compression.
    assert darkness[0] <= 10
    assert darkness[-1] <= 10
    assert max(darkness) > 300
    # While quiet, the portrait keeps its own (closed) mouth.
    assert np.abs(mouth_region(clip.frames[0]) - mouth_region(face)).mean() < 8


def test_without_a_face_the_mouth_goes_where_the_default_portrait_has_it() -> None:
    ys = np.linspace(40, 220, 512, dtype=np.float32)[:, None, None]
    gradient = np.broadcast_to(ys, (512, 512, 3)).astype(np.uint8)

    assert locate_mouth(gradient) == mouth_box(512)


def test_mouth_openings_follow_the_loudness() -> None:
    rate, fps = 24_000, 25
    t = np.arange(rate) / rate
    tone = (0.5 * 32767 * np.sin(2 * np.pi * 220 * t)).astype(np.int16)
    samples = np.concatenate([np.zeros(rate // 2, np.int16), tone, np.zeros(rate // 2, np.int16)])

    openings = mouth_openings(samples, rate, fps)

    assert len(openings) == 2 * fps + TAIL_FRAMES
    assert openings[: fps // 2 - 1].max() == 0.0
    assert openings[fps // 2 + 3 : fps + fps // 2 - 1].min() > 0.9
    assert openings[-TAIL_FRAMES:].max() < 0.05  # released after the sound stops
    assert np.all(np.diff(openings[fps // 2 : fps // 2 + 4]) > 0)  # a quick attack, not a jump
    assert mouth_openings(np.zeros(rate, np.int16), rate, fps).max() == 0.0


def test_blinks_come_on_a_fixed_rhythm() -> None:
    closures = blink_closures(250, 25)

    start = round(FIRST_BLINK_S * 25)
    assert closures[:start].max() == 0.0
    assert tuple(closures[start : start + len(BLINK_SHAPE)]) == pytest.approx(BLINK_SHAPE)
    assert 2 <= int((closures == 1.0).sum()) // 2 <= 4  # every few seconds over 10 s
    assert np.array_equal(closures, blink_closures(250, 25))


def test_odd_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="even"):
        OfflineAvatarRenderer(size=511)
