"""Loading user images: every bad file is refused with its name; good ones come out upright and RGB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.providers.offline.offline_media import png_header_only, save

from framecast.core.errors import InvalidInputError
from framecast.providers.offline.input_images import MAX_PIXELS, contain_fit, cover_fit, load_image


def test_a_good_png_loads_as_rgb(tmp_path: Path) -> None:
    picture = np.zeros((20, 30, 3), np.uint8)
    picture[:, :, 1] = 200
    loaded = load_image(save(picture, tmp_path / "green.png"))

    assert loaded.shape == (20, 30, 3)
    assert loaded.dtype == np.uint8
    assert (loaded == picture).all()
    loaded[0, 0] = 0  # callers may draw on what they get


def test_a_missing_file_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"nowhere\.png"):
        load_image(tmp_path / "nowhere.png")


def test_an_empty_file_is_refused_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"empty\.jpg.*empty"):
        load_image(empty)


def test_a_file_that_is_not_an_image_is_refused_naming_it(tmp_path: Path) -> None:
    fake = tmp_path / "notes.png"
    fake.write_text("these are my notes, not a picture")
    with pytest.raises(InvalidInputError, match=r"notes\.png.*not an image"):
        load_image(fake)


def test_a_truncated_image_is_refused_naming_it(tmp_path: Path) -> None:
    noise = np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    whole = save(noise, tmp_path / "whole.png").read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InvalidInputError, match=r"cut\.png.*(damaged|truncated)"):
        load_image(cut)


def test_an_image_over_40_megapixels_is_refused_before_its_pixels_are_decoded(tmp_path: Path) -> None:
    big = png_header_only(tmp_path / "huge.png", 8000, 6000)
    assert MAX_PIXELS < 8000 * 6000
    with pytest.raises(InvalidInputError, match=r"huge\.png.*8000x6000.*megapixels"):
        load_image(big)


def test_a_decompression_bomb_is_refused_naming_it(tmp_path: Path) -> None:
    bomb = png_header_only(tmp_path / "bomb.png", 30000, 30000)
    with pytest.raises(InvalidInputError, match=r"bomb\.png"):
        load_image(bomb)


def test_exif_orientation_turns_the_picture_upright(tmp_path: Path) -> None:
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:, :20] = (255, 0, 0)  # left half red as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    path = tmp_path / "phone.jpg"
    Image.fromarray(stored).save(path, exif=exif, quality=95)

    upright = load_image(path)

    assert upright.shape == (40, 20, 3)
    # Turning clockwise puts the stored left half on top.
    assert upright[5, 10, 0] > 200
    assert upright[35, 10, 0] < 50


def test_transparent_areas_become_black(tmp_path: Path) -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[:, :, :3] = 255
    rgba[:, 5:, 3] = 255  # right half opaque white, left half fully transparent white
    loaded = load_image(save(rgba, tmp_path / "cutout.png"))

    assert loaded[:, :5].max() == 0
    assert loaded[:, 5:].min() == 255


def test_sixteen_bit_greyscale_is_scaled_rather_than_clipped(tmp_path: Path) -> None:
    deep = np.tile(np.linspace(0, 4000, 32, dtype=np.uint16), (8, 1))
    path = tmp_path / "deep.png"
    Image.fromarray(deep).save(path)

    loaded = load_image(path)

    assert loaded[0, 0, 0] == 0
    assert loaded[0, -1, 0] == 255
    assert 100 < loaded[0, 16, 0] < 160


def test_cover_fit_fills_the_frame_and_crops_the_overflow_evenly() -> None:
    tall = np.zeros((300, 160, 3), np.uint8)
    tall[:100] = (255, 0, 0)  # red top third, green middle, blue bottom
    tall[100:200] = (0, 255, 0)
    tall[200:] = (0, 0, 255)

    fitted = cover_fit(tall, 160, 90)

    assert fitted.shape == (90, 160, 3)
    # 160x300 at 16:9 keeps the middle 90 rows: all green.
    assert fitted[:, :, 1].min() > 200


def test_contain_fit_keeps_the_aspect_inside_the_box() -> None:
    wide = np.zeros((100, 400, 3), np.uint8)
    assert contain_fit(wide, 200, 200).shape == (50, 200, 3)
