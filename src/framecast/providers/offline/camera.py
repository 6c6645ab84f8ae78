"""Frame sizes and the slow camera moves (Ken Burns) the offline renderer films its scenes with.

A scene is any RGB array at least as large as the output frame in one dimension; the camera covers
the output with it (like CSS ``object-fit: cover``), then zooms and glides across it. Moves are eased
(smoothstep) so a clip starts and ends at rest, which reads as deliberate rather than jittery.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from framecast.core.errors import InvalidInputError
from framecast.providers.base import Aspect

Frame = NDArray[np.uint8]
"""An RGB image, ``(height, width, 3)``, ``uint8``, C-contiguous."""

MIN_SHORT_SIDE = 64
MAX_SHORT_SIDE = 2160


def frame_size(aspect: Aspect, short_side: int) -> tuple[int, int]:
    """``(width, height)`` for ``aspect``: 16:9, 9:16 or 1:1, both sides even (H.264 with yuv420p needs it).

    Raises :class:`InvalidInputError` when ``short_side`` is outside 64..2160.
    """
    if not MIN_SHORT_SIDE <= short_side <= MAX_SHORT_SIDE:
        raise InvalidInputError(
            f"short_side must be between {MIN_SHORT_SIDE} and {MAX_SHORT_SIDE} pixels, got {short_side}"
        )
    short = _even(short_side)
    long = _even(short * 16 / 9)
    if aspect is Aspect.LANDSCAPE:
        return long, short
    if aspect is Aspect.PORTRAIT:
        return short, long
    return short, short


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def ease(t: float) -> float:
    """Smoothstep: 0 -> 0, 1 -> 1, with zero speed at both ends."""
    t = min(1.0, max(0.0, t))
    return t * t * (3.0 - 2.0 * t)


@dataclass(frozen=True)
class CameraMove:
    """A zoom from ``start_zoom`` to ``end_zoom`` while the view centre glides between two points.

    Centres are relative to the scene (0..1 on each axis) and are clamped so the view never leaves it;
    a zoom of 1 shows the whole scene (cropped to the output's aspect).
    """

    start_zoom: float = 1.0
    end_zoom: float = 1.0
    start_centre: tuple[float, float] = (0.5, 0.5)
    end_centre: tuple[float, float] = (0.5, 0.5)

    @classmethod
    def push_in(cls, rng: np.random.Generator, *, amount: float = 0.12) -> CameraMove:
        """A slow push-in towards a point near the middle, the direction varying with ``rng``."""
        target = (0.5 + rng.uniform(-0.12, 0.12), 0.5 + rng.uniform(-0.1, 0.1))
        return cls(1.0, 1.0 + amount * rng.uniform(0.8, 1.2), (0.5, 0.5), target)

    @classmethod
    def drift(cls, rng: np.random.Generator) -> CameraMove:
        """Ken Burns: a gentle zoom in or out with a pan in a direction picked by ``rng``."""
        angle = rng.uniform(0.0, 2.0 * np.pi)
        reach = rng.uniform(0.02, 0.045)
        dx, dy = reach * np.cos(angle), reach * np.sin(angle)
        near, far = 1.04, 1.04 + rng.uniform(0.04, 0.08)
        zooms = (near, far) if rng.random() < 0.5 else (far, near)
        return cls(zooms[0], zooms[1], (0.5 - dx, 0.5 - dy), (0.5 + dx, 0.5 + dy))

    def matrix(self, t: float, scene_size: tuple[int, int], out_size: tuple[int, int]) -> NDArray[np.float64]:
        """The 2x3 affine matrix mapping scene pixels to output pixels at time ``t`` (0..1)."""
        scene_w, scene_h = scene_size
        out_w, out_h = out_size
        k = ease(t)
        zoom = self.start_zoom + (self.end_zoom - self.start_zoom) * k
        scale = max(out_w / scene_w, out_h / scene_h) * max(zoom, 1.0)
        # Half the visible part of the scene, relative to its size: the centre must stay this far inside.
        half_w = out_w / scale / scene_w / 2
        half_h = out_h / scale / scene_h / 2
        cx = self.start_centre[0] + (self.end_centre[0] - self.start_centre[0]) * k
        cy = self.start_centre[1] + (self.end_centre[1] - self.start_centre[1]) * k
        cx = min(max(cx, half_w), 1.0 - half_w)
        cy = min(max(cy, half_h), 1.0 - half_h)
        return np.array(
            [
                [scale, 0.0, out_w / 2 - scale * cx * scene_w],
                [0.0, scale, out_h / 2 - scale * cy * scene_h],
            ]
        )

    def film(self, scene: Frame, t: float, out_size: tuple[int, int]) -> Frame:
        """The output frame at time ``t``: the scene seen through this move."""
        height, width = scene.shape[:2]
        matrix = self.matrix(t, (width, height), out_size)
        return np.asarray(
            cv2.warpAffine(scene, matrix, out_size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT),
            dtype=np.uint8,
        )
