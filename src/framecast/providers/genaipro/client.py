"""The HTTP side of GenAIPro's v1 API: one POST-SSE generation call and JSON GETs.

Every failure leaves this module as a :class:`~framecast.core.errors.ProviderError` subclass whose
category tells the job engine what is safe (not sent, refused, ambiguous, permanent); which failure
gets which category is decided in :mod:`framecast.providers.genaipro.failures`.
"""

from __future__ import annotations

import json as jsonlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import httpx

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    NotSentError,
    ProviderError,
    RefusedError,
)
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import MediaItem, Progress, SubmissionJournal
from framecast.providers.genaipro.failures import (
    PROVIDER,
    failure_error,
    looks_like_html,
    maintenance_error,
    snippet,
    status_error,
    transport_error,
)
from framecast.providers.genaipro.sse import (
    Completed,
    Failed,
    Malformed,
    SSEDecoder,
    SSEEvent,
    Status,
    interpret,
)

log = logging.getLogger(__name__)

# How much of an error body is read to find its message; error pages are small, streams are not.
_ERROR_BODY_LIMIT = 64 * 1024
# A plain-JSON answer where a stream was expected (seen for create-image) is read whole up to this.
_JSON_BODY_LIMIT = 4 * 1024 * 1024
# Non-blank bytes looked at to tell an HTML page from an event stream.
_SNIFF_BYTES = 16
# The longest pause before a refused GET is tried again, whatever ``Retry-After`` asks.
MAX_READ_WAIT_S = 5.0

FilesArgument = Sequence[tuple[str, tuple[str, Any, str]]]


