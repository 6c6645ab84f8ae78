"""The default tutor portrait, drawn with OpenCV, and the face parts the avatar animates on it.

The portrait is a friendly stylised face (gradient backdrop, shoulders, hair, eyes, nose, blush)
drawn at any square size from coordinates relative to that size, so it is the same picture at
every resolution and identical on every machine. Because the project draws it, the renderer knows
exactly where the mouth and the eyes are: :func:`mouth_box` and :func:`eye_boxes` give their pixel
geometry, :func:`draw_mouth` paints a mouth at any opening and :func:`draw_blink` closes the eyes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]  # BGR, (size, size, 3)
Bgr = tuple[int, int, int]

DEFAULT_SIZE: Final = 512
# Centres as fractions of the portrait's side (x, y).
MOUTH_CENTER: Final = (0.5, 0.635)
MOUTH_WIDTH: Final = 0.115  # the lips' width, as a fraction of the side
EYE_CENTERS: Final = ((0.42, 0.45), (0.58, 0.45))
EYE_AXES: Final = (0.04, 0.029)  # half width, half height of an eye's white

SKIN: Final[Bgr] = (150, 190, 236)
SKIN_SHADE: Final[Bgr] = (120, 160, 212)
HAIR: Final[Bgr] = (38, 52, 86)
HAIR_LIGHT: Final[Bgr] = (62, 84, 128)
LIPS: Final[Bgr] = (96, 98, 196)
LIPS_DARK: Final[Bgr] = (70, 70, 150)
MOUTH_INSIDE: Final[Bgr] = (40, 30, 78)
TONGUE: Final[Bgr] = (110, 110, 220)
TEETH: Final[Bgr] = (236, 240, 246)
IRIS: Final[Bgr] = (70, 90, 60)
SWEATER: Final[Bgr] = (130, 92, 46)
COLLAR: Final[Bgr] = (236, 238, 240)

_AA: Final = cv2.LINE_AA


@dataclass(frozen=True)
class MouthBox:
    """Where a mouth goes, in pixels: its centre, its lips' half width, its widest half opening."""

    center_x: int
    center_y: int
    half_width: int
    max_half_open: int


def mouth_box(size: int = DEFAULT_SIZE) -> MouthBox:
    """The mouth of :func:`default_portrait` at ``size``."""
    half_width = max(2, round(size * MOUTH_WIDTH / 2))
    return MouthBox(
        center_x=round(size * MOUTH_CENTER[0]),
        center_y=round(size * MOUTH_CENTER[1]),
        half_width=half_width,
        max_half_open=max(2, round(half_width * 0.55)),
    )


def eye_boxes(size: int = DEFAULT_SIZE) -> tuple[tuple[int, int, int, int], ...]:
    """The eyes of :func:`default_portrait` at ``size``: (centre x, centre y, half width, half height)."""
    ax, ay = max(2, round(size * EYE_AXES[0])), max(2, round(size * EYE_AXES[1]))
    return tuple((round(size * x), round(size * y), ax, ay) for x, y in EYE_CENTERS)


def default_portrait(size: int = DEFAULT_SIZE, *, mouth: bool = True) -> Image:
    """The tutor's portrait as a BGR image of ``size`` x ``size``; the same pixels on every call.

    With ``mouth=False`` the face has no mouth: the avatar renderer paints one on each frame.
    Raises ``ValueError`` for a size under 64 pixels.
    """
    if size < 64:
        raise ValueError(f"the portrait needs at least 64 pixels a side, got {size}")
    image = _backdrop(size)
    _draw_body(image, size)
    _draw_head(image, size)
    if mouth:
        draw_mouth(image, mouth_box(size), 0.0)
    return image


