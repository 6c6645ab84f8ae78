"""The data dir as a :class:`~framecast.core.storage.base.Store` (the default: ``make run`` keeps
every file where it always was).

A key is a path under the root. :meth:`LocalStore.put` writes a hidden ``.<name>.<random>.tmp``
beside the target (what :func:`framecast.core.files.remove_leftovers` clears after a crash),
flushes it to disk and renames it into place, so a reader sees the old file or the new one. Hidden
files are never listed. Blocking file calls run in worker threads.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import shutil
import stat as stat_mode
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import anyio

from framecast.core.errors import MissingObjectError, StorageError
from framecast.core.files import DISK_FULL_MESSAGE, PARTIAL_SUFFIXES, is_disk_full
from framecast.core.storage.base import READ_CHUNK, ObjectInfo, check_key, chunks_of, folder_prefix


class LocalStore:
    """Files under ``root`` (the data dir)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def where(self) -> str:
        return str(self.root)

    def local_path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, content_type: str | None = None
    ) -> ObjectInfo:
        target = self.local_path(key)
        try:
            handle, temporary = await anyio.to_thread.run_sync(_open_temporary, target)
        except OSError as exc:
            raise _storage_error(exc, target) from exc
        try:
            try:
                async for chunk in chunks:
                    if chunk:
                        await anyio.to_thread.run_sync(handle.write, chunk)
                await anyio.to_thread.run_sync(_commit, handle, temporary, target)
            except OSError as exc:
                raise _storage_error(exc, target) from exc
        except BaseException:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
            raise
        return await self._info(key, target)

    async def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> ObjectInfo:
        return await self.put(key, chunks_of(data), content_type=content_type)

    async def put_file(
        self, key: str, path: Path, *, content_type: str | None = None, move: bool = False
    ) -> ObjectInfo:
        target = self.local_path(key)
        if move:
            try:
                await anyio.to_thread.run_sync(_move, Path(path), target)
            except FileNotFoundError:
                raise
            except OSError as exc:
                raise _storage_error(exc, target) from exc
            return await self._info(key, target)
        if not await anyio.Path(path).is_file():
            raise FileNotFoundError(f"no file {path} to store")
        return await self.put(key, file_chunks(Path(path)), content_type=content_type)

    async def open(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self.local_path(key)
        try:
            handle = await anyio.to_thread.run_sync(_open_for_reading, path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise MissingObjectError(key, self.where) from None
        except OSError as exc:
            raise _storage_error(exc, path) from exc
        return _read_range(handle, start, end)

    async def read_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in await self.open(key)])

    async def stat(self, key: str) -> ObjectInfo | None:
        path = self.local_path(key)
        try:
            return await self._info(key, path)
        except MissingObjectError:
            return None

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    async def delete(self, key: str) -> None:
        await anyio.Path(self.local_path(key)).unlink(missing_ok=True)

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        folder = folder_prefix(prefix)
        return await anyio.to_thread.run_sync(self._walk, folder)

    async def url(self, key: str) -> str | None:
        check_key(key)
        return None

    def _walk(self, folder: str) -> builtins.list[ObjectInfo]:
        base = self.root / folder if folder else self.root
        found: builtins.list[ObjectInfo] = []
        if not base.is_dir():
            return found
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in filenames:
                if name.startswith(".") and name.endswith(PARTIAL_SUFFIXES):
                    continue  # a write not committed (or what a crash left)
                path = Path(dirpath) / name
                with contextlib.suppress(FileNotFoundError):
                    st = path.stat()
                    key = path.relative_to(self.root).as_posix()
                    found.append(ObjectInfo(key, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC)))
        return sorted(found, key=lambda info: info.key)

    async def _info(self, key: str, path: Path) -> ObjectInfo:
        try:
            st = await anyio.Path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            raise MissingObjectError(key, self.where) from None
        if not stat_mode.S_ISREG(st.st_mode):
            raise MissingObjectError(key, self.where)
        return ObjectInfo(key, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))


async def file_chunks(path: Path, chunk: int = READ_CHUNK) -> AsyncIterator[bytes]:
    """A local file as a stream for :meth:`Store.put` (one chunk in memory at a time)."""
    handle = await anyio.to_thread.run_sync(_open_for_reading, path)
    async for block in _read_range(handle, 0, None, chunk):
        yield block


def _open_temporary(target: Path) -> tuple[BinaryIO, Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    return os.fdopen(fd, "wb"), Path(name)


def _commit(handle: BinaryIO, temporary: Path, target: Path) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()
    os.replace(temporary, target)
    _fsync_dir(target.parent)


def _move(source: Path, target: Path) -> None:
    if not source.is_file():
        raise FileNotFoundError(f"no file {source} to store")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        # Another filesystem: copy beside the target, then rename, so the target is never half.
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(fd)
        try:
            shutil.copyfile(source, name)
            os.replace(name, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
            raise
        source.unlink(missing_ok=True)


def _open_for_reading(path: Path) -> BinaryIO:
    if path.is_dir():
        raise IsADirectoryError(path)
    return path.open("rb")


async def _read_range(
    handle: BinaryIO, start: int, end: int | None, chunk: int = READ_CHUNK
) -> AsyncIterator[bytes]:
    try:
        if start:
            await anyio.to_thread.run_sync(handle.seek, start)
        left = None if end is None else max(0, end - start)
        while left is None or left > 0:
            block = await anyio.to_thread.run_sync(handle.read, chunk if left is None else min(chunk, left))
            if not block:
                return
            if left is not None:
                left -= len(block)
            yield block
    finally:
        handle.close()


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _storage_error(exc: OSError, path: Path) -> StorageError:
    if is_disk_full(exc):
        return StorageError(DISK_FULL_MESSAGE)
    return StorageError(f"could not use {path}: {exc.strerror or exc}")
