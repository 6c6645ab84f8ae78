"""Frames-to-video: a real interpolation between a start and an end frame by dense optical flow.

Flow is estimated once per clip, both ways, on copies no larger than ``FLOW_LONG_SIDE`` pixels
(see :mod:`framecast.providers.offline.optical_flow`): coarse flow is enough to carry motion and
keeps a 720p clip fast. For each time ``t``:

1. the flow is projected to that moment by splatting: every pixel of both frames is pushed along
   its own flow to where it is at ``t``; where several land on one spot, the one whose flow the other
   frame confirms and whose colour matches best wins; the few holes take their neighbours' flow;
2. the start frame is warped forward by ``t`` of that flow and the end frame back by ``1 - t``;
3. the two are cross-faded, each weighted by its closeness in time and by whether its own flow
   agrees that it sees the pixel at ``t`` (where an object has just left, only the frame it left
   in still shows it, and that frame's flow says it moved away).

Projecting first is what moves a small object half-way at ``t = 0.5`` instead of fading it out in
one place and in at another.

With no end frame the start frame is filmed with a slow push-in.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
from numpy.typing import NDArray

from framecast.providers.offline.camera import CameraMove, Frame, ease
from framecast.providers.offline.optical_flow import (
    Field,
    Grey,
    estimate_flow_pair,
    fill_from_neighbours,
    pixel_grid,
    warp_field,
    warp_image,
)

FLOW_LONG_SIDE = 256


class FlowInterpolator:
    """Frames between ``start`` and ``end`` (same size, RGB) for any ``t`` in 0..1."""

    def __init__(self, start: Frame, end: Frame, *, flow_long_side: int = FLOW_LONG_SIDE) -> None:
        if start.shape != end.shape:
            raise ValueError(f"start and end must have the same shape, got {start.shape} and {end.shape}")
        self._start, self._end = start, end
        self._height, self._width = start.shape[:2]
        scale = min(1.0, flow_long_side / max(self._width, self._height))
        self._small_w = max(8, round(self._width * scale))
        self._small_h = max(8, round(self._height * scale))
        size = (self._small_w, self._small_h)
        grey_a = _small_grey(start, size)
        grey_b = _small_grey(end, size)
        pair = estimate_flow_pair(grey_a, grey_b)
        self._forward, self._backward = pair.forward, pair.backward
        self._small_grid = pixel_grid(self._small_w, self._small_h)
        # Splat sources: every pixel of both frames, ranked for when several land on one spot (see _rank).
        error_a = _mismatch(grey_a, grey_b, self._forward, self._small_grid)
        error_b = _mismatch(grey_b, grey_a, self._backward, self._small_grid)
        order = _rank(
            np.concatenate([error_a.ravel(), error_b.ravel()]),
            np.concatenate([pair.forward_ok.ravel(), pair.backward_ok.ravel()]),
            np.concatenate([_length(self._forward).ravel(), _length(self._backward).ravel()]),
        )
        # Sources are kept in rank order, so a source's index is its rank: the smallest index wins a spot.
        origins = np.concatenate([self._small_grid.reshape(-1, 2)] * 2)
        # The start->end flow each source carries: start pixels their own, end pixels the reverse of theirs.
        carried = np.concatenate([self._forward.reshape(-1, 2), -self._backward.reshape(-1, 2)])
        # Start pixels travel t of their flow to reach time t; end pixels travel back (1 - t) of theirs.
        from_end = np.concatenate([np.zeros(error_a.size, bool), np.ones(error_b.size, bool)])
        self._origins = origins[order]
        self._carried = np.ascontiguousarray(carried[order])
        self._from_end = from_end[order]
        self._grid = pixel_grid(self._width, self._height)
        self._to_full = np.array(
            [self._width / self._small_w, self._height / self._small_h], dtype=np.float32
        )

    def frame(self, t: float) -> Frame:
        """The interpolated frame at ``t`` (0 is ``start``, 1 is ``end``)."""
        if t <= 0.0:
            return self._start.copy()
        if t >= 1.0:
            return self._end.copy()
        flow_t = self._project(t)
        weight_a = self._start_weight(flow_t, t)
        size = (self._width, self._height)
        flow_full = cv2.resize(flow_t * self._to_full, size, interpolation=cv2.INTER_LINEAR)
        weight_full = cv2.resize(weight_a, size, interpolation=cv2.INTER_LINEAR)
        # cv2.scaleAdd builds each sampling map in one threaded pass (numpy would take three).
        map_a = cv2.scaleAdd(flow_full, -t, self._grid)
        map_b = cv2.scaleAdd(flow_full, 1.0 - t, self._grid)
        warped_a = warp_image(self._start, np.asarray(map_a, dtype=np.float32))
        warped_b = warp_image(self._end, np.asarray(map_b, dtype=np.float32))
        blended = cv2.blendLinear(warped_a, warped_b, weight_full, 1.0 - weight_full)
        return np.asarray(blended, dtype=np.uint8)

    def _project(self, t: float) -> Field:
        """The start→end flow as seen from time ``t``: splat every source to where it is at ``t``."""
        w, h = self._small_w, self._small_h
        travel = np.where(self._from_end, -(1.0 - t), t).astype(np.float32)[:, None]
        positions = self._origins + travel * self._carried
        corner_x = np.floor(positions[:, 0]).astype(np.int64)
        corner_y = np.floor(positions[:, 1]).astype(np.int64)
        sources = np.arange(len(positions))
        # Splat to the four pixels around each landing point so stretched motion leaves few holes.
        xs = np.concatenate([corner_x, corner_x + 1, corner_x, corner_x + 1])
        ys = np.concatenate([corner_y, corner_y, corner_y + 1, corner_y + 1])
        inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        none = len(positions)
        best = np.full(w * h, none, dtype=np.int64)
        np.minimum.at(best, (ys * w + xs)[inside], np.tile(sources, 4)[inside])
        reached = best < none
        flow = np.zeros((w * h, 2), dtype=np.float32)
        flow[reached] = self._carried[best[reached]]
        reached = reached.reshape(h, w)
        flow = flow.reshape(h, w, 2)
        filled = fill_from_neighbours(flow, reached)
        # A few stray splats (edge pixels with half-found flow) would tear the picture; a median removes them.
        return np.asarray(cv2.medianBlur(filled, 5), dtype=np.float32)

    def _start_weight(self, flow_t: Field, t: float) -> NDArray[np.float32]:
        """The start frame's share of the cross-fade (the end frame gets the rest).

        Each frame counts in proportion to its closeness in time and to how well its own flow agrees
        that it sees the pixel at time ``t``: where an object has moved away, the start frame still
        shows it there, and its flow says so.
        """
        grid = self._small_grid
        at_start = grid - t * flow_t
        at_end = grid + (1.0 - t) * flow_t
        forward = warp_field(self._forward, at_start)
        backward = warp_field(self._backward, at_end)
        # Distance (in low-res pixels) by which the pixel's own flow misses the spot at time t.
        miss_a = t * _length(forward - flow_t)
        miss_b = (1.0 - t) * _length(backward + flow_t)
        seen_a = np.exp(-(miss_a**2)) + 0.02
        seen_b = np.exp(-(miss_b**2)) + 0.02
        weight_a = (1.0 - t) * seen_a
        weight: NDArray[np.float32] = (weight_a / (weight_a + t * seen_b)).astype(np.float32)
        return weight


COLOUR_MATCH = 24.0  # grey levels: a source whose flow leads to a pixel this close in colour matches


def _rank(
    errors: NDArray[np.float32], confirmed: NDArray[np.bool_], motion: NDArray[np.float32]
) -> NDArray[np.intp]:
    """Splat sources in order of precedence, best first.

    First the sources whose flow the other frame confirms and whose colour matches where they go,
    then confirmed ones that do not match, then the unconfirmed (seen in one frame only: about to be
    covered or just uncovered; they carry their neighbours' flow). Within each tier, larger motion
    first: what moves more is nearer the camera, so it hides what moves less (motion parallax), and a
    moving object passes in front of a still background. Then the better colour match.
    """
    tier = np.where(confirmed, np.where(errors <= COLOUR_MATCH, 0, 1), 2)
    faster_first = -np.round(motion * 2.0)  # half-pixel steps, so noise in still areas does not decide
    return np.lexsort((errors, faster_first, tier))


def _small_grey(image: Frame, size: tuple[int, int]) -> NDArray[np.uint8]:
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def _mismatch(source: Grey, target: Grey, flow: Field, grid: Field) -> NDArray[np.float32]:
    """How different each source pixel is from the target pixel its flow points at (0..255)."""
    landed = warp_image(target, grid + flow)
    difference: NDArray[np.float32] = np.abs(source.astype(np.float32) - landed.astype(np.float32))
    return difference


def _length(field: Field) -> NDArray[np.float32]:
    return np.asarray(cv2.magnitude(field[..., 0], field[..., 1]), dtype=np.float32)


def interpolation_frames(start: Frame, end: Frame, count: int) -> Iterator[Frame]:
    """``count`` frames from ``start`` to ``end`` (both already fitted to the output size), eased."""
    interpolator = FlowInterpolator(start, end)
    for index in range(count):
        yield interpolator.frame(ease(index / max(1, count - 1)))


def push_in_frames(start: Frame, count: int, rng: np.random.Generator) -> Iterator[Frame]:
    """``count`` frames of ``start`` filmed with a slow push-in."""
    height, width = start.shape[:2]
    camera = CameraMove.push_in(rng)
    for index in range(count):
        yield camera.film(start, index / max(1, count - 1), (width, height))
