"""The one exception hierarchy of Framecast.

::

    FramecastError                      base of everything we raise on purpose
    ├── ConfigurationError              settings are missing or contradictory (e.g. no API key)
    ├── InvalidInputError               a file, row, form field or message is wrong; names what and where
    │   └── BatchInputError             a TXT/CSV batch file is wrong (carries path and line)
    ├── NotFoundError                   a job, batch or file id does not exist (or is not yours)
    │   └── MissingObjectError          no stored file under that key (``core/storage``)
    ├── StorageError                    the file store failed: unreachable, refused the credentials,
    │                                   disk full; carries ``retry_safe``
    ├── AccessError                     the web layer refused the caller
    │   ├── NotAuthenticatedError       no valid session, token or credentials (HTTP 401)
    │   ├── ForbiddenError              logged in but not allowed, or a bad CSRF token (HTTP 403)
    │   └── TooManyAttemptsError        login attempts over the limit; carries ``retry_after`` (429)
    ├── JobStateError                   an illegal job state transition was attempted (HTTP 409)
    │   └── AlreadySentError            cancel of a job already sent to a paid provider: it will
    │                                   finish and be charged, and its result is kept
    ├── DownloadError                   a result could not be downloaded or failed verification
    └── ProviderError                   a remote or local provider failed; carries ``provider``,
        │                               ``category``, ``retry_safe`` and ``retry_after``
        ├── NotSentError                the request never reached the provider: retrying is safe
        ├── RefusedError                the provider refused before accepting (429, 5xx before
        │                               acceptance, maintenance page, reCAPTCHA): retry after a pause
        ├── AmbiguousError              the request may have been accepted and charged (read timeout,
        │                               dropped/stalled/empty stream, completion without a URL):
        │                               never resubmit before reconciling with provider history
        ├── GenerationFailedError       the provider accepted the work, then reported it failed
        │                               ("Create video error", unsafe content, filtered audio): it
        │                               was charged unless the provider refunds failures, so it is
        │                               never resubmitted on its own
        └── PermanentError              retrying cannot help (401, 402, unsafe content, bad request)

``category`` is one of :class:`ErrorCategory`. The HTTP status → category table lives in
``framecast.providers.http_errors``; nothing else decides categories from status codes.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class ErrorCategory(StrEnum):
    AUTH = "auth"
    QUOTA = "quota"
    RATE_LIMIT = "rate_limit"
    REFUSED = "refused"
    NOT_SENT = "not_sent"
    AMBIGUOUS = "ambiguous"
    SERVER = "server"
    INVALID_INPUT = "invalid_input"
    UNSAFE_CONTENT = "unsafe_content"


class FramecastError(Exception):
    """Base class; ``str(error)`` is a message fit to show a user."""

    exit_code: int = 1


class ConfigurationError(FramecastError):
    exit_code = 2


class InvalidInputError(FramecastError):
    """Bad input. ``field`` is the form or JSON field at fault (for pages to point at), when known;
    the message itself names it by the label the user sees ("Start frame: ..."), never by ``field``."""

    exit_code = 2

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BatchInputError(InvalidInputError):
    """A batch file problem; the message names the file, the line and what is wrong."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {problem}")


class NotFoundError(FramecastError):
    pass


class MissingObjectError(NotFoundError):
    """Nothing is stored under ``key`` (never written, deleted, or its write never committed)."""

    def __init__(self, key: str, where: str) -> None:
        super().__init__(f"no stored file {key!r} in {where}")
        self.key = key


class StorageError(FramecastError):
    """The file store (the data dir or an S3 bucket) failed. ``retry_safe`` is True when the same
    call may succeed later (a network failure, a 5xx); a write that failed left nothing visible."""

    def __init__(self, message: str, *, retry_safe: bool = False) -> None:
        super().__init__(message)
        self.retry_safe = retry_safe


class JobStateError(FramecastError):
    pass


class AlreadySentError(JobStateError):
    """A cancel came too late: the job is already with a paid provider, which cannot un-charge it."""


class AccessError(FramecastError):
    pass


class NotAuthenticatedError(AccessError):
    pass


class ForbiddenError(AccessError):
    pass


class TooManyAttemptsError(AccessError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DownloadError(FramecastError):
    pass


class ProviderError(FramecastError):
    """A provider failure. ``retry_safe`` says whether resubmitting cannot pay twice."""

    default_category: ErrorCategory = ErrorCategory.SERVER
    retry_safe: bool = False

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        category: ErrorCategory | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.category = category or self.default_category
        self.status_code = status_code
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}"


class NotSentError(ProviderError):
    default_category = ErrorCategory.NOT_SENT
    retry_safe = True


class RefusedError(ProviderError):
    default_category = ErrorCategory.REFUSED
    retry_safe = True


class AmbiguousError(ProviderError):
    default_category = ErrorCategory.AMBIGUOUS
    retry_safe = False


class PermanentError(ProviderError):
    default_category = ErrorCategory.INVALID_INPUT
    retry_safe = False


class GenerationFailedError(ProviderError):
    """Accepted, then failed at the provider. Whether it was charged is the provider's rule (its
    ``refunds_failures`` trait), so the job engine decides; the provider only reports it."""

    default_category = ErrorCategory.SERVER
    retry_safe = False
