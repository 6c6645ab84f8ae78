"""Both stores keep the one contract (``core/storage/base.py``): every test here runs on the data
dir and on a real S3 protocol peer (moto's server, ``tests/s3_server.py``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server
from tests.storage_uploader import blocks, digest

from framecast.core.errors import InvalidInputError, MissingObjectError
from framecast.core.storage import LocalStore, S3Store, Store, key_of
from framecast.core.storage.base import check_key

UPLOADER = Path(__file__).resolve().parents[2] / "storage_uploader.py"
ROOT = Path(__file__).resolve().parents[3]
MIB = 1024 * 1024


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "local":
        return LocalStore(tmp_path / "store")
    server: S3Server = request.getfixturevalue("s3_server")
    return S3Store(
        server.create_bucket(),
        prefix="files",
        endpoint=server.endpoint,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        # Parts of 5 MiB (S3's minimum) so that a few MiB already make a multipart upload.
        part_size=5 * MIB,
    )


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def failing_after(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    raise RuntimeError("the provider's download broke off")


async def read(store: Store, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in await store.open(key, start=start, end=end)])


async def test_a_stream_put_reads_back_whole_with_its_size(store: Store) -> None:
    info = await store.put("media/1/jobs/a/clip.mp4", chunks(b"abc", b"", b"defg"), content_type="video/mp4")
    assert info.key == "media/1/jobs/a/clip.mp4"
    assert info.size == 7
    assert await store.read_bytes("media/1/jobs/a/clip.mp4") == b"abcdefg"
    stat = await store.stat("media/1/jobs/a/clip.mp4")
    assert stat is not None
    assert stat.size == 7
    assert await store.exists("media/1/jobs/a/clip.mp4")


async def test_an_empty_object_is_stored(store: Store) -> None:
    await store.put_bytes("tutor/empty.txt", b"")
    assert await store.read_bytes("tutor/empty.txt") == b""
    info = await store.stat("tutor/empty.txt")
    assert info is not None
    assert info.size == 0


async def test_a_put_replaces_the_object(store: Store) -> None:
    await store.put_bytes("a/b.bin", b"old contents")
    await store.put_bytes("a/b.bin", b"new")
    assert await store.read_bytes("a/b.bin") == b"new"


async def test_ranges_read_just_those_bytes(store: Store) -> None:
    data = bytes(range(256)) * 4
    await store.put_bytes("r.bin", data)
    assert await read(store, "r.bin", 10, 20) == data[10:20]
    assert await read(store, "r.bin", 1000) == data[1000:]
    assert await read(store, "r.bin", 0, 1) == data[:1]
    assert await read(store, "r.bin", 5, 5) == b""


async def test_a_missing_object_is_missing_everywhere(store: Store) -> None:
    assert await store.stat("nothing/here.mp4") is None
    assert not await store.exists("nothing/here.mp4")
    with pytest.raises(MissingObjectError, match=r"nothing/here\.mp4"):
        await store.open("nothing/here.mp4")
    with pytest.raises(MissingObjectError):
        await store.read_bytes("nothing/here.mp4")
    await store.delete("nothing/here.mp4")


async def test_a_stream_that_fails_leaves_no_object(store: Store) -> None:
    # Two parts and a half: on S3 a multipart upload that is never completed.
    with pytest.raises(RuntimeError, match="broke off"):
        await store.put("media/1/big.mp4", failing_after(b"x" * (5 * MIB), b"y" * (5 * MIB), b"z" * 100))
    assert await store.stat("media/1/big.mp4") is None
    assert await store.list("media") == []


async def test_a_stream_that_fails_keeps_the_previous_object(store: Store) -> None:
    await store.put_bytes("media/1/clip.mp4", b"the first result")
    with pytest.raises(RuntimeError):
        await store.put("media/1/clip.mp4", failing_after(b"half of a second"))
    assert await store.read_bytes("media/1/clip.mp4") == b"the first result"


async def test_a_large_stream_goes_up_in_parts_and_reads_back_whole(store: Store) -> None:
    size = 12 * MIB + 12345
    info = await store.put("media/2/long.mp4", chunks(*blocks(size)))
    assert info.size == size
    import hashlib

    sha = hashlib.sha256()
    async for chunk in await store.open("media/2/long.mp4"):
        sha.update(chunk)
    assert sha.hexdigest() == digest(size)


async def test_list_answers_one_folder_sorted_without_its_neighbours(store: Store) -> None:
    for key in ("media/3/b.mp4", "media/3/a/x.png", "media/30/c.mp4", "tutor/1/r.mp3"):
        await store.put_bytes(key, key.encode())
    assert [o.key for o in await store.list("media/3")] == ["media/3/a/x.png", "media/3/b.mp4"]
    assert [o.key for o in await store.list("media/3/")] == ["media/3/a/x.png", "media/3/b.mp4"]
    everything = await store.list()
    assert [o.key for o in everything] == [
        "media/3/a/x.png",
        "media/3/b.mp4",
        "media/30/c.mp4",
        "tutor/1/r.mp3",
    ]
    assert [o.size for o in everything] == [len(o.key) for o in everything]
    assert await store.list("nothing") == []


async def test_delete_removes_one_object(store: Store) -> None:
    await store.put_bytes("d/1.bin", b"1")
    await store.put_bytes("d/2.bin", b"2")
    await store.delete("d/1.bin")
    assert [o.key for o in await store.list("d")] == ["d/2.bin"]


async def test_put_file_copies_or_moves_a_local_file(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "render.mp4"
    source.write_bytes(b"frames")
    await store.put_file("media/4/a.mp4", source)
    assert source.is_file()
    await store.put_file("media/4/b.mp4", source, move=True)
    assert not source.exists()
    assert await store.read_bytes("media/4/a.mp4") == b"frames"
    assert await store.read_bytes("media/4/b.mp4") == b"frames"
    with pytest.raises(FileNotFoundError):
        await store.put_file("media/4/c.mp4", tmp_path / "gone.mp4")


async def test_keys_never_leave_the_root(store: Store) -> None:
    for bad in ("", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "a/./b", "a\nb"):
        with pytest.raises(InvalidInputError):
            await store.put_bytes(bad, b"x")


async def test_the_url_is_presigned_on_s3_and_none_on_the_data_dir(store: Store) -> None:
    await store.put_bytes("media/5/p.png", b"\x89PNG....", content_type="image/png")
    url = await store.url("media/5/p.png")
    if isinstance(store, LocalStore):
        assert url is None
        return
    assert url is not None
    assert "X-Amz-Signature=" in url
    async with httpx.AsyncClient() as client:
        whole = await client.get(url)
        part = await client.get(url, headers={"Range": "bytes=1-3"})
        tampered = await client.get(url.replace("media/5/p.png", "media/5/q.png"))
    assert whole.status_code == 200
    assert whole.content == b"\x89PNG...."
    assert whole.headers["content-type"] == "image/png"
    assert part.status_code == 206
    assert part.content == b"PNG"
    assert tampered.status_code in (403, 404)


async def test_a_store_in_proxy_mode_gives_no_url(s3_server: S3Server) -> None:
    store = S3Store(
        s3_server.create_bucket(),
        endpoint=s3_server.endpoint,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        presign_seconds=None,
    )
    await store.put_bytes("a.bin", b"a")
    assert await store.url("a.bin") is None


def test_check_key_accepts_clean_relative_paths() -> None:
    assert check_key("media/1/jobs/x/clip_2.mp4") == "media/1/jobs/x/clip_2.mp4"


def test_key_of_turns_a_recorded_path_into_a_key(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    assert key_of(data, str(data / "media" / "1" / "a.mp4")) == "media/1/a.mp4"
    assert key_of(data, "tutor/s/m.wav") == "tutor/s/m.wav"
    with pytest.raises(InvalidInputError, match="outside the data dir"):
        key_of(data, "/elsewhere/a.mp4")


# --- In their own process: peak memory and a kill -9 halfway. ---------------------------------------


@pytest.fixture(params=["local", "s3"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRAMECAST_STORAGE__")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    env["FRAMECAST_DATA_DIR"] = str(tmp_path / "data")
    if request.param == "s3":
        server: S3Server = request.getfixturevalue("s3_server")
        env.update(server.env(server.create_bucket()))
    return env


def _store_of(env: dict[str, str]) -> Store:
    if "FRAMECAST_STORAGE__URL" in env:
        bucket, _, prefix = env["FRAMECAST_STORAGE__URL"].removeprefix("s3://").partition("/")
        return S3Store(
            bucket,
            prefix=prefix,
            endpoint=env["FRAMECAST_STORAGE__ENDPOINT"],
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
        )
    return LocalStore(Path(env["FRAMECAST_DATA_DIR"]))


def _upload(env: dict[str, str], key: str, size: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(UPLOADER), "--key", key, "--size", str(size), *extra],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
async def test_storing_a_large_stream_keeps_memory_flat(store_env: dict[str, str]) -> None:
    size = 300 * MIB
    process = _upload(store_env, "media/1/jobs/big/result.mp4", size)
    out, _ = process.communicate(timeout=240)
    assert process.returncode == 0, out
    peak = int(out.strip().splitlines()[-1].removeprefix("done "))
    # Python with Framecast and obstore loaded is about 60 MB; parts in flight add 3 x 5 MiB.
    assert peak < 150 * MIB, f"peak RSS {peak / MIB:.0f} MiB while storing {size / MIB:.0f} MiB"
    info = await _store_of(store_env).stat("media/1/jobs/big/result.mp4")
    assert info is not None
    assert info.size == size


@pytest.mark.slow
async def test_a_kill_during_a_200_mb_upload_leaves_the_object_whole_or_absent(
    store_env: dict[str, str],
) -> None:
    size = 200 * MIB
    key = "media/1/jobs/crash/result.mp4"
    process = _upload(store_env, key, size, "--hold-after", str(60 * MIB))
    assert process.stdout is not None
    for line in process.stdout:
        if int(line.split()[1]) >= 60 * MIB:
            break
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    store = _store_of(store_env)
    assert await store.stat(key) is None
    assert await store.list("media") == []

    rerun = _upload(store_env, key, size)
    out, _ = rerun.communicate(timeout=240)
    assert rerun.returncode == 0, out
    import hashlib

    sha = hashlib.sha256()
    async for chunk in await store.open(key):
        sha.update(chunk)
    assert sha.hexdigest() == digest(size)
