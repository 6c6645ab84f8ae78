"""The storyboard card: the prompt set on a gradient, still (create-image) or filmed (text-to-video).

The card says plainly what it is (a small "Framecast offline render" label): the offline renderer
is a free dry run, not a generative model. Colours and camera moves depend on the prompt and the
seed, so the outputs of one request differ and a batch does not look like one repeated slide.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from framecast.providers.offline.camera import CameraMove, Frame
from framecast.providers.offline.overlay import Overlay, Particles, draw_timeline
from framecast.providers.offline.typography import draw_block, fit_text, font, label_patch, text_width

Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    start: Rgb  # one end of the gradient (the darker)
    end: Rgb  # the other end
    accent: Rgb  # the label dot, the rule above the text, the timeline


PALETTES: tuple[Palette, ...] = (
    Palette((14, 22, 48), (18, 92, 110), (120, 220, 210)),  # midnight to teal
    Palette((40, 16, 56), (176, 80, 94), (255, 190, 150)),  # plum to coral
    Palette((12, 40, 34), (92, 124, 82), (236, 214, 160)),  # forest to moss
    Palette((24, 26, 32), (70, 96, 140), (170, 200, 255)),  # graphite to steel blue
    Palette((20, 18, 66), (104, 58, 152), (220, 180, 255)),  # indigo to violet
    Palette((52, 12, 24), (178, 110, 46), (255, 214, 140)),  # burgundy to amber
    Palette((8, 34, 64), (38, 132, 122), (170, 255, 210)),  # deep ocean to mint
    Palette((34, 36, 52), (150, 86, 114), (255, 190, 210)),  # slate to rose
)


def random_for(prompt: str, seed: int) -> np.random.Generator:
    """A generator that depends on the prompt and the seed, identical across runs and machines."""
    return np.random.default_rng([zlib.crc32(prompt.encode("utf-8")), seed])


def pick_palette(prompt: str, seed: int) -> Palette:
    """Consecutive seeds of one prompt get different palettes."""
    return PALETTES[(zlib.crc32(prompt.encode("utf-8")) + seed) % len(PALETTES)]


def gradient(width: int, height: int, palette: Palette, rng: np.random.Generator) -> Frame:
    """A diagonal two-colour gradient with a soft glow of the accent colour and a gentle vignette."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    u, v = xs / width - 0.5, ys / height - 0.5
    angle = rng.uniform(0.0, 2.0 * np.pi)
    along = u * np.cos(angle) + v * np.sin(angle)
    mix = np.clip(along / 0.75 + 0.5, 0.0, 1.0)[..., None]
    start = np.array(palette.start, dtype=np.float32)
    end = np.array(palette.end, dtype=np.float32)
    image = start + (end - start) * mix
    gx, gy = rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)
    aspect = width / height
    glow = np.exp(-(((u - gx) * aspect) ** 2 + (v - gy) ** 2) / 0.12)[..., None]
    image += (np.array(palette.accent, dtype=np.float32) - image) * glow * 0.18
    vignette = 1.0 - 0.35 * np.clip((u * u + v * v) / 0.5, 0.0, 1.0)[..., None]
    return np.ascontiguousarray(np.clip(image * vignette, 0, 255).astype(np.uint8))


def render_card(prompt: str, width: int, height: int, seed: int, *, kicker: str) -> Frame:
    """The card's scene (without the label): gradient, a small kicker line, a rule, the prompt."""
    rng = random_for(prompt, seed)
    palette = pick_palette(prompt, seed)
    background = gradient(width, height, palette, rng)
    short = min(width, height)
    portrait = height > width
    # Narrow enough that the camera's closest, most off-centre view never cuts a line.
    box_w = round(width * (0.76 if portrait else 0.74))
    box_h = round(height * (0.5 if portrait else 0.46))
    block = fit_text(prompt, box_w, box_h, largest=round(short * 0.068), smallest=round(short * 0.03))

    kicker_face = font(max(7, round(short * 0.024)))
    kicker_h = round(short * 0.024 * 1.3)
    rule_h = max(2, round(short / 160))
    gap = round(short * 0.03)
    total = kicker_h + gap + rule_h + gap + block.height
    top = (height - total) // 2

    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    kicker_text = kicker.upper()
    pen.text(
        ((width - text_width(kicker_text, kicker_face)) / 2, top),
        kicker_text,
        font=kicker_face,
        fill=(*palette.accent, 220),
    )
    rule_w = round(short * 0.09)
    rule_y = top + kicker_h + gap
    pen.rectangle(
        ((width - rule_w) // 2, rule_y, (width + rule_w) // 2, rule_y + rule_h), fill=(*palette.accent, 230)
    )
    text_top = rule_y + rule_h + gap
    draw_block(
        layer, block, ((width - box_w) // 2, text_top), fill=(246, 246, 250, 255), align_centre_width=box_w
    )

    card = Image.fromarray(background).convert("RGBA")
    card.alpha_composite(layer)
    return np.array(card.convert("RGB"), dtype=np.uint8)


def label_overlay(width: int, height: int, accent: Rgb) -> Overlay:
    """The "Framecast offline render" pill, pinned to the top-left corner."""
    short = min(width, height)
    margin = round(short * 0.035)
    return Overlay.from_image(label_patch(short, accent=accent), margin, margin)


def card_still(prompt: str, width: int, height: int, seed: int) -> Frame:
    """The card as a still image, label included (create-image without references)."""
    frame = render_card(prompt, width, height, seed, kicker="Storyboard · image")
    label_overlay(width, height, pick_palette(prompt, seed).accent).apply(frame)
    return frame


def card_frames(prompt: str, width: int, height: int, count: int, seed: int) -> Iterator[Frame]:
    """``count`` frames of the card filmed with a slow Ken Burns move, drifting light and a timeline."""
    rng = random_for(prompt, seed)
    palette = pick_palette(prompt, seed)
    scene = render_card(prompt, width, height, seed, kicker="Storyboard · text to video")
    camera = CameraMove.drift(rng)
    particles = Particles(rng, width, height, colour=_lighter(palette.accent))
    label = label_overlay(width, height, palette.accent)
    for index in range(count):
        t = index / max(1, count - 1)
        frame = camera.film(scene, t, (width, height))
        particles.draw(frame, t)
        label.apply(frame)
        draw_timeline(frame, t, palette.accent)
        yield frame


def _lighter(colour: Rgb) -> Rgb:
    r, g, b = colour
    return ((r + 255 * 2) // 3, (g + 255 * 2) // 3, (b + 255 * 2) // 3)