class GenAIProClient:
    """Talks to ``config.base_url`` (e.g. ``https://genaipro.vn/api/v1``) with a Bearer key.

    Building one needs no key, so a server without GenAIPro configured still starts; every call
    raises :class:`ConfigurationError` before anything is sent (or journalled) when neither
    ``api_key`` nor ``config.api_key`` is set.
    """

    def __init__(self, http: httpx.AsyncClient, config: GenAIProSettings, api_key: str | None = None) -> None:
        key = api_key
        if key is None and config.api_key is not None:
            key = config.api_key.get_secret_value()
        self._http = http
        self._config = config
        self._key = key.strip() if key and key.strip() else None

    @property
    def config(self) -> GenAIProSettings:
        return self._config

    @property
    def auth_header(self) -> str:
        """The ``Authorization`` value; raises :class:`ConfigurationError` when there is no key."""
        if self._key is None:
            raise ConfigurationError(
                "no GenAIPro API key: set FRAMECAST_GENAIPRO__API_KEY (or VEO_API_KEY), "
                "or store your own key in your profile"
            )
        return f"Bearer {self._key}"

    def url(self, path: str) -> str:
        return self._config.base_url.rstrip("/") + "/" + path.lstrip("/")

    async def stream_generation(
        self,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: FilesArgument | None = None,
        journal: SubmissionJournal,
    ) -> list[MediaItem]:
        """POST a generation and follow its event stream to the end; return one item per file URL.

        ``journal.before_submit()`` is awaited before anything is sent and ``journal.accepted(ids)``
        as soon as the provider's ids are known, so a crash in between is reconciled, not repaid.
        Raises the :class:`ProviderError` subclasses listed in the module docstring.
        """
        timeout = httpx.Timeout(
            connect=self._config.connect_timeout_s,
            # No byte for this long means the stream has stalled: an ambiguous failure.
            read=self._config.idle_timeout_s,
            write=self._http.timeout.write,
            pool=self._http.timeout.pool,
        )
        headers = {"Authorization": self.auth_header, "Accept": "text/event-stream"}
        await journal.before_submit()
        try:
            async with self._http.stream(
                "POST",
                self.url(path),
                json=json,
                data=data,
                files=files,
                headers=headers,
                timeout=timeout,
            ) as response:
                return await _follow(response, journal)
        except httpx.HTTPError as exc:
            raise transport_error(exc, idle_s=self._config.idle_timeout_s) from exc

    async def submit_task(
        self,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        files: FilesArgument | None = None,
        journal: SubmissionJournal,
    ) -> Any:
        """POST a v2 submission, answered ``202`` with JSON naming the tasks; return that JSON.

        ``journal.before_submit()`` is awaited before anything is sent. Raises the categories of
        :meth:`stream_generation`; a 5xx without a body, or a connection cut once the request was
        sent, is :class:`AmbiguousError` (the task may exist).
        """
        headers = {"Authorization": self.auth_header, "Accept": "application/json"}
        await journal.before_submit()
        try:
            async with self._http.stream(
                "POST", self.url(path), json=json, data=data, files=files, headers=headers
            ) as response:
                body = await _read_limited(response, _JSON_BODY_LIMIT)
        except httpx.HTTPError as exc:
            raise transport_error(exc, idle_s=None) from exc
        if response.status_code >= 500 and not body.strip():
            raise AmbiguousError(
                f"GenAIPro answered HTTP {response.status_code} without a body; the task may have been "
                "created, so it will be looked up in the history before any resubmit",
                provider=PROVIDER,
                status_code=response.status_code,
            )
        if response.status_code >= 400 or looks_like_html(body):
            raise _refusal_for(response, body)
        try:
            return jsonlib.loads(body)
        except ValueError:
            raise AmbiguousError(
                f"GenAIPro accepted {path} with something that is not JSON: {snippet(body)!r}; "
                "it will be looked up in the history",
                provider=PROVIDER,
                status_code=response.status_code,
            ) from None

    async def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, *, attempts: int | None = None
    ) -> Any:
        """GET a JSON resource; raises the same categories as :meth:`stream_generation`.

        A GET is free and changes nothing, so one that is refused (429, 5xx, an HTML page) or
        broken in transit is tried again here, ``attempts`` (default ``config.read_attempts``) times
        in all, after a short pause (``Retry-After`` when sent, at most ``MAX_READ_WAIT_S``). Paid
        requests are never retried here: the job engine decides those.
        """
        attempts = max(1, self._config.read_attempts if attempts is None else attempts)
        for attempt in range(1, attempts + 1):
            try:
                return await self._get_json_once(path, params)
            except (RefusedError, NotSentError, AmbiguousError) as exc:
                if attempt >= attempts:
                    raise
                pause = exc.retry_after
                if pause is None:
                    pause = self._config.read_backoff_s * 2 ** (attempt - 1)
                log.info("GenAIPro %s: %s; trying again in %.1f s", path, exc.message, pause)
                await anyio.sleep(min(pause, MAX_READ_WAIT_S))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def _get_json_once(self, path: str, params: Mapping[str, Any] | None) -> Any:
        headers = {"Authorization": self.auth_header, "Accept": "application/json"}
        try:
            async with self._http.stream("GET", self.url(path), params=params, headers=headers) as response:
                await _raise_for_refusal(response)
                body = await _read_limited(response, _JSON_BODY_LIMIT)
        except httpx.HTTPError as exc:
            raise transport_error(exc, idle_s=None) from exc
        if looks_like_html(body):
            raise maintenance_error(response)
        try:
            return jsonlib.loads(body)
        except ValueError:
            raise RefusedError(
                f"GenAIPro answered {path} with something that is not JSON: {snippet(body)!r}",
                provider=PROVIDER,
                category=ErrorCategory.SERVER,
                status_code=response.status_code,
            ) from None


