"""Uploaded images are judged by content, size and pixel count, and every refusal names its field."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from framecast.db.models import Job
from framecast.web.context import WebContext
from tests.web.conftest import Account


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (64, 36), color: tuple[int, int, int] = (200, 90, 40)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def noisy_jpeg(size: tuple[int, int] = (128, 96)) -> bytes:
    """A JPEG whose entropy-coded data is long enough that cutting it loses real pixels."""
    image = Image.effect_noise(size, 80).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and header claiming ``width`` x ``height``, with almost no pixel data.

    Decoding it would need width * height * 3 bytes; it must be refused from the header alone.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def frames_job(
    client: TestClient, account: Account, start: tuple[str, bytes, str], **extra_files: Any
) -> Any:
    files: list[tuple[str, tuple[str, bytes, str]]] = [("start_image", start)]
    for name, value in extra_files.items():
        files.append((name, value))
    return client.post(
        "/api/jobs",
        data={"mode": "frames", "prompt": "the frame comes alive"},
        files=files,
        headers=account.headers,
    )


def job_count(web: WebContext) -> int:
    with web.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Job)) or 0)


def upload_folder(web: WebContext, account: Account) -> Path:
    return web.upload_root / str(account.user_id)


def stored_files(web: WebContext, account: Account) -> list[str]:
    folder = upload_folder(web, account)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def refusal(response: Any) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"]["type"] == "invalid_input"
    message: str = body["error"]["message"]
    return message


def test_a_png_named_jpg_is_accepted_and_kept_as_png(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = frames_job(client, alice, ("photo.jpg", image_bytes("PNG"), "image/jpeg"))

    assert response.status_code == 201, response.text
    with web.db.session() as session:
        job = session.get(Job, response.json()["id"])
        assert job is not None
        start = Path(job.request["start_image"])
    assert start.parent == upload_folder(web, alice)
    assert start.suffix == ".png"
    assert start.read_bytes() == image_bytes("PNG")


def test_jpeg_and_webp_are_accepted_with_their_real_extensions(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = frames_job(
        client,
        alice,
        ("start.bin", image_bytes("JPEG"), "application/octet-stream"),
        end_image=("end.png", image_bytes("WEBP"), "image/png"),
    )

    assert response.status_code == 201, response.text
    assert sorted(Path(name).suffix for name in stored_files(web, alice)) == [".jpg", ".webp"]


def test_a_text_file_named_png_is_refused_naming_the_field(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = frames_job(client, alice, ("frame.png", b"hello, I am text\n" * 10, "image/png"))

    assert refusal(response) == "Start frame: not an image (JPEG, PNG or WebP expected)"
    assert job_count(web) == 0
    assert stored_files(web, alice) == []


def test_a_gif_is_refused_as_a_gif(client: TestClient, web: WebContext, alice: Account) -> None:
    response = frames_job(client, alice, ("anim.gif", image_bytes("GIF"), "image/gif"))

    message = refusal(response)
    assert message.startswith("Start frame: GIF images are not accepted")
    assert "JPEG, PNG or WebP expected" in message
    assert stored_files(web, alice) == []


def test_an_upload_over_the_size_limit_is_refused(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    web.settings.web.max_upload_bytes = 1024
    big = png_header_only(16, 16) + b"\x00" * 2000

    response = frames_job(client, alice, ("big.png", big, "image/png"))

    assert refusal(response) == "Start frame: the file is larger than the 1,024-byte upload limit"
    assert job_count(web) == 0
    assert stored_files(web, alice) == []


def test_an_empty_file_is_refused(client: TestClient, alice: Account) -> None:
    response = frames_job(client, alice, ("empty.png", b"", "image/png"))

    assert refusal(response) == "Start frame: the file is empty"


def test_a_decompression_bomb_is_refused_from_its_header(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 200

    response = frames_job(client, alice, ("bomb.png", bomb, "image/png"))

    assert refusal(response) == "Start frame: the image has too many pixels (at most 40,000,000 allowed)"
    assert stored_files(web, alice) == []


def test_an_image_over_the_configured_pixel_limit_is_refused_before_decoding(
    client: TestClient, alice: Account
) -> None:
    # 64 million pixels: under Pillow's own bomb limit, over ours (40 million by default).
    response = frames_job(client, alice, ("wide.png", png_header_only(8000, 8000), "image/png"))

    assert refusal(response) == (
        "Start frame: the image is 8000x8000 = 64,000,000 pixels, more than the 40,000,000 allowed"
    )


def test_the_pixel_limit_comes_from_the_settings(client: TestClient, web: WebContext, alice: Account) -> None:
    web.settings.web.max_image_pixels = 1000

    response = frames_job(client, alice, ("small.png", image_bytes("PNG", size=(40, 30)), "image/png"))

    assert refusal(response) == "Start frame: the image is 40x30 = 1,200 pixels, more than the 1,000 allowed"


def test_a_truncated_jpeg_is_refused(client: TestClient, web: WebContext, alice: Account) -> None:
    whole = noisy_jpeg()
    cut = whole[: len(whole) // 2]

    response = frames_job(client, alice, ("cut.jpg", cut, "image/jpeg"))

    message = refusal(response)
    assert message.startswith("Start frame: the JPEG file is truncated or damaged and cannot be decoded")
    assert stored_files(web, alice) == []


def test_a_png_with_a_broken_checksum_is_refused(client: TestClient, alice: Account) -> None:
    data = bytearray(image_bytes("PNG"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # a byte of compressed pixel data: the chunk's CRC no longer matches

    response = frames_job(client, alice, ("broken.png", bytes(data), "image/png"))

    assert refusal(response).startswith("Start frame: the PNG file is truncated or damaged")


def test_a_bad_end_image_is_named_and_the_good_start_image_is_not_kept(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = frames_job(
        client,
        alice,
        ("start.png", image_bytes("PNG"), "image/png"),
        end_image=("end.png", b"<html>not an image</html>", "image/png"),
    )

    assert refusal(response) == "End frame: not an image (JPEG, PNG or WebP expected)"
    assert stored_files(web, alice) == []
    assert job_count(web) == 0


def test_a_bad_reference_image_is_named(client: TestClient, alice: Account) -> None:
    response = client.post(
        "/api/jobs",
        data={"mode": "ingredients", "prompt": "a cat and a hat"},
        files=[
            ("reference_images", ("cat.png", image_bytes("PNG"), "image/png")),
            ("reference_images", ("hat.gif", image_bytes("GIF"), "image/gif")),
        ],
        headers=alice.headers,
    )

    assert refusal(response).startswith("Reference images: GIF images are not accepted")


def test_a_png_with_a_damaged_header_is_refused_without_naming_server_paths(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    data = png_header_only(64, 36).replace(b"IHDR", b"IHDX", 1)

    response = frames_job(client, alice, ("odd.png", data, "image/png"))

    message = refusal(response)
    assert message.startswith("Start frame: the PNG header is damaged")
    assert str(web.upload_root) not in message
    assert ".part" not in message


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"BM" + b"\x00" * 20, "BMP images are not accepted"),
        (b"II*\x00" + b"\x00" * 20, "TIFF images are not accepted"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 12, "HEIC/AVIF images are not accepted"),
        (b"%PDF-1.7\n" + b"\x00" * 20, "not an image"),
    ],
)
def test_other_formats_are_named_in_the_refusal(
    client: TestClient, alice: Account, head: bytes, expected: str
) -> None:
    response = frames_job(client, alice, ("file.png", head, "image/png"))

    assert refusal(response) == f"Start frame: {expected} (JPEG, PNG or WebP expected)"
