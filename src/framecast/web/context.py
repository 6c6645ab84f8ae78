"""What every request handler needs, built once per application and kept on ``app.state``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet
from fastapi.templating import Jinja2Templates

from framecast.core.settings import Settings
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

    def job_control(self) -> JobControl:
        """Cancel, retry, pause: with providers named by their labels in messages."""
        return JobControl(
            self.db,
            label=lambda name: registry.label(name, self.settings),
            paid=lambda name: registry.may_charge(name, self.settings),
        )

    @property
    def media_root(self) -> Path:
        """Where web jobs write their files: ``<data_dir>/media/<user id>/...``."""
        return Path(self.settings.data_dir) / "media"

    @property
    def upload_root(self) -> Path:
        """Where uploaded frames, references and batch files are kept: ``<data_dir>/uploads/<user id>``."""
        return Path(self.settings.data_dir) / "uploads"