def default_portrait_png(path: Path, size: int = DEFAULT_SIZE) -> Path:
    """Write :func:`default_portrait` (with its closed mouth) to ``path`` as a PNG; return ``path``.

    Raises ``OSError`` when the file cannot be written.
    """
    ok, encoded = cv2.imencode(".png", default_portrait(size))
    if not ok:  # pragma: no cover - PNG encoding of a valid array does not fail
        raise OSError(f"could not encode the portrait for {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encoded.tobytes())
    return path


def draw_mouth(image: Image, box: MouthBox, opening: float, *, lips: Bgr = LIPS) -> None:
    """Paint a mouth into ``image`` at ``box``, open by ``opening`` (0 = closed, 1 = widest).

    A closed mouth is a gentle smile line between soft lips; an open one is a dark inner ellipse
    (with a hint of teeth and tongue) ringed by lips that stretch a little as it opens.
    """
    opening = min(1.0, max(0.0, opening))
    cx, cy, hw = box.center_x, box.center_y, box.half_width
    thickness = max(1, round(hw * 0.12))
    if opening < 0.05:
        darker = tuple(max(0, c - 40) for c in lips)
        cv2.ellipse(image, (cx, cy - hw // 8), (hw, max(1, hw // 5)), 0, 10, 170, lips, thickness * 2, _AA)
        cv2.ellipse(image, (cx, cy - hw // 6), (hw, max(1, hw // 4)), 0, 15, 165, darker, thickness, _AA)
        return
    half_open = max(2, round(box.max_half_open * opening))
    outer_w = round(hw * (1.0 - 0.12 * opening))  # an open mouth narrows a little
    lip = max(2, round(hw * 0.16))
    cv2.ellipse(image, (cx, cy), (outer_w, half_open + lip), 0, 0, 360, lips, -1, _AA)
    inner = (max(1, outer_w - lip), half_open)
    cv2.ellipse(image, (cx, cy), inner, 0, 0, 360, MOUTH_INSIDE, -1, _AA)
    if half_open >= 4:
        # Upper teeth as a band clipped to the inside; the tongue low in the mouth.
        teeth = np.zeros(image.shape[:2], dtype=np.uint8)
        x0, y0 = cx - inner[0], cy - inner[1]
        cv2.ellipse(teeth, (cx, cy), inner, 0, 0, 360, 255, -1, _AA)
        band = max(1, round(inner[1] * 0.35))
        region = teeth[y0 : y0 + band, x0 : cx + inner[0] + 1]
        target = image[y0 : y0 + band, x0 : cx + inner[0] + 1]
        _blend_mask(target, region, TEETH)
        tongue_y = cy + round(inner[1] * 0.55)
        tongue_axes = (max(1, round(inner[0] * 0.6)), max(1, round(inner[1] * 0.45)))
        tongue = np.zeros(image.shape[:2], dtype=np.uint8)
        cv2.ellipse(tongue, (cx, tongue_y), tongue_axes, 0, 0, 360, 255, -1, _AA)
        tongue = np.minimum(tongue, teeth)
        _blend_mask(image, tongue, TONGUE)
    cv2.ellipse(image, (cx, cy), (outer_w, half_open + lip), 0, 0, 360, LIPS_DARK, 1, _AA)


def draw_blink(image: Image, size: int, closure: float) -> None:
    """Close the eyes of a :func:`default_portrait` by ``closure`` (0 = open, 1 = shut)."""
    closure = min(1.0, max(0.0, closure))
    if closure <= 0.0:
        return
    for cx, cy, ax, ay in eye_boxes(size):
        pad = max(2, size // 128)
        # The lid covers the white and the liner above it, not the skin or hair beside the eye.
        x0, x1 = cx - ax - 3, cx + ax + 4
        y0, y1 = cy - ay - pad * 2, cy + ay + pad + 1
        mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
        cv2.ellipse(mask, (cx - x0, cy - y0), (ax + 2, ay + pad), 0, 0, 360, 255, -1, _AA)
        lid_y = round((cy - ay - pad) + closure * (2 * (ay + pad)))
        mask[lid_y - y0 + 1 :, :] = 0
        _blend_mask(image[y0:y1, x0:x1], mask, SKIN)
        if closure > 0.6:
            lash_y = min(lid_y, cy + ay)
            cv2.ellipse(image, (cx, lash_y - ay // 2), (ax, ay // 2 + 1), 0, 20, 160, HAIR, 2, _AA)
        else:
            # The lid's edge, as wide as the eye is at that height.
            rise = (cy - lid_y) / ay
            half = round(ax * np.sqrt(max(0.0, 1.0 - rise * rise)))
            cv2.line(image, (cx - half, lid_y), (cx + half, lid_y), HAIR, max(1, size // 180), _AA)


def _blend_mask(target: Image, mask: NDArray[np.uint8], colour: Bgr) -> None:
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    blended = target.astype(np.float32) * (1.0 - alpha) + np.array(colour, dtype=np.float32) * alpha
    target[...] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def _blur(mask: NDArray[np.uint8], sigma: float) -> NDArray[np.uint8]:
    return np.asarray(cv2.GaussianBlur(mask, (0, 0), sigma), dtype=np.uint8)


def _within(mask: NDArray[np.uint8], region: NDArray[np.uint8], strength: float) -> NDArray[np.uint8]:
    """``mask`` kept inside ``region`` and scaled by ``strength``."""
    scaled = mask.astype(np.float32) * (region.astype(np.float32) / 255.0) * strength
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _backdrop(size: int) -> Image:
    """A soft vertical gradient with a warm glow behind the head."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    top = np.array((214, 200, 176), dtype=np.float32)
    bottom = np.array((168, 138, 112), dtype=np.float32)
    image = top + (bottom - top) * ys[..., None]
    glow = np.exp(-(((xs - 0.5) ** 2) + (ys - 0.42) ** 2) / 0.08)[..., None]
    image += (np.array((236, 240, 246), dtype=np.float32) - image) * glow * 0.45
    return np.ascontiguousarray(np.clip(image, 0, 255).astype(np.uint8))


def _pt(size: int, x: float, y: float) -> tuple[int, int]:
    return round(size * x), round(size * y)


def _ax(size: int, a: float, b: float) -> tuple[int, int]:
    return max(1, round(size * a)), max(1, round(size * b))


def _draw_body(image: Image, size: int) -> None:
    # Hair that falls behind the neck and shoulders, then neck, shoulders and collar.
    cv2.ellipse(image, _pt(size, 0.5, 0.5), _ax(size, 0.25, 0.29), 0, 0, 360, HAIR, -1, _AA)
    neck = np.array(
        [_pt(size, 0.44, 0.66), _pt(size, 0.56, 0.66), _pt(size, 0.57, 0.84), _pt(size, 0.43, 0.84)]
    )
    cv2.fillPoly(image, [neck], SKIN_SHADE, _AA)
    cv2.ellipse(image, _pt(size, 0.5, 1.06), _ax(size, 0.42, 0.26), 0, 180, 360, SWEATER, -1, _AA)
    cv2.rectangle(image, _pt(size, 0.08, 1.05), _pt(size, 0.92, 1.0), SWEATER, -1)
    collar_l = np.array(
        [_pt(size, 0.42, 0.8), _pt(size, 0.5, 0.9), _pt(size, 0.45, 0.93), _pt(size, 0.38, 0.83)]
    )
    collar_r = np.array(
        [_pt(size, 0.58, 0.8), _pt(size, 0.5, 0.9), _pt(size, 0.55, 0.93), _pt(size, 0.62, 0.83)]
    )
    cv2.fillPoly(image, [collar_l, collar_r], COLLAR, _AA)
    v_neck = np.array([_pt(size, 0.43, 0.79), _pt(size, 0.57, 0.79), _pt(size, 0.5, 0.89)])
    cv2.fillPoly(image, [v_neck], SKIN_SHADE, _AA)


def _draw_head(image: Image, size: int) -> None:
    s = size
    # Ears, face, a soft shade along the jaw, then the hair over the forehead.
    for x in (0.335, 0.665):
        cv2.ellipse(image, _pt(s, x, 0.48), _ax(s, 0.03, 0.05), 0, 0, 360, SKIN_SHADE, -1, _AA)
    cv2.ellipse(image, _pt(s, 0.5, 0.47), _ax(s, 0.165, 0.215), 0, 0, 360, SKIN, -1, _AA)
    face = np.zeros(image.shape[:2], dtype=np.uint8)
    cv2.ellipse(face, _pt(s, 0.5, 0.47), _ax(s, 0.165, 0.215), 0, 0, 360, 255, -1, _AA)
    shade = np.zeros(image.shape[:2], dtype=np.uint8)
    cv2.ellipse(shade, _pt(s, 0.5, 0.5), _ax(s, 0.16, 0.19), 0, 20, 160, 255, max(1, s // 64), _AA)
    _blend_mask(image, _within(_blur(shade, s / 90), face, 0.35), SKIN_SHADE)
    _draw_hair(image, s)
    _draw_eyes(image, s)
    # The nose: a soft shadow curve and two nostril dots.
    cv2.ellipse(
        image, _pt(s, 0.5, 0.545), _ax(s, 0.022, 0.014), 0, 10, 170, SKIN_SHADE, max(1, s // 170), _AA
    )
    for x in (0.488, 0.512):
        cv2.circle(image, _pt(s, x, 0.552), max(1, s // 300), (90, 120, 170), -1, _AA)
    # Blush on the cheeks.
    blush = np.zeros(image.shape[:2], dtype=np.uint8)
    for x in (0.395, 0.605):
        cv2.circle(blush, _pt(s, x, 0.56), max(1, round(s * 0.03)), 255, -1, _AA)
    _blend_mask(image, _within(_blur(blush, s / 60), face, 0.35), (140, 140, 235))


def _draw_hair(image: Image, s: int) -> None:
    # A side-parted fringe: the top of the head, less a forehead that sweeps up to the right.
    cap = np.zeros(image.shape[:2], dtype=np.uint8)
    cv2.ellipse(cap, _pt(s, 0.5, 0.43), _ax(s, 0.178, 0.195), 0, 180, 360, 255, -1, _AA)
    forehead = np.zeros_like(cap)
    cv2.ellipse(forehead, _pt(s, 0.535, 0.44), _ax(s, 0.17, 0.1), -4, 180, 360, 255, -1, _AA)
    _blend_mask(image, np.asarray(cv2.subtract(cap, forehead), dtype=np.uint8), HAIR)
    # Side locks framing the face, and a highlight.
    for x, sign in ((0.34, -1), (0.66, 1)):
        cv2.ellipse(image, _pt(s, x, 0.5), _ax(s, 0.025, 0.13), sign * 4, 0, 360, HAIR, -1, _AA)
    cv2.ellipse(
        image, _pt(s, 0.45, 0.31), _ax(s, 0.07, 0.035), -15, 200, 320, HAIR_LIGHT, max(1, s // 100), _AA
    )


def _draw_eyes(image: Image, s: int) -> None:
    for cx, cy, ax, ay in eye_boxes(s):
        cv2.ellipse(image, (cx, cy), (ax, ay), 0, 0, 360, (250, 250, 252), -1, _AA)
        iris = max(2, round(ay * 0.95))
        cv2.circle(image, (cx, cy + 1), iris, IRIS, -1, _AA)
        cv2.circle(image, (cx, cy + 1), max(1, iris // 2), (25, 25, 30), -1, _AA)
        cv2.circle(image, (cx + iris // 3, cy - iris // 3), max(1, iris // 4), (255, 255, 255), -1, _AA)
        cv2.ellipse(image, (cx, cy), (ax, ay), 0, 190, 350, HAIR, max(1, s // 180), _AA)
        brow_y = cy - round(ay * 2.3)
        cv2.ellipse(image, (cx, brow_y + ay), (round(ax * 1.1), ay), 0, 200, 340, HAIR, max(2, s // 110), _AA)
