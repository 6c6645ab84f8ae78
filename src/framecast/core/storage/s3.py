"""S3-compatible object storage as a :class:`~framecast.core.storage.base.Store`
(``FRAMECAST_STORAGE__URL=s3://bucket/prefix``): AWS, MinIO, Ceph, R2, or moto's server in tests.

Client: `obstore <https://developmental-seed.github.io/obstore/>`_ (Python bindings of the Rust
``object_store`` crate that Arrow, Polars and DataFusion use), chosen over boto3/aioboto3 because
it gives, in one well-kept package with type stubs:

- streaming uploads from an async iterator with bounded memory: ``put_async`` buffers at most
  ``chunk_size`` x ``max_concurrency`` bytes and switches to a multipart upload above one chunk;
  completing the upload is the commit (S3 shows an object only once its single PUT or its
  ``CompleteMultipartUpload`` succeeded), so an error in the stream or a killed process leaves no
  object. An interrupted multipart upload leaves invisible parts; a bucket lifecycle rule
  (``AbortIncompleteMultipartUpload``) reclaims them;
- ranged, streamed GETs and presigned GET URLs (SigV4) without hand-written signing;
- native async (no thread per request, unlike boto3), and it works against moto's server with
  path-style requests over plain http (``virtual_hosted_style_request=False``, ``allow_http``).

Every obstore error is translated here, once: a missing object becomes
:class:`~framecast.core.errors.MissingObjectError`, anything else
:class:`~framecast.core.errors.StorageError` naming the bucket.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from framecast.core.errors import ConfigurationError, MissingObjectError, StorageError
from framecast.core.storage.base import READ_CHUNK, ObjectInfo, check_key, chunks_of, folder_prefix
from framecast.core.storage.local import file_chunks

if TYPE_CHECKING:
    from framecast.core.settings import StorageSettings

# Bytes per part of a multipart upload (S3's minimum part: at most 48 GiB in 10,000 parts) and parts
# in flight: about 15 MiB buffered per upload (bench/memory.py: 1 GiB stored at a 128 MB peak).
PART_SIZE = 5 * 1024 * 1024
PARTS_IN_FLIGHT = 3
_INSTALL = "pip install 'obstore>=0.8'"


class S3Store:
    """Objects under ``prefix`` in ``bucket``; ``presign_seconds`` None: :meth:`url` answers None
    (the app proxies every read)."""

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint: str = "",
        region: str = "us-east-1",
        access_key: str | None = None,
        secret_key: str | None = None,
        path_style: bool = True,
        presign_seconds: int | None = 900,
        part_size: int = PART_SIZE,
    ) -> None:
        try:
            from obstore.store import S3Store as ObstoreS3
        except ImportError:  # pragma: no cover - a runtime dependency
            raise ConfigurationError(f"S3 storage needs obstore: {_INSTALL}") from None
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region
        self.path_style = path_style
        self.prefix = prefix.strip("/")
        self.presign_seconds = presign_seconds
        self.part_size = part_size
        config: dict[str, Any] = {"region": region, "virtual_hosted_style_request": not path_style}
        if endpoint:
            config["endpoint"] = endpoint
        if access_key and secret_key:
            config["access_key_id"] = access_key
            config["secret_access_key"] = secret_key
        self._store = ObstoreS3(
            bucket,
            prefix=self.prefix or None,
            config=config,  # type: ignore[arg-type]
            client_options={"allow_http": endpoint.startswith("http://"), "connect_timeout": "10s"},
            retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=60)},
        )

    @classmethod
    def from_settings(cls, storage: StorageSettings) -> S3Store:
        return cls(
            storage.bucket,
            prefix=storage.prefix,
            endpoint=storage.endpoint,
            region=storage.region,
            access_key=storage.access_key.get_secret_value() if storage.access_key else None,
            secret_key=storage.secret_key.get_secret_value() if storage.secret_key else None,
            path_style=storage.path_style,
            presign_seconds=storage.presign_seconds if storage.serve == "presign" else None,
        )

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def local_path(self, key: str) -> Path | None:
        return None

    async def put(
        self, key: str, chunks: AsyncIterable[bytes], *, content_type: str | None = None
    ) -> ObjectInfo:
        import obstore

        check_key(key)
        attributes: dict[str, str] = {"Content-Type": content_type} if content_type else {}
        try:
            await obstore.put_async(
                self._store,
                key,
                _nonempty(chunks),
                attributes=attributes or None,
                chunk_size=self.part_size,
                max_concurrency=PARTS_IN_FLIGHT,
            )
        except Exception as exc:
            raise self._translate(exc, key) from _cause(exc)
        info = await self.stat(key)
        if info is None:
            raise StorageError(f"{self.where} did not keep {key!r} after accepting it", retry_safe=True)
        return info

    async def put_bytes(self, key: str, data: bytes, *, content_type: str | None = None) -> ObjectInfo:
        return await self.put(key, chunks_of(data), content_type=content_type)

    async def put_file(
        self, key: str, path: Path, *, content_type: str | None = None, move: bool = False
    ) -> ObjectInfo:
        if not await anyio.Path(path).is_file():
            raise FileNotFoundError(f"no file {path} to store")
        info = await self.put(key, file_chunks(Path(path), READ_CHUNK * 4), content_type=content_type)
        if move:
            await anyio.Path(path).unlink(missing_ok=True)
        return info

    async def open(self, key: str, *, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        import obstore

        check_key(key)
        if end is not None and end <= start:
            return _empty()
        options: dict[str, Any] = {}
        if start or end is not None:
            options["range"] = (start, end) if end is not None else {"offset": start}
        try:
            result = await obstore.get_async(self._store, key, options=options or None)  # type: ignore[arg-type]
        except Exception as exc:
            raise self._translate(exc, key) from _cause(exc)
        return self._stream(result.stream(min_chunk_size=READ_CHUNK), key)

    async def read_bytes(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in await self.open(key)])

    async def stat(self, key: str) -> ObjectInfo | None:
        import obstore

        check_key(key)
        try:
            meta = await obstore.head_async(self._store, key)
        except FileNotFoundError:
            return None
        except Exception as exc:
            raise self._translate(exc, key) from _cause(exc)
        return ObjectInfo(key, int(meta["size"]), meta["last_modified"])

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    async def delete(self, key: str) -> None:
        import obstore

        check_key(key)
        try:
            await obstore.delete_async(self._store, key)
        except FileNotFoundError:
            return
        except Exception as exc:
            raise self._translate(exc, key) from _cause(exc)

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        import obstore

        folder = folder_prefix(prefix)
        found: list[ObjectInfo] = []
        try:
            # A trailing slash is a folder for us; object_store's prefix is a path (no slash).
            async for batch in obstore.list(self._store, prefix=folder.rstrip("/") or None):
                for meta in batch:
                    key = str(meta["path"])
                    if key.startswith(folder):
                        found.append(ObjectInfo(key, int(meta["size"]), meta["last_modified"]))
        except Exception as exc:
            raise self._translate(exc, folder or "/") from _cause(exc)
        return sorted(found, key=lambda info: info.key)

    async def url(self, key: str) -> str | None:
        import obstore

        check_key(key)
        if self.presign_seconds is None:
            return None
        try:
            return await obstore.sign_async(self._store, "GET", key, timedelta(seconds=self.presign_seconds))
        except Exception as exc:
            raise self._translate(exc, key) from _cause(exc)

    async def _stream(self, stream: AsyncIterator[bytes], key: str) -> AsyncIterator[bytes]:
        try:
            async for chunk in stream:
                yield bytes(chunk)
        except Exception as exc:
            raise self._translate(exc, key) from _cause(exc)

    def _translate(self, exc: Exception, key: str) -> Exception:
        """The one boundary from obstore's errors to ours; errors raised by the caller's own
        stream (not obstore's) pass through unchanged."""
        from obstore.exceptions import BaseError, PermissionDeniedError, UnauthenticatedError

        if isinstance(exc, FileNotFoundError):
            return MissingObjectError(key, self.where)
        if isinstance(exc, UnauthenticatedError | PermissionDeniedError):
            return StorageError(
                f"{self.where} refused the credentials for {key!r}; check FRAMECAST_STORAGE__ACCESS_KEY "
                "and FRAMECAST_STORAGE__SECRET_KEY"
            )
        if isinstance(exc, BaseError | OSError | ValueError):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return StorageError(f"{self.where} failed for {key!r}: {first}", retry_safe=True)
        return exc


def _cause(exc: Exception) -> Exception | None:
    """What a translated error was raised from: obstore's error; None for the caller's own error,
    which :meth:`S3Store._translate` passes through as it is."""
    from obstore.exceptions import BaseError

    return exc if isinstance(exc, BaseError | OSError | ValueError) else None


async def _nonempty(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        if chunk:
            yield chunk


async def _empty() -> AsyncIterator[bytes]:
    return
    yield b""  # pragma: no cover - makes this an async generator
