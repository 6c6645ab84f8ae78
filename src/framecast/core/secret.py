"""The platform secret: from ``FRAMECAST_WEB__SECRET_KEY``, else generated once into the data dir.

It encrypts provider keys at rest (Fernet) and signs nothing else: sessions and API tokens are random
values whose SHA-256 is stored, so they need no signature.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from framecast.core.settings import Settings


def secret_bytes(settings: Settings) -> bytes:
    configured = settings.web.secret_key
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode("utf-8")
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        _create_once(path)
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _create_once(path: Path) -> None:
    """Write a new secret to ``path`` unless another process did first: the secret is written whole
    to a file of this process's own, then linked into place, which fails if ``path`` exists, so no
    process (several containers starting on one volume) reads a half-written or a different key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    own = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(own, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
            os.link(own, path)
    finally:
        own.unlink(missing_ok=True)


def fernet(settings: Settings) -> Fernet:
    """A Fernet keyed from the platform secret (any length of secret works)."""
    digest = hashlib.sha256(b"framecast-provider-keys:" + secret_bytes(settings)).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
