"""One storage interface for every file the project writes and serves (``base.py`` lists them and
their keys), with two backends: the data dir (:class:`LocalStore`, the default) and S3-compatible
object storage (:class:`S3Store`, ``FRAMECAST_STORAGE__URL=s3://bucket/prefix``).

Build the configured one with :func:`open_store`.
"""

from __future__ import annotations

from pathlib import Path

from framecast.core.settings import Settings
from framecast.core.storage.base import ObjectInfo, Store, check_key, chunks_of, key_of
from framecast.core.storage.local import LocalStore, file_chunks
from framecast.core.storage.s3 import S3Store

__all__ = [
    "LocalStore",
    "ObjectInfo",
    "S3Store",
    "Store",
    "check_key",
    "chunks_of",
    "file_chunks",
    "key_of",
    "open_store",
    "store_for_url",
]


def open_store(settings: Settings) -> Store:
    """The store ``settings.storage`` names: the data dir when ``url`` is empty, else the bucket.

    Raises :class:`~framecast.core.errors.ConfigurationError` when obstore is missing.
    """
    if settings.storage.is_s3:
        return S3Store.from_settings(settings.storage)
    return LocalStore(Path(settings.data_dir))


def store_for_url(settings: Settings, url: str) -> Store:
    """A store at ``url`` (``s3://bucket/prefix``, or a local folder) with the endpoint, region and
    keys of ``settings.storage``: the target of ``framecast storage migrate --to``.

    Raises :class:`~framecast.core.errors.ConfigurationError` for an address that is neither.
    """
    if url.startswith("s3://"):
        from pydantic import ValidationError

        from framecast.core.errors import ConfigurationError
        from framecast.core.settings import settings_problems

        try:
            storage = settings.storage.model_copy(update={"url": url})
            storage = type(storage).model_validate(storage.model_dump())
        except ValidationError as exc:
            raise ConfigurationError(settings_problems(exc)) from None
        return S3Store.from_settings(storage)
    if "://" in url and not url.startswith("file://"):
        from framecast.core.errors import ConfigurationError

        raise ConfigurationError(f"{url!r} is not a storage address; write s3://bucket/prefix or a folder")
    return LocalStore(Path(url.removeprefix("file://")))
