"""What every request handler needs, built once per application and kept on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from cryptography.fernet import Fernet
from fastapi.templating import Jinja2Templates

from framecast.core.errors import InvalidInputError
from framecast.core.settings import Settings
from framecast.core.storage import LocalStore, Store, key_of
from framecast.db.news import News
from framecast.db.session import Database
from framecast.jobs.control import JobControl
from framecast.providers import registry
from framecast.web.security.media_links import MediaLinks

if TYPE_CHECKING:
    from framecast.tutor.runtime import TutorRuntime

WEB_DIR = Path(__file__).resolve().parent


@dataclass
class WebContext:
    settings: Settings
    db: Database
    templates: Jinja2Templates
    fernet: Fernet
    # Every media URL an answer carries (absolute and signed with a public address configured).
    media_links: MediaLinks
    # Tutor conversations (engine, providers, avatar queue); None only in apps built without it.
    tutor: TutorRuntime | None = None
    # What other processes announce (job changes, Tutor events); None: streams poll.
    news: News | None = None
    # Where every file is kept (``core/storage``); None: the data dir.
    storage: Store | None = None

    def job_control(self) -> JobControl:
        """Cancel, retry, pause: with providers named by their labels in messages."""
        return JobControl(
            self.db,
            label=lambda name: registry.label(name, self.settings),
            paid=lambda name: registry.may_charge(name, self.settings),
        )

    @property
    def store(self) -> Store:
        """The configured store: the data dir unless ``FRAMECAST_STORAGE__URL`` names a bucket."""
        if self.storage is None:
            self.storage = LocalStore(Path(self.settings.data_dir))
        return self.storage

    def stored(self, recorded: str) -> tuple[Store, str]:
        """The store and key of a file as a record holds it: a key, or an absolute path under the
        data dir, in the configured store; an absolute path elsewhere (a file some older command
        recorded outside the data dir) is read from that folder of the local disk."""
        try:
            return self.store, key_of(Path(self.settings.data_dir), recorded)
        except InvalidInputError:
            path = Path(recorded)
            if not path.is_absolute():
                raise
            return LocalStore(path.parent), path.name

    async def locate(self, recorded: str) -> tuple[Store, str]:
        """:meth:`stored`, except that a file not (yet) in a bucket but still on the local disk is
        read from there: writers not moved to the store yet, and files ``framecast storage
        migrate`` has not copied, keep working while ``FRAMECAST_STORAGE__URL`` names a bucket."""
        store, key = self.stored(recorded)
        if store.local_path(key) is None and not await store.exists(key):
            local = LocalStore(Path(self.settings.data_dir))
            if await anyio.Path(local.local_path(key)).is_file():
                return local, key
        return store, key

    @property
    def media_root(self) -> Path:
        """Where web jobs write their files: ``<data_dir>/media/<user id>/...``."""
        return Path(self.settings.data_dir) / "media"

    @property
    def upload_root(self) -> Path:
        """Where uploaded frames, references and batch files are kept: ``<data_dir>/uploads/<user id>``."""
        return Path(self.settings.data_dir) / "uploads"
