"""Copying every stored file to another store, and switching the records only when all arrived
(``framecast storage migrate --to s3://bucket/prefix``).

1. Copy: every object under :data:`FOLDERS` (``media``, ``posters``, ``uploads``, ``tutor``) of
   the source (the data dir by default) is streamed to the target, unless the target already
   holds one of the same size and SHA-256 (a re-run copies only what is missing or different).
2. Verify: each copy is read back from the target; its size and SHA-256 must match the source's.
3. Switch: only when every file verified, records that hold an absolute data-dir path
   (``media_files.path`` / ``poster_path``, a message's ``video_path``) are rewritten to keys, which
   every store reads. Nothing is deleted from the source: the local copies stay until the operator
   removes them, after pointing ``FRAMECAST_STORAGE__URL`` at the target.

Any failure stops before the switch; running the command again resumes.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from framecast.core.errors import InvalidInputError, StorageError
from framecast.core.storage import Store, key_of
from framecast.db.library import MediaFile
from framecast.db.session import Database
from framecast.db.tutor import Conversation

# Everything the project writes and serves; the database, the secret and ``work/`` stay behind.
FOLDERS = ("media", "posters", "uploads", "tutor")


@dataclass
class MigrationReport:
    copied: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    records_switched: int = 0
    bytes_copied: int = 0

    @property
    def complete(self) -> bool:
        return not self.failed


async def migrate_storage(
    db: Database,
    data_dir: Path,
    source: Store,
    target: Store,
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> MigrationReport:
    """Copy, verify, then switch (see the module docstring). Raises nothing for one file that
    fails (it is in ``failed`` and the records are not switched); raises
    :class:`StorageError` when a store cannot be listed at all."""
    report = MigrationReport()
    for folder in FOLDERS:
        for info in await source.list(folder):
            try:
                source_sum = await _sha256(source, info.key)
                existing = await target.stat(info.key)
                same_size = existing is not None and existing.size == info.size
                if same_size and await _sha256(target, info.key) == source_sum:
                    report.already_there.append(info.key)
                    continue
                await target.put(info.key, await source.open(info.key))
                copied = await target.stat(info.key)
                if copied is None or copied.size != info.size:
                    raise StorageError(
                        f"{target.where} holds {copied.size if copied else 'no'} bytes, not {info.size}"
                    )
                if await _sha256(target, info.key) != source_sum:
                    raise StorageError(f"the copy in {target.where} does not have the source's SHA-256")
            except StorageError as exc:
                report.failed[info.key] = str(exc)
                progress(f"failed {info.key}: {exc}")
                continue
            report.copied.append(info.key)
            report.bytes_copied += info.size
            progress(f"copied {info.key} ({info.size} bytes)")
    if report.complete:
        report.records_switched = _switch_records(db, data_dir)
    return report


def _switch_records(db: Database, data_dir: Path) -> int:
    """Absolute data-dir paths in records become keys; keys and outside paths stay as they are."""

    def as_key(recorded: str | None) -> str | None:
        if recorded is None or not recorded.startswith("/"):
            return recorded
        try:
            return key_of(data_dir, recorded)
        except InvalidInputError:
            return recorded  # outside the data dir: not the store's, left alone

    switched = 0
    with db.session() as session:
        for row in session.scalars(select(MediaFile)):
            path, poster = as_key(row.path), as_key(row.poster_path)
            if (path, poster) != (row.path, row.poster_path):
                row.path = path or row.path
                row.poster_path = poster
                switched += 1
        for message in session.scalars(select(Conversation).where(Conversation.video_path.is_not(None))):
            video = as_key(message.video_path)
            if video != message.video_path:
                message.video_path = video
                switched += 1
    return switched


async def _sha256(store: Store, key: str) -> str:
    sha = hashlib.sha256()
    stream: AsyncIterator[bytes] = await store.open(key)
    async for chunk in stream:
        sha.update(chunk)
    return sha.hexdigest()
