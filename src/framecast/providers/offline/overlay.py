"""Screen-space elements drawn over filmed frames: pinned RGBA patches, drifting light, a timeline.

Everything here touches only the pixels it covers, so adding a label or a few motes of light costs
microseconds per frame rather than a full-frame blend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from framecast.providers.offline.camera import Frame


@dataclass(frozen=True)
class Overlay:
    """An RGBA patch pinned at ``(x, y)`` of the output frame (parts outside the frame are skipped)."""

    rgb: NDArray[np.uint16]
    alpha: NDArray[np.uint16]
    x: int
    y: int

    @classmethod
    def from_image(cls, patch: Image.Image, x: int, y: int) -> Overlay:
        rgba = np.asarray(patch.convert("RGBA"), dtype=np.uint16)
        return cls(rgba[:, :, :3].copy(), rgba[:, :, 3:4].copy(), x, y)

    def apply(self, frame: Frame) -> None:
        """Alpha-blend the patch onto ``frame`` in place."""
        height, width = frame.shape[:2]
        patch_h, patch_w = self.alpha.shape[:2]
        x0, y0 = max(self.x, 0), max(self.y, 0)
        x1, y1 = min(self.x + patch_w, width), min(self.y + patch_h, height)
        if x0 >= x1 or y0 >= y1:
            return
        px, py = x0 - self.x, y0 - self.y
        alpha = self.alpha[py : py + y1 - y0, px : px + x1 - x0]
        rgb = self.rgb[py : py + y1 - y0, px : px + x1 - x0]
        under = frame[y0:y1, x0:x1].astype(np.uint16)
        # Integer blend: (a*src + (255-a)*dst + 127) // 255 stays below 2**16.
        frame[y0:y1, x0:x1] = ((rgb * alpha + under * (255 - alpha) + 127) // 255).astype(np.uint8)


class Particles:
    """Soft motes of light that drift upwards and twinkle: the subtle motion that keeps a still alive."""

    def __init__(
        self,
        rng: np.random.Generator,
        width: int,
        height: int,
        *,
        count: int = 18,
        colour: tuple[int, int, int] = (255, 244, 220),
    ) -> None:
        short = min(width, height)
        self._width, self._height = width, height
        self._colour = np.array(colour, dtype=np.float32)
        self._start = rng.uniform(0.0, 1.0, size=(count, 2))
        # Relative distance travelled over the whole clip: mostly upwards, a little sideways.
        self._travel = np.column_stack([rng.uniform(-0.06, 0.06, count), -rng.uniform(0.06, 0.2, count)])
        self._radius = rng.uniform(0.004, 0.013, count) * short
        self._strength = rng.uniform(0.12, 0.32, count)
        self._phase = rng.uniform(0.0, 2.0 * np.pi, count)
        self._twinkle = rng.uniform(1.0, 3.0, count)
        self._sprites = [_soft_dot(max(1.0, r)) for r in self._radius]

    def draw(self, frame: Frame, t: float) -> None:
        """Lighten ``frame`` in place with the motes as they are at time ``t`` (0..1)."""
        positions = (self._start + self._travel * t) % 1.0
        for index, sprite in enumerate(self._sprites):
            strength = self._strength[index] * (
                0.65 + 0.35 * np.sin(self._phase[index] + self._twinkle[index] * 2 * np.pi * t)
            )
            size = sprite.shape[0]
            cx = int(positions[index, 0] * self._width) - size // 2
            cy = int(positions[index, 1] * self._height) - size // 2
            x0, y0 = max(cx, 0), max(cy, 0)
            x1, y1 = min(cx + size, self._width), min(cy + size, self._height)
            if x0 >= x1 or y0 >= y1:
                continue
            weight = sprite[y0 - cy : y1 - cy, x0 - cx : x1 - cx, None] * np.float32(strength)
            region = frame[y0:y1, x0:x1].astype(np.float32)
            frame[y0:y1, x0:x1] = (region + weight * (self._colour - region)).astype(np.uint8)


def _soft_dot(radius: float) -> NDArray[np.float32]:
    half = int(np.ceil(radius * 2))
    axis = np.arange(-half, half + 1, dtype=np.float32)
    distance2 = axis[None, :] ** 2 + axis[:, None] ** 2
    dot: NDArray[np.float32] = np.exp(-2.0 * distance2 / np.float32(radius * radius)).astype(np.float32)
    return dot


def draw_timeline(frame: Frame, t: float, colour: tuple[int, int, int]) -> None:
    """A thin bar along the bottom edge that fills as the clip plays, like a storyboard's time ruler."""
    height, width = frame.shape[:2]
    thickness = max(2, round(min(width, height) / 180))
    track = frame[height - thickness :, :].astype(np.uint16)
    frame[height - thickness :, :] = ((track * 3 + 255) // 4).astype(np.uint8)
    filled = round(width * min(max(t, 0.0), 1.0))
    if filled:
        bar = frame[height - thickness :, :filled].astype(np.uint16)
        tint = np.array(colour, dtype=np.uint16)
        frame[height - thickness :, :filled] = ((bar + tint * 3) // 4).astype(np.uint8)
