"""Text for the offline renderer: fonts, word wrapping, fitting a prompt into a box, and labels.

Fonts come from Pillow itself (``ImageFont.load_default(size=...)``, a scalable font since Pillow
10.1), so nothing is downloaded or looked up on the system. That font covers Latin scripts; glyphs
it lacks are drawn as boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

LABEL = "Framecast offline render"
ELLIPSIS = "…"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Rgba = tuple[int, int, int, int]


@lru_cache(maxsize=64)
def font(size: int) -> Font:
    """Pillow's bundled scalable font at ``size`` pixels."""
    return ImageFont.load_default(size=max(6, size))


def text_width(text: str, face: Font) -> float:
    return float(face.getlength(text))


def wrap(text: str, face: Font, max_width: float) -> list[str]:
    """Greedy word wrap to ``max_width`` pixels; words longer than a line are broken by characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, face) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            for char in word:
                if current and text_width(current + char, face) > max_width:
                    lines.append(current)
                    current = ""
                current += char
        if current or not lines:
            lines.append(current)
    return [line for line in lines if line] or [""]


@dataclass(frozen=True)
class TextBlock:
    """Wrapped lines at one font size, with the line pitch to draw them at."""

    lines: tuple[str, ...]
    face: Font
    size: int
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def fit_text(text: str, max_width: int, max_height: int, *, largest: int, smallest: int) -> TextBlock:
    """The largest font size (``largest`` down to ``smallest``) at which ``text`` fits the box.

    When even ``smallest`` is too large, the lines that fit are kept and the last ends with "…".
    """
    clean = " ".join(text.split())
    size = largest
    while True:
        face = font(size)
        line_height = round(size * 1.28)
        lines = wrap(clean, face, max_width)
        if len(lines) * line_height <= max_height or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    room = max(1, max_height // line_height)
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = _with_ellipsis(lines[-1], face, max_width)
    return TextBlock(tuple(lines), face, size, line_height)


def _with_ellipsis(line: str, face: Font, max_width: float) -> str:
    while line and text_width(line + ELLIPSIS, face) > max_width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def draw_block(
    layer: Image.Image,
    block: TextBlock,
    origin: tuple[int, int],
    *,
    fill: Rgba,
    align_centre_width: int | None = None,
    shadow: bool = True,
) -> None:
    """Draw ``block`` on an RGBA ``layer`` from ``origin``; centre lines in ``align_centre_width`` if given.

    The soft shadow keeps light text legible over the lighter parts of a gradient or photo.
    """
    x0, y0 = origin

    def positions() -> list[tuple[tuple[float, float], str]]:
        placed: list[tuple[tuple[float, float], str]] = []
        for index, line in enumerate(block.lines):
            x = float(x0)
            if align_centre_width is not None:
                x += (align_centre_width - text_width(line, block.face)) / 2
            placed.append(((x, float(y0 + index * block.line_height)), line))
        return placed

    if shadow:
        shade = Image.new("RGBA", layer.size, (0, 0, 0, 0))
        pen = ImageDraw.Draw(shade)
        offset = max(1, block.size // 18)
        for (x, y), line in positions():
            pen.text((x + offset, y + offset), line, font=block.face, fill=(0, 0, 0, 150))
        shade = shade.filter(ImageFilter.GaussianBlur(max(1.0, block.size / 10)))
        layer.alpha_composite(shade)
    pen = ImageDraw.Draw(layer)
    for (x, y), line in positions():
        pen.text((x, y), line, font=block.face, fill=fill)


def label_patch(
    short_side: int, *, text: str = LABEL, accent: tuple[int, int, int] = (255, 255, 255)
) -> Image.Image:
    """A small translucent pill reading ``text`` with an accent dot, as an RGBA image."""
    size = max(8, round(short_side * 0.026))
    face = font(size)
    pad_x, pad_y = round(size * 0.8), round(size * 0.45)
    dot = round(size * 0.55)
    width = round(text_width(text, face)) + 2 * pad_x + dot + pad_x // 2
    height = size + 2 * pad_y
    patch = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    pen = ImageDraw.Draw(patch)
    pen.rounded_rectangle((0, 0, width - 1, height - 1), radius=height // 2, fill=(10, 12, 20, 140))
    dot_y = (height - dot) // 2
    pen.ellipse((pad_x, dot_y, pad_x + dot, dot_y + dot), fill=(*accent, 235))
    pen.text((pad_x + dot + pad_x // 2, height / 2), text, font=face, fill=(240, 242, 248, 230), anchor="lm")
    return patch
