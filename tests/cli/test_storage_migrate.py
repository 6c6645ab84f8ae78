"""``framecast storage migrate --to s3://...`` against moto: every file copied and verified, records
switched only when all arrived, and a second run copies nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framecast.cli.context import open_database
from framecast.cli.main import mounted_app
from framecast.core.settings import get_settings
from framecast.core.storage import S3Store, store_for_url
from framecast.db.accounts import User
from framecast.db.library import MediaFile
from tests.s3_server import S3Server

runner = CliRunner()
# Where the bucket is and how to sign; the store in use stays the data dir.
KEYS = ("FRAMECAST_STORAGE__ENDPOINT", "FRAMECAST_STORAGE__ACCESS_KEY", "FRAMECAST_STORAGE__SECRET_KEY")


def seed(data_dir: Path) -> dict[str, bytes]:
    files = {
        "media/1/jobs/a/clip.mp4": b"\x00\x00\x00\x18ftypisom" * 1000,
        "media/1/jobs/a/.posters/clip.jpg": b"\xff\xd8poster",
        "uploads/1/frame.png": b"\x89PNGframe",
        "tutor/s1/m1.wav": b"RIFFspeech",
    }
    for key, content in files.items():
        (data_dir / key).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / key).write_bytes(content)
    # Neither of these is the store's: the secret and a renderer's scratch file stay behind.
    (data_dir / "work").mkdir()
    (data_dir / "work" / "scratch.bin").write_bytes(b"scratch")
    (data_dir / "media" / "1" / "jobs" / "a" / ".clip.mp4.x1.tmp").write_bytes(b"half")
    db = open_database()
    with db.session() as session:
        user = User(email="a@example.com", name="A", password_hash="x", is_admin=False, preferences={})
        session.add(user)
        session.flush()
        session.add(
            MediaFile(
                owner_id=user.id,
                kind="video",
                path=str(data_dir / "media/1/jobs/a/clip.mp4"),
                poster_path=str(data_dir / "media/1/jobs/a/.posters/clip.jpg"),
                name="clip.mp4",
                prompt="",
                provider="offline",
                size_bytes=1,
            )
        )
    db.dispose()
    return files


def test_migrate_copies_verifies_switches_and_is_re_runnable(
    isolated_env: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = seed(isolated_env)
    env = s3_server.env(s3_bucket, prefix="fc")
    for name in KEYS:
        monkeypatch.setenv(name, env[name])
    get_settings.cache_clear()
    to = env["FRAMECAST_STORAGE__URL"]

    first = runner.invoke(mounted_app(), ["storage", "migrate", "--to", to])
    assert first.exit_code == 0, first.output
    assert "4 copied" in first.output
    assert "1 records switched" in first.output

    target = store_for_url(get_settings(), to)
    assert isinstance(target, S3Store)
    stored = asyncio.run(target.list())
    assert {info.key: info.size for info in stored} == {key: len(v) for key, v in files.items()}
    db = open_database()
    with db.session() as session:
        row = session.query(MediaFile).one()
        assert (row.path, row.poster_path) == ("media/1/jobs/a/clip.mp4", "media/1/jobs/a/.posters/clip.jpg")
    db.dispose()
    # The local copies stay until the operator removes them.
    assert (isolated_env / "media/1/jobs/a/clip.mp4").is_file()

    again = runner.invoke(mounted_app(), ["storage", "migrate", "--to", to, "--quiet"])
    assert again.exit_code == 0, again.output
    assert "0 copied (0 bytes), 4 already there, 0 failed; 0 records switched" in again.output


def test_a_copy_that_differs_is_copied_again(
    isolated_env: Path, s3_server: S3Server, s3_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(isolated_env)
    env = s3_server.env(s3_bucket, prefix="fc")
    for name in KEYS:
        monkeypatch.setenv(name, env[name])
    get_settings.cache_clear()
    to = env["FRAMECAST_STORAGE__URL"]
    target = store_for_url(get_settings(), to)
    # Same size, other bytes: only the checksum tells them apart.
    asyncio.run(target.put_bytes("uploads/1/frame.png", b"\x89PNGFRAME"))

    result = runner.invoke(mounted_app(), ["storage", "migrate", "--to", to, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "4 copied" in result.output
    assert asyncio.run(target.read_bytes("uploads/1/frame.png")) == b"\x89PNGframe"


def test_migrating_to_the_store_in_use_is_refused(isolated_env: Path) -> None:
    result = runner.invoke(mounted_app(), ["storage", "migrate", "--to", str(isolated_env)])
    assert result.exit_code != 0
    assert "in use already" in str(result.exception)
