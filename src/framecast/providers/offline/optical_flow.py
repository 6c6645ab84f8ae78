"""Dense optical flow between two frames that also survives large motion.

Farneback's method is local: it follows motion up to about the size of its window at the coarsest
pyramid level, and inside a flat-coloured region it sees nothing to follow. Between a start and an
end frame seconds apart, things routinely move further than their own size. So the flow is found in
two steps:

1. *Dominant translations*: the peaks of the phase correlation of the two frames are the shifts
   by which large parts of the picture moved (the camera's pan, a moving object). Each pixel takes
   the candidate shift (zero included) under which its neighbourhood matches the other frame best;
   where several match equally, standing still wins (flat areas), then the stronger peak
   (repetitive texture).
2. *Refinement*: Farneback's flow between the first frame and the second frame pulled back by those
   shifts adds what translation cannot describe (zoom, rotation, deformation).

Flow is found both ways. Where the two disagree (a pixel's flow leads to a pixel whose own flow does
not lead back) the pixel is visible in one frame only, and its flow, a match found by chance in a
flat area, is replaced by its consistent neighbours' flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Grey = NDArray[np.uint8]
Field = NDArray[np.float32]
"""A flow field, ``(height, width, 2)``: the displacement ``(dx, dy)`` of each pixel, in pixels."""

CANDIDATES = 5  # phase-correlation peaks tried besides "no motion"
MATCH_WINDOW = 9  # side of the neighbourhood compared when a pixel picks a candidate shift
# Extra matching cost (in grey levels) of the n-th strongest shift: n * SHIFT_PENALTY. Flat areas,
# which match every shift, stand still; repetitive texture, which matches several, takes the strongest.
SHIFT_PENALTY = 0.25
# A round trip (forward then backward flow) may miss its start by this many pixels, plus 10 % of the motion.
ROUND_TRIP_TOLERANCE = 1.5


@dataclass(frozen=True)
class FlowPair:
    """Flow both ways between two frames, with where each is confirmed by the other."""

    forward: Field  # first -> second
    backward: Field  # second -> first
    forward_ok: NDArray[np.bool_]  # first's pixels whose round trip comes back
    backward_ok: NDArray[np.bool_]  # second's pixels whose round trip comes back


def estimate_flow_pair(first: Grey, second: Grey) -> FlowPair:
    """Flow from ``first`` to ``second`` and back, each cleaned where the other contradicts it."""
    forward = estimate_flow(first, second)
    backward = estimate_flow(second, first)
    forward_ok = _round_trip_ok(forward, backward)
    backward_ok = _round_trip_ok(backward, forward)
    return FlowPair(
        fill_from_neighbours(forward, forward_ok),
        fill_from_neighbours(backward, backward_ok),
        forward_ok,
        backward_ok,
    )


def _round_trip_ok(there: Field, back: Field) -> NDArray[np.bool_]:
    height, width = there.shape[:2]
    returned = warp_field(back, pixel_grid(width, height) + there)
    miss = np.linalg.norm(there + returned, axis=2)
    allowed = ROUND_TRIP_TOLERANCE + 0.1 * np.linalg.norm(there, axis=2)
    ok: NDArray[np.bool_] = miss <= allowed
    return ok


def fill_from_neighbours(flow: Field, known: NDArray[np.bool_]) -> Field:
    """``flow`` with the pixels not ``known`` replaced by the average of known ones nearby.

    Normalised box filters of widening size reach every hole; with nothing known at all, zero flow.
    """
    if known.all():
        return flow
    if not known.any():
        return np.zeros_like(flow)
    weight_in = known.astype(np.float32)
    result = flow.copy()
    missing = ~known
    masked = flow * weight_in[..., None]
    size = 3
    while missing.any():
        weight = cv2.boxFilter(weight_in, -1, (size, size), normalize=False)
        total = cv2.boxFilter(masked, -1, (size, size), normalize=False)
        reach = missing & (weight > 0.5)
        result[reach] = total[reach] / weight[reach][:, None]
        missing &= ~reach
        size = size * 2 + 1
    return result


def estimate_flow(first: Grey, second: Grey) -> Field:
    """The flow from ``first`` to ``second``: ``first[y, x]`` is near ``second[(y, x) + flow[y, x]]``."""
    height, width = first.shape
    grid = pixel_grid(width, height)
    shifts = dominant_shifts(first, second)
    coarse = _choose_shifts(first, second, shifts)
    pulled_back = warp_image(second, grid + coarse)
    residual = cv2.calcOpticalFlowFarneback(first, pulled_back, _NO_FLOW, 0.5, 4, 15, 4, 5, 1.2, 0)
    return (coarse + np.asarray(residual, dtype=np.float32)).astype(np.float32)


def dominant_shifts(first: Grey, second: Grey, *, count: int = CANDIDATES) -> list[tuple[int, int]]:
    """Whole-pixel shifts ``(dx, dy)`` by which large parts of ``first`` reappear in ``second``.

    Always starts with ``(0, 0)``; the others are the strongest distinct peaks of the phase correlation.
    """
    height, width = first.shape
    # Zero padding to twice the size makes the correlation linear: shifts up to the full width
    # are told apart from shifts the other way.
    padded = (2 * height, 2 * width)
    # Tapering the borders keeps the frame's own edges from correlating with themselves.
    window = _taper(height, width)
    a = (first.astype(np.float32) - float(first.mean())) * window
    b = (second.astype(np.float32) - float(second.mean())) * window
    spectrum = np.fft.rfft2(b, s=padded) * np.conj(np.fft.rfft2(a, s=padded))
    spectrum /= np.abs(spectrum) + 1e-6
    surface = np.fft.irfft2(spectrum, s=padded).astype(np.float32)
    # Local maxima only, so one smeared peak does not fill every candidate slot.
    peaks = (surface == cv2.dilate(surface, np.ones((9, 9), np.uint8))) & (surface > 0)
    ys, xs = np.nonzero(peaks)
    order = np.argsort(surface[ys, xs])[::-1]
    shifts: list[tuple[int, int]] = [(0, 0)]
    for index in order:
        dy, dx = int(ys[index]), int(xs[index])
        # Indices past the original size are negative shifts.
        shift = (dx - padded[1] if dx >= width else dx, dy - padded[0] if dy >= height else dy)
        # Shifts that leave almost no overlap are echoes of the padding, not motion.
        plausible = abs(shift[0]) < 0.9 * width and abs(shift[1]) < 0.9 * height
        if plausible and shift not in shifts:
            shifts.append(shift)
        if len(shifts) > count:
            break
    return shifts


def _taper(height: int, width: int, fraction: float = 0.15) -> NDArray[np.float32]:
    """A Tukey window: flat in the middle, falling to zero over ``fraction`` of each side."""

    def axis(n: int) -> NDArray[np.float64]:
        edge = max(1, round(n * fraction))
        ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(edge) + 0.5) / edge)
        values = np.ones(n)
        values[:edge] = ramp
        values[n - edge :] = ramp[::-1]
        return values

    return np.outer(axis(height), axis(width)).astype(np.float32)


def _choose_shifts(first: Grey, second: Grey, shifts: list[tuple[int, int]]) -> Field:
    """Per pixel, the candidate shift whose neighbourhood in ``second`` matches ``first`` best.

    ``shifts`` must be ordered by strength, ``(0, 0)`` first.
    """
    height, width = first.shape
    base = first.astype(np.float32)
    costs = np.empty((len(shifts), height, width), dtype=np.float32)
    for index, (dx, dy) in enumerate(shifts):
        moved = cv2.warpAffine(
            second,
            np.array([[1.0, 0.0, -dx], [0.0, 1.0, -dy]]),
            (width, height),
            flags=cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_REPLICATE,
        )
        difference = np.abs(base - moved.astype(np.float32))
        local = cv2.boxFilter(difference, -1, (MATCH_WINDOW, MATCH_WINDOW))
        costs[index] = local + SHIFT_PENALTY * index
    best = np.argmin(costs, axis=0).astype(np.uint8)
    best = cv2.medianBlur(best, 5)
    table = np.array(shifts, dtype=np.float32)
    return np.ascontiguousarray(table[best])


_NO_FLOW = np.empty((0, 0), dtype=np.float32)  # Farneback starts from zero flow


def _remap(source: NDArray[np.uint8] | Field, xy: Field) -> object:
    # OpenCV takes the (x, y) pairs from one two-channel map and None as the second map; its type
    # stubs insist on a second map (an empty array is not read as "none" by the binding).
    return cv2.remap(source, xy, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)  # type: ignore[call-overload,unused-ignore]


def warp_image(image: NDArray[np.uint8], xy: Field) -> NDArray[np.uint8]:
    """``image`` sampled (bilinearly, edges extended) at the ``(x, y)`` positions in ``xy``."""
    return np.asarray(_remap(image, xy), dtype=np.uint8)


def warp_field(field: Field, xy: Field) -> Field:
    """A flow field sampled (bilinearly, edges extended) at the ``(x, y)`` positions in ``xy``."""
    return np.asarray(_remap(field, xy), dtype=np.float32)


def pixel_grid(width: int, height: int) -> Field:
    """Each pixel's own ``(x, y)``: add a flow field to it to get a map for ``cv2.remap``."""
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    return np.dstack([xs, ys])