async def _follow(response: httpx.Response, journal: SubmissionJournal) -> list[MediaItem]:
    """Read one generation's answer to its terminal event; raise by category otherwise."""
    await _raise_for_refusal(response)
    stream = _GenerationStream(journal)
    if "application/json" in response.headers.get("content-type", "").lower():
        # Seen for create-image: the finished history object instead of a stream.
        body = await _read_limited(response, _JSON_BODY_LIMIT)
        result = await stream.feed([SSEEvent("json", body.decode("utf-8", "replace"))])
        if result is not None:
            return result
        raise stream.unfinished(response.status_code)

    decoder = SSEDecoder()
    # The first bytes are held back until they prove not to be an HTML page served as a stream.
    head = b""
    sniffing = True
    async for chunk in response.aiter_bytes():
        if sniffing:
            head += chunk
            if len(head.lstrip()) < _SNIFF_BYTES:
                continue
            sniffing = False
            if looks_like_html(head):
                raise maintenance_error(response)
            chunk, head = head, b""
        result = await stream.feed(decoder.feed(chunk))
        if result is not None:
            # Stop reading at once: a server that keeps the connection open must not stall us.
            return result
    if sniffing and looks_like_html(head):
        raise maintenance_error(response)
    result = await stream.feed(decoder.feed(head) + decoder.close())
    if result is not None:
        return result
    raise stream.unfinished(response.status_code)


class _GenerationStream:
    """What one generation's stream has said so far; one instance per request."""

    def __init__(self, journal: SubmissionJournal) -> None:
        self._journal = journal
        self._events = 0
        self._last_status: str | None = None
        self._accepted: set[str] = set()

    async def feed(self, events: list[SSEEvent]) -> list[MediaItem] | None:
        """Items once the stream completes, None while it goes on; raises on a failure event."""
        for event in events:
            self._events += 1
            message = interpret(event)
            if isinstance(message, Malformed):
                log.warning("ignoring an undecodable GenAIPro event %r: %.200r", event.event, message.raw)
            elif isinstance(message, Status):
                self._last_status = message.word
                await self._accept(message.provider_ids)
                await self._journal.progress(Progress(message.word, message.percent))
            elif isinstance(message, Failed):
                # A status event or an id before the failure shows the work was taken on.
                accepted = self._last_status is not None or bool(self._accepted)
                raise failure_error(message, accepted=accepted)
            else:
                return await self._complete(message)
        return None

    async def _complete(self, completed: Completed) -> list[MediaItem]:
        await self._accept(completed.provider_ids)
        if not completed.items or any(not item.file_urls for item in completed.items):
            raise AmbiguousError(
                "GenAIPro reported the generation complete but without a file URL; it will be "
                "looked up in the history",
                provider=PROVIDER,
            )
        await self._journal.progress(Progress("completed", 100))
        return [media for item in completed.items for media in item.media_items()]

    async def _accept(self, ids: tuple[str, ...]) -> None:
        new = tuple(provider_id for provider_id in ids if provider_id not in self._accepted)
        if new:
            self._accepted.update(new)
            await self._journal.accepted(new)

    def unfinished(self, status_code: int) -> AmbiguousError:
        """The error for a stream that ended without a terminal event."""
        if self._events == 0:
            what = "ended without a single event (empty stream)"
        else:
            what = f"ended without a completion (last status: {self._last_status or 'none'})"
        return AmbiguousError(
            f"the GenAIPro stream {what}; the request may have been accepted, so it will be looked "
            "up in the history before any resubmit",
            provider=PROVIDER,
            status_code=status_code,
        )


async def _raise_for_refusal(response: httpx.Response) -> None:
    """Raise for an error status or an HTML page (whatever the status); return for anything else."""
    html_type = "text/html" in response.headers.get("content-type", "").lower()
    if response.status_code < 400 and not html_type:
        return
    try:
        body = await _read_limited(response, _ERROR_BODY_LIMIT)
    except httpx.HTTPError:
        body = b""  # the status alone decides
    raise _refusal_for(response, body)


def _refusal_for(response: httpx.Response, body: bytes) -> ProviderError:
    """The error of a refused answer whose body (maybe cut short) was read."""
    if "text/html" in response.headers.get("content-type", "").lower() or looks_like_html(body):
        return maintenance_error(response)
    return status_error(response, body)


async def _read_limited(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` bytes of the body (more is dropped): error pages need no more."""
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)[:limit]
