"""Loading user-supplied images safely, and fitting them to a frame.

Every problem with an input image (missing, empty, not an image, truncated, too many pixels to
decode safely) becomes an :class:`InvalidInputError` whose message starts with the file's path, so
a batch user can tell which of many images to fix.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from framecast.core.errors import InvalidInputError
from framecast.providers.offline.camera import Frame

# Far above any camera or generator output, far below what could exhaust memory (40 MP is 120 MB as RGB).
MAX_PIXELS = 40_000_000


def load_image(path: Path) -> Frame:
    """Decode ``path`` to an RGB array, turned upright according to its EXIF orientation.

    Transparent areas are composited over black. Raises :class:`InvalidInputError` naming the file
    when it is missing, empty, not a decodable image, has a zero dimension, or has more than
    40 megapixels (a decompression bomb is refused before its pixels are decoded).
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InvalidInputError(f"{path}: image not found or not readable ({error.strerror})") from error
    if size == 0:
        raise InvalidInputError(f"{path}: the image file is empty")
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width == 0 or height == 0:
                raise InvalidInputError(f"{path}: the image has no pixels ({width}x{height})")
            if width * height > MAX_PIXELS:
                raise InvalidInputError(_too_large(path, width, height))
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = _to_rgb(upright)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow refuses (or, with warnings as errors, warns about) sizes past its own limit on open.
        raise InvalidInputError(f"{path}: the image is too large to decode safely ({error})") from error
    except UnidentifiedImageError as error:
        raise InvalidInputError(f"{path}: not an image format Framecast can read") from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise InvalidInputError(f"{path}: the image is damaged or truncated ({error})") from error
    return np.array(rgb, dtype=np.uint8)


def _too_large(path: Path, width: int, height: int) -> str:
    return (
        f"{path}: {width}x{height} is {width * height / 1e6:.1f} megapixels; "
        f"images may have at most {MAX_PIXELS // 1_000_000} megapixels"
    )


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        return Image.alpha_composite(backdrop, rgba).convert("RGB")
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # Wide greyscale: scale to 8 bits instead of letting convert() clip everything to white.
        values = np.asarray(image, dtype=np.float64)
        peak = float(values.max()) or 1.0
        grey = np.clip(values * (255.0 / peak), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    return image.convert("RGB")


def cover_fit(image: Frame, width: int, height: int) -> Frame:
    """Scale and centre-crop ``image`` so it fills ``width`` x ``height`` exactly (CSS ``cover``)."""
    src_h, src_w = image.shape[:2]
    target = width / height
    if src_w / src_h > target:
        crop_w, crop_h = max(1, round(src_h * target)), src_h
    else:
        crop_w, crop_h = src_w, max(1, round(src_w / target))
    x0, y0 = (src_w - crop_w) // 2, (src_h - crop_h) // 2
    cropped = image[y0 : y0 + crop_h, x0 : x0 + crop_w]
    return resize(cropped, width, height)


def contain_fit(image: Frame, max_width: int, max_height: int) -> Frame:
    """Scale ``image`` to the largest size within ``max_width`` x ``max_height`` keeping its aspect."""
    src_h, src_w = image.shape[:2]
    scale = min(max_width / src_w, max_height / src_h)
    return resize(image, max(1, round(src_w * scale)), max(1, round(src_h * scale)))


def resize(image: Frame, width: int, height: int) -> Frame:
    """Resize with area averaging when shrinking (no aliasing) and bicubic when enlarging."""
    src_h, src_w = image.shape[:2]
    if (src_w, src_h) == (width, height):
        return np.ascontiguousarray(image)
    shrinking = width * height < src_w * src_h
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    return np.asarray(cv2.resize(image, (width, height), interpolation=interpolation), dtype=np.uint8)
