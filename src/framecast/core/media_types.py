"""Image and audio formats Framecast accepts, told apart by their first bytes (never by file name)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageType:
    name: str  # PNG | JPEG | WEBP
    mime: str
    extension: str  # with the dot


PNG = ImageType("PNG", "image/png", ".png")
JPEG = ImageType("JPEG", "image/jpeg", ".jpg")
WEBP = ImageType("WEBP", "image/webp", ".webp")

# Bytes a caller should read to tell every accepted format apart.
SNIFF_BYTES = 12


def sniff_image(head: bytes) -> ImageType | None:
    """The image type whose signature ``head`` starts with; None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


@dataclass(frozen=True)
class AudioType:
    name: str  # WEBM | OGG | WAV | MP4 | MP3
    mime: str
    extension: str  # with the dot


WEBM_AUDIO = AudioType("WEBM", "audio/webm", ".webm")
OGG_AUDIO = AudioType("OGG", "audio/ogg", ".ogg")
WAV = AudioType("WAV", "audio/wav", ".wav")
MP4_AUDIO = AudioType("MP4", "audio/mp4", ".m4a")
MP3 = AudioType("MP3", "audio/mpeg", ".mp3")
AUDIO_TYPES = (WEBM_AUDIO, OGG_AUDIO, WAV, MP4_AUDIO, MP3)


def sniff_audio(head: bytes) -> AudioType | None:
    """The audio container whose signature ``head`` starts with (what browsers record, and the
    speech Framecast makes); None for anything else."""
    if head.startswith(b"\x1aE\xdf\xa3"):
        return WEBM_AUDIO
    if head.startswith(b"OggS"):
        return OGG_AUDIO
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        return MP4_AUDIO
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return MP3
    return None


def audio_type_of(name: str) -> AudioType | None:
    """The audio type of a file name's extension or of a MIME type; None when not one of ours."""
    lowered = name.lower()
    return next((t for t in AUDIO_TYPES if lowered.endswith(t.extension) or lowered == t.mime), None)
