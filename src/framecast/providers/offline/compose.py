"""Ingredients-to-video (and create-image with references): the references composed into one scene.

The 1-3 reference images become tilted panels with a border and a soft shadow, laid out in a row
(landscape, square) or a column (portrait) over a blurred, darkened copy of the first reference.
With several panels the scene is wider (or taller) than the frame and the camera travels from the
first panel to the last; with one it pushes in. The prompt is a caption pinned to the bottom of
the screen, with the "Framecast offline render" label at the top.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from framecast.providers.offline.camera import CameraMove, Frame
from framecast.providers.offline.cards import Palette, label_overlay, pick_palette, random_for
from framecast.providers.offline.input_images import contain_fit, cover_fit, resize
from framecast.providers.offline.overlay import Overlay, draw_timeline
from framecast.providers.offline.typography import draw_block, fit_text

# How much longer the scene is than the frame for each panel after the first: room for the camera to travel.
TRAVEL_PER_PANEL = 0.22


@dataclass(frozen=True)
class Scene:
    image: Frame
    panel_centres: tuple[tuple[float, float], ...]  # relative to the scene, in layout order


def compose_scene(
    references: Sequence[Frame], width: int, height: int, rng: np.random.Generator, *, travel: bool
) -> Scene:
    """Lay the references out as panels over a blurred backdrop.

    With ``travel`` the scene is longer than ``width`` x ``height`` along the layout axis so a camera
    can pan across it; without, it is exactly the frame (a still image).
    """
    if not references:
        raise ValueError("compose_scene needs at least one reference image")
    count = len(references)
    vertical = height > width
    extra = 1.0 + TRAVEL_PER_PANEL * (count - 1) if travel else 1.0
    scene_w = width if vertical else round(width * extra)
    scene_h = round(height * extra) if vertical else height
    scene = _backdrop(references[0], scene_w, scene_h)

    short = min(width, height)
    centres: list[tuple[float, float]] = []
    for index, reference in enumerate(references):
        if vertical:
            # Keep clear of the label at the top and the caption at the bottom of the screen.
            top, bottom = 0.07 * height, scene_h - 0.21 * height
            cell = (bottom - top) / count
            centre = (scene_w / 2, top + cell * (index + 0.5))
            box = (0.8 * scene_w, 0.86 * cell)
        else:
            cell = scene_w / count
            centre = (cell * (index + 0.5), 0.44 * scene_h)
            box = (0.84 * cell, 0.62 * scene_h)
        tilt = rng.uniform(-3.0, 3.0) if count > 1 else rng.uniform(-1.2, 1.2)
        panel = _panel(reference, round(box[0]), round(box[1]), tilt, short)
        _paste_with_shadow(scene, panel, centre, short)
        centres.append((centre[0] / scene_w, centre[1] / scene_h))
    return Scene(scene, tuple(centres))


def _backdrop(first: Frame, width: int, height: int) -> Frame:
    """The first reference, cover-fitted, heavily blurred and darkened so the panels stand out."""
    # Blurring a small copy and enlarging it is as soft as blurring the full size, and far cheaper.
    small_w, small_h = max(8, width // 12), max(8, height // 12)
    small = cover_fit(first, small_w, small_h)
    small = np.asarray(cv2.GaussianBlur(small, (0, 0), 2.5), dtype=np.uint8)
    large = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.asarray(np.clip(large.astype(np.float32) * 0.45 + 8.0, 0, 255), dtype=np.uint8)


def _panel(reference: Frame, max_w: int, max_h: int, tilt: float, short: int) -> NDArray[np.uint8]:
    """The reference fitted in ``max_w`` x ``max_h`` with a light border, tilted; RGBA."""
    border = max(2, round(short * 0.008))
    picture = contain_fit(reference, max(1, max_w - 2 * border), max(1, max_h - 2 * border))
    pic_h, pic_w = picture.shape[:2]
    framed = np.full((pic_h + 2 * border, pic_w + 2 * border, 4), 255, dtype=np.uint8)
    framed[:, :, :3] = (242, 240, 234)
    framed[border : border + pic_h, border : border + pic_w, :3] = picture
    if abs(tilt) < 0.05:
        return framed
    frame_h, frame_w = framed.shape[:2]
    matrix = cv2.getRotationMatrix2D((frame_w / 2, frame_h / 2), tilt, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    out_w = int(np.ceil(frame_w * cos + frame_h * sin))
    out_h = int(np.ceil(frame_w * sin + frame_h * cos))
    matrix[0, 2] += out_w / 2 - frame_w / 2
    matrix[1, 2] += out_h / 2 - frame_h / 2
    rotated = cv2.warpAffine(
        framed, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    return np.asarray(rotated, dtype=np.uint8)


def _paste_with_shadow(
    scene: Frame, panel: NDArray[np.uint8], centre: tuple[float, float], short: int
) -> None:
    """Alpha-composite ``panel`` onto ``scene`` centred at ``centre``, over a soft drop shadow."""
    panel_h, panel_w = panel.shape[:2]
    alpha = panel[:, :, 3].astype(np.float32) / 255.0
    pad = max(4, round(short * 0.03))
    shadow = np.zeros((panel_h + 2 * pad, panel_w + 2 * pad), dtype=np.float32)
    shadow[pad : pad + panel_h, pad : pad + panel_w] = alpha
    shadow = np.asarray(cv2.GaussianBlur(shadow, (0, 0), pad / 2.5), dtype=np.float32) * 0.6
    offset = round(short * 0.01)
    x0 = round(centre[0] - panel_w / 2)
    y0 = round(centre[1] - panel_h / 2)
    _blend(
        scene, np.zeros((*shadow.shape, 3), dtype=np.float32), shadow, x0 - pad + offset, y0 - pad + offset
    )
    _blend(scene, panel[:, :, :3].astype(np.float32), alpha, x0, y0)


def _blend(scene: Frame, colour: NDArray[np.float32], alpha: NDArray[np.float32], x: int, y: int) -> None:
    height, width = scene.shape[:2]
    patch_h, patch_w = alpha.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + patch_w, width), min(y + patch_h, height)
    if x0 >= x1 or y0 >= y1:
        return
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x, None]
    src = colour[y0 - y : y1 - y, x0 - x : x1 - x]
    dst = scene[y0:y1, x0:x1].astype(np.float32)
    scene[y0:y1, x0:x1] = np.clip(src * a + dst * (1.0 - a), 0, 255).astype(np.uint8)


def caption_overlay(prompt: str, width: int, height: int) -> Overlay:
    """The prompt over a dark fade along the bottom of the frame."""
    short = min(width, height)
    band_h = round(height * (0.2 if height > width else 0.26))
    fade = np.linspace(0.0, 1.0, band_h, dtype=np.float32) ** 1.3 * 185
    shade = np.zeros((band_h, width, 4), dtype=np.uint8)
    shade[:, :, 3] = fade.astype(np.uint8)[:, None]
    band = Image.fromarray(shade)
    text_w = round(width * 0.86)
    block = fit_text(
        prompt, text_w, round(band_h * 0.5), largest=round(short * 0.042), smallest=round(short * 0.026)
    )
    top = band_h - block.height - round(short * 0.05)
    draw_block(
        band, block, ((width - text_w) // 2, top), fill=(244, 244, 248, 255), align_centre_width=text_w
    )
    return Overlay.from_image(band, 0, height - band_h)


def compose_still(prompt: str, references: Sequence[Frame], width: int, height: int, seed: int) -> Frame:
    """Create-image with references: the composed scene, captioned and labelled, as one image."""
    rng = random_for(prompt, seed)
    palette = pick_palette(prompt, seed)
    scene = compose_scene(_resized_for(references, width, height), width, height, rng, travel=False).image
    caption_overlay(prompt, width, height).apply(scene)
    label_overlay(width, height, palette.accent).apply(scene)
    return scene


def ingredients_frames(
    prompt: str, references: Sequence[Frame], width: int, height: int, count: int, seed: int
) -> Iterator[Frame]:
    """``count`` frames travelling across the composed references, captioned and labelled."""
    rng = random_for(prompt, seed)
    palette: Palette = pick_palette(prompt, seed)
    scene = compose_scene(_resized_for(references, width, height), width, height, rng, travel=True)
    if len(scene.panel_centres) == 1:
        camera = CameraMove.push_in(rng, amount=0.1)
    else:
        camera = CameraMove(1.0, 1.06, scene.panel_centres[0], scene.panel_centres[-1])
    caption = caption_overlay(prompt, width, height)
    label = label_overlay(width, height, palette.accent)
    for index in range(count):
        t = index / max(1, count - 1)
        frame = camera.film(scene.image, t, (width, height))
        caption.apply(frame)
        label.apply(frame)
        draw_timeline(frame, t, palette.accent)
        yield frame


def _resized_for(references: Sequence[Frame], width: int, height: int) -> list[Frame]:
    """Shrink huge references first: panels are never larger than the frame."""
    limit = max(width, height)
    shrunk: list[Frame] = []
    for reference in references:
        ref_h, ref_w = reference.shape[:2]
        scale = min(1.0, 1.5 * limit / max(ref_w, ref_h))
        shrunk.append(resize(reference, max(1, round(ref_w * scale)), max(1, round(ref_h * scale))))
    return shrunk
