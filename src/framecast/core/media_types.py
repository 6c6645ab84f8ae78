"""Image formats Framecast accepts, told apart by their first bytes (never by file name)."""

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
