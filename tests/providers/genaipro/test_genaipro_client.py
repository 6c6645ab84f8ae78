"""GenAIProClient against a fake at the transport: request shape, stream reading, error categories."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from tests.providers.genaipro.genaipro_fakes import API_KEY, FakeGenAIPro, RecordingJournal

from framecast.core.errors import (
    AmbiguousError,
    ConfigurationError,
    ErrorCategory,
    GenerationFailedError,
    NotSentError,
    PermanentError,
    ProviderError,
    RefusedError,
)
from framecast.core.http import build_http_client
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import MediaItem
from framecast.providers.genaipro.client import GenAIProClient
from framecast.providers.genaipro.failures import MAINTENANCE_MESSAGE

PATH = "/veo/text-to-video"
BODY = {"prompt": "a cat", "aspect_ratio": "VIDEO_ASPECT_RATIO_LANDSCAPE", "number_of_videos": 1}
DONE = FakeGenAIPro.completion(
    {"id": "abc123", "prompt": "a cat", "file_url": "https://files.test/v1.mp4", "status": "completed"}
)
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>We are under maintenance</h1></body></html>"


@pytest.fixture
def client(http: httpx.AsyncClient, config: GenAIProSettings) -> GenAIProClient:
    return GenAIProClient(http, config)


async def generate(client: GenAIProClient, journal: RecordingJournal) -> list[MediaItem]:
    return await client.stream_generation(PATH, json=BODY, journal=journal)


async def failure(client: GenAIProClient, journal: RecordingJournal) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await generate(client, journal)
    return caught.value


# --- keys and request shape --------------------------------------------------------------------


def test_a_missing_key_is_a_configuration_error_naming_both_variables(http: httpx.AsyncClient) -> None:
    client = GenAIProClient(http, GenAIProSettings())  # building needs no key: a server still starts
    with pytest.raises(ConfigurationError) as caught:
        _ = client.auth_header
    assert "FRAMECAST_GENAIPRO__API_KEY" in str(caught.value)
    assert "VEO_API_KEY" in str(caught.value)


async def test_a_blank_key_fails_before_anything_is_journalled_or_sent(
    http: httpx.AsyncClient, config: GenAIProSettings, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    client = GenAIProClient(http, config, api_key="  ")
    with pytest.raises(ConfigurationError):
        await client.stream_generation("/veo/text-to-video", json={"prompt": "p"}, journal=journal)
    assert fake.log == []


async def test_an_explicit_key_wins_over_the_configured_one(
    http: httpx.AsyncClient, config: GenAIProSettings, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("video_generation_complete", DONE))])
    await generate(GenAIProClient(http, config, api_key="user-key"), journal)
    assert fake.last.headers["authorization"] == "Bearer user-key"


async def test_the_request_is_a_json_post_with_bearer_auth_and_the_idle_read_timeout(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("video_generation_complete", DONE))])
    await generate(client, journal)
    request = fake.last
    assert request.method == "POST"
    assert str(request.url) == "https://genaipro.test/api/v1/veo/text-to-video"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == BODY
    assert request.extensions["timeout"]["read"] == 7.0


@pytest.mark.parametrize("base_url", ["https://genaipro.test/api/v1/", "https://genaipro.test/api/v1"])
async def test_urls_join_the_base_url_with_exactly_one_slash(
    http: httpx.AsyncClient, fake: FakeGenAIPro, journal: RecordingJournal, base_url: str
) -> None:
    config = GenAIProSettings(api_key=SecretStr("k"), base_url=base_url)
    fake.stream([fake.sse(("video_generation_complete", DONE))])
    await GenAIProClient(http, config).stream_generation("veo/text-to-video", json=BODY, journal=journal)
    assert fake.last.url.path == "/api/v1/veo/text-to-video"


async def test_before_submit_is_awaited_before_the_request_leaves(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("video_generation_complete", DONE))])
    await generate(client, journal)
    assert fake.log[:2] == ["before_submit", ("request", "POST", "/api/v1/veo/text-to-video")]


async def test_before_submit_is_awaited_even_when_the_connection_fails(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    fake.respond = refuse
    await failure(client, journal)
    assert fake.log[:2] == ["before_submit", ("request", "POST", "/api/v1/veo/text-to-video")]


# --- successful streams ------------------------------------------------------------------------


async def test_the_documented_stream_yields_the_video_and_reports_progress_and_ids(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream(
        [
            fake.sse(
                ("video_generation_status", '"starting"'),
                ("video_generation_status", '"processing"'),
                ("video_generation_complete", DONE),
                space=True,
            )
        ]
    )
    items = await generate(client, journal)
    assert items == [MediaItem("abc123", url="https://files.test/v1.mp4", prompt="a cat")]
    assert fake.log[2:] == [
        ("progress", "starting", None),
        ("progress", "processing", None),
        ("accepted", ("abc123",)),
        ("progress", "completed", 100),
    ]


async def test_bare_statuses_and_percentages_without_spaces_are_reported(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream(
        [
            fake.sse(
                ("video_generation_status", "starting"),
                ("video_generation_status", '{"status":"processing","process_percentage":45}'),
                ("video_generation_status", "MEDIA_GENERATION_STATUS_ACTIVE"),
                ("video_generation_complete", DONE),
            )
        ]
    )
    await generate(client, journal)
    assert journal.progress_reports == [
        ("starting", None),
        ("processing", 45),
        ("processing", None),
        ("completed", 100),
    ]


async def test_a_stream_cut_into_single_bytes_with_crlf_decodes_the_same(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    body = fake.sse(
        ("video_generation_status", "processing"), ("video_generation_complete", DONE), newline="\r\n"
    )
    fake.stream([body[i : i + 1] for i in range(len(body))])
    items = await generate(client, journal)
    assert [item.url for item in items] == ["https://files.test/v1.mp4"]


async def test_a_completion_without_its_final_blank_line_is_not_lost(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream(
        [
            fake.sse(
                ("video_generation_status", "processing"),
                ("video_generation_complete", DONE),
                final_blank=False,
            )
        ]
    )
    assert [item.provider_id for item in await generate(client, journal)] == ["abc123"]


async def test_several_videos_give_one_item_each(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    done = fake.completion(
        {"id": "v1", "file_url": "https://files.test/1.mp4", "status": "MEDIA_GENERATION_STATUS_SUCCESSFUL"},
        {"id": "v2", "file_url": "https://files.test/2.mp4", "status": "MEDIA_GENERATION_STATUS_SUCCESSFUL"},
    )
    fake.stream([fake.sse(("video_generation_complete", done))])
    items = await generate(client, journal)
    assert [(item.provider_id, item.url) for item in items] == [
        ("v1", "https://files.test/1.mp4"),
        ("v2", "https://files.test/2.mp4"),
    ]
    assert journal.accepted_ids == [("v1", "v2")]


async def test_an_image_completion_object_with_file_urls_gives_every_url(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    done = json.dumps({"id": "img1", "file_urls": ["https://files.test/a.png", "https://files.test/b.png"]})
    fake.stream([fake.sse(("image_generation_status", "generating"), ("image_generation_complete", done))])
    items = await client.stream_generation("/veo/create-image", data={"prompt": "p"}, journal=journal)
    assert [item.url for item in items] == ["https://files.test/a.png", "https://files.test/b.png"]


async def test_a_malformed_event_is_logged_and_skipped(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal, caplog: pytest.LogCaptureFixture
) -> None:
    fake.stream(
        [fake.sse(("video_generation_status", '{"status": "proc'), ("video_generation_complete", DONE))]
    )
    with caplog.at_level(logging.WARNING):
        items = await generate(client, journal)
    assert len(items) == 1
    assert "undecodable" in caplog.text


async def test_reading_stops_at_the_completion_even_if_the_connection_then_stalls(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("video_generation_complete", DONE))], then_raise=httpx.ReadTimeout)
    assert len(await generate(client, journal)) == 1


async def test_a_status_event_with_an_id_is_journalled_at_once_and_only_once(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream(
        [
            fake.sse(
                ("video_generation_status", '{"id":"abc123","status":"processing"}'),
                ("video_generation_complete", DONE),
            )
        ]
    )
    await generate(client, journal)
    assert journal.accepted_ids == [("abc123",)]
    assert fake.log.index(("accepted", ("abc123",))) < fake.log.index(("progress", "processing", None))


async def test_a_plain_json_answer_with_a_finished_item_is_accepted(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    body = {"id": "img1", "file_urls": ["https://files.test/a.png"], "status": "completed"}
    fake.answer(httpx.Response(200, json=body))
    items = await client.stream_generation("/veo/create-image", data={"prompt": "p"}, journal=journal)
    assert items == [MediaItem("img1", url="https://files.test/a.png")]
    assert journal.accepted_ids == [("img1",)]


async def test_a_plain_json_answer_with_an_error_is_a_failure(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(200, json={"error": "Create image error", "code": 500}))
    error = await failure(client, journal)
    assert isinstance(error, RefusedError)
    assert error.category is ErrorCategory.SERVER


async def test_a_plain_json_answer_that_is_still_processing_is_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(200, json={"id": "img1", "status": "processing"}))
    assert isinstance(await failure(client, journal), AmbiguousError)
    assert journal.accepted_ids == [("img1",)]


# --- error events ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind", "category"),
    [
        ("error", '{"error":"reCAPTCHA evaluation failed","code":403}', RefusedError, ErrorCategory.REFUSED),
        (
            "error",
            '{"message":"Failed: RECAPTCHA token invalid","code":"403"}',
            RefusedError,
            ErrorCategory.REFUSED,
        ),
        (
            "error",
            '{"error":"UNSAFE_GENERATION","code":400}',
            GenerationFailedError,
            ErrorCategory.UNSAFE_CONTENT,
        ),
        (
            "error",
            '{"error":"Prompt violates our content policy"}',
            GenerationFailedError,
            ErrorCategory.UNSAFE_CONTENT,
        ),
        (
            "error",
            '{"error":"Request blocked by safety filters"}',
            GenerationFailedError,
            ErrorCategory.UNSAFE_CONTENT,
        ),
        ("error", '{"error":"AUDIO_FILTERED"}', GenerationFailedError, ErrorCategory.UNSAFE_CONTENT),
        ("error", '{"error":"Token expired","code":401}', PermanentError, ErrorCategory.AUTH),
        ("error", '{"error":"Payment required","code":402}', PermanentError, ErrorCategory.QUOTA),
        ("error", '{"message":"Insufficient credits"}', PermanentError, ErrorCategory.QUOTA),
        ("error", '{"error":"Quota exceeded"}', PermanentError, ErrorCategory.QUOTA),
        ("error", '{"error":"slow down","code":429}', RefusedError, ErrorCategory.RATE_LIMIT),
        ("error", '{"error":"Create video error","code":500}', GenerationFailedError, ErrorCategory.SERVER),
        ("error", '{"error":"Forbidden","code":403}', RefusedError, ErrorCategory.REFUSED),
        ("error", "Create video failed", GenerationFailedError, ErrorCategory.SERVER),
        ("generation_error", '{"error":"boom"}', GenerationFailedError, ErrorCategory.SERVER),
        (
            "video_generation_status",
            '{"status":"failed","error":"boom"}',
            GenerationFailedError,
            ErrorCategory.SERVER,
        ),
        (
            "video_generation_status",
            '{"status":"MEDIA_GENERATION_STATUS_FAILED","error":"UNSAFE_GENERATION"}',
            GenerationFailedError,
            ErrorCategory.UNSAFE_CONTENT,
        ),
    ],
)
async def test_error_events_are_raised_by_category(
    client: GenAIProClient,
    fake: FakeGenAIPro,
    journal: RecordingJournal,
    name: str,
    data: str,
    kind: type[ProviderError],
    category: ErrorCategory,
) -> None:
    fake.stream([fake.sse(("video_generation_status", "starting"), (name, data))])
    error = await failure(client, journal)
    assert type(error) is kind
    assert error.category is category
    assert error.provider == "genaipro"


@pytest.mark.parametrize(
    ("data", "kind", "category"),
    [
        ('{"error":"Create video error","code":500}', RefusedError, ErrorCategory.SERVER),
        ('{"error":"UNSAFE_GENERATION","code":400}', PermanentError, ErrorCategory.UNSAFE_CONTENT),
    ],
)
async def test_an_error_before_any_sign_of_acceptance_is_a_refusal_not_a_failed_generation(
    client: GenAIProClient,
    fake: FakeGenAIPro,
    journal: RecordingJournal,
    data: str,
    kind: type[ProviderError],
    category: ErrorCategory,
) -> None:
    fake.stream([fake.sse(("error", data))])
    error = await failure(client, journal)
    assert type(error) is kind
    assert error.category is category


async def test_an_error_event_message_keeps_the_server_text_and_code(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("error", '{"error":"Create video error","code":500}'))])
    error = await failure(client, journal)
    assert "Create video error" in str(error)
    assert error.status_code == 500


# --- HTTP statuses -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "category"),
    [
        (400, PermanentError, ErrorCategory.INVALID_INPUT),
        (401, PermanentError, ErrorCategory.AUTH),
        (402, PermanentError, ErrorCategory.QUOTA),
        (403, PermanentError, ErrorCategory.AUTH),
        (404, PermanentError, ErrorCategory.INVALID_INPUT),
        (429, RefusedError, ErrorCategory.RATE_LIMIT),
        (500, RefusedError, ErrorCategory.SERVER),
        (502, AmbiguousError, ErrorCategory.AMBIGUOUS),
        (503, RefusedError, ErrorCategory.SERVER),
        (504, AmbiguousError, ErrorCategory.AMBIGUOUS),
    ],
)
@pytest.mark.parametrize("key", ["error", "message", "detail"])
async def test_error_statuses_are_raised_by_category_with_the_body_message(
    client: GenAIProClient,
    fake: FakeGenAIPro,
    journal: RecordingJournal,
    status: int,
    kind: type[ProviderError],
    category: ErrorCategory,
    key: str,
) -> None:
    fake.answer(httpx.Response(status, json={key: "Prompt is required"}))
    error = await failure(client, journal)
    assert type(error) is kind
    assert error.category is category
    assert error.status_code == status
    assert "Prompt is required" in error.message
    assert error.retry_after is None


async def test_a_401_message_says_how_to_fix_the_key(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(401, json={"error": "Invalid token"}))
    assert "FRAMECAST_GENAIPRO__API_KEY" in str(await failure(client, journal))


async def test_a_429_with_retry_after_seconds_carries_the_pause(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(429, json={"error": "Too many requests"}, headers={"Retry-After": "30"}))
    error = await failure(client, journal)
    assert isinstance(error, RefusedError)
    assert error.retry_after == 30.0


async def test_a_429_with_a_retry_after_date_in_the_past_means_no_pause(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert (await failure(client, journal)).retry_after == 0.0


async def test_a_503_with_retry_after_carries_it(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(503, text="busy", headers={"Retry-After": "120"}))
    error = await failure(client, journal)
    assert error.retry_after == 120.0
    assert "busy" in error.message


async def test_a_403_body_about_recaptcha_is_a_refusal_worth_retrying(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(403, json={"error": "reCAPTCHA verification failed"}))
    error = await failure(client, journal)
    assert isinstance(error, RefusedError)
    assert error.category is ErrorCategory.REFUSED


async def test_an_error_status_without_a_body_uses_the_reason_phrase(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.answer(httpx.Response(500))
    assert "Internal Server Error" in (await failure(client, journal)).message


# --- HTML pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (200, "text/html; charset=utf-8", HTML_PAGE),
        (503, "text/html", HTML_PAGE),
        (200, "text/event-stream", HTML_PAGE),
        (200, "text/event-stream", b"\n  <html>down</html>"),
        (500, "text/plain", b"<!doctype html><p>maintenance</p>"),
        (200, "text/event-stream", b"<html>"),
    ],
)
async def test_an_html_page_is_a_maintenance_refusal_whatever_the_status(
    client: GenAIProClient,
    fake: FakeGenAIPro,
    journal: RecordingJournal,
    status: int,
    content_type: str,
    body: bytes,
) -> None:
    fake.stream([body[:10], body[10:]], status=status, content_type=content_type)
    error = await failure(client, journal)
    assert type(error) is RefusedError
    assert error.category is ErrorCategory.REFUSED
    assert error.message == MAINTENANCE_MESSAGE
    assert error.status_code == status


async def test_an_html_gateway_timeout_stays_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    # A 504 page from a proxy may hide a request the upstream accepted: never a plain refusal.
    fake.stream([HTML_PAGE], status=504, content_type="text/html")
    error = await failure(client, journal)
    assert isinstance(error, AmbiguousError)
    assert "maintenance" in error.message


# --- ambiguous endings -------------------------------------------------------------------------


async def test_an_empty_stream_is_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([])
    error = await failure(client, journal)
    assert isinstance(error, AmbiguousError)
    assert "empty stream" in error.message
    assert not error.retry_safe


async def test_a_stream_of_only_comments_and_blank_lines_is_empty(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([b": ping\n\n", b"\n\n"])
    assert "empty stream" in (await failure(client, journal)).message


async def test_a_stream_that_ends_without_a_terminal_event_is_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream(
        [fake.sse(("video_generation_status", "starting"), ("video_generation_status", "processing"))]
    )
    error = await failure(client, journal)
    assert isinstance(error, AmbiguousError)
    assert "last status: processing" in error.message


@pytest.mark.parametrize("broken_by", [httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError])
async def test_a_stream_that_breaks_midway_is_ambiguous(
    client: GenAIProClient,
    fake: FakeGenAIPro,
    journal: RecordingJournal,
    broken_by: type[httpx.TransportError],
) -> None:
    fake.stream([fake.sse(("video_generation_status", "processing"))], then_raise=broken_by)
    error = await failure(client, journal)
    assert isinstance(error, AmbiguousError)
    assert isinstance(error.__cause__, broken_by)


async def test_a_read_timeout_says_the_stream_stalled_for_the_idle_limit(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([], then_raise=httpx.ReadTimeout)
    assert "sent nothing for 7 s" in (await failure(client, journal)).message


async def test_a_read_timeout_before_the_response_headers_is_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("no answer", request=request)

    fake.respond = stall
    assert isinstance(await failure(client, journal), AmbiguousError)


async def test_a_completion_without_a_url_is_ambiguous_after_journalling_its_id(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("video_generation_complete", '[{"id":"v9","prompt":"a cat"}]'))])
    error = await failure(client, journal)
    assert isinstance(error, AmbiguousError)
    assert "without a file URL" in error.message
    assert journal.accepted_ids == [("v9",)]


async def test_a_completion_where_one_item_lacks_a_url_is_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    done = fake.completion({"id": "v1", "file_url": "https://files.test/1.mp4"}, {"id": "v2"})
    fake.stream([fake.sse(("video_generation_complete", done))])
    assert isinstance(await failure(client, journal), AmbiguousError)
    assert journal.accepted_ids == [("v1", "v2")]


async def test_an_empty_completion_array_is_ambiguous(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal
) -> None:
    fake.stream([fake.sse(("video_generation_complete", "[]"))])
    assert isinstance(await failure(client, journal), AmbiguousError)


# --- transport failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raised",
    [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout],
)
async def test_failures_before_the_request_was_sent_are_safe_to_retry(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal, raised: type[httpx.TransportError]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise raised("nope", request=request)

    fake.respond = fail
    error = await failure(client, journal)
    assert isinstance(error, NotSentError)
    assert error.retry_safe
    assert error.category is ErrorCategory.NOT_SENT


def _all_subclasses(cls: type[httpx.TransportError]) -> Iterator[type[httpx.TransportError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


@pytest.mark.parametrize(
    "raised", sorted(set(_all_subclasses(httpx.TransportError)), key=lambda c: c.__name__)
)
async def test_every_transport_error_is_translated(
    client: GenAIProClient, fake: FakeGenAIPro, journal: RecordingJournal, raised: type[httpx.TransportError]
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise raised("nope", request=request)

    fake.respond = fail
    with pytest.raises((ProviderError, ConfigurationError)) as caught:
        await generate(client, journal)
    not_sent = (
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.PoolTimeout,
        httpx.WriteError,
        httpx.WriteTimeout,
    )
    if issubclass(raised, not_sent):
        assert isinstance(caught.value, NotSentError)
    elif issubclass(raised, httpx.UnsupportedProtocol):
        assert "FRAMECAST_GENAIPRO__BASE_URL" in str(caught.value)
    else:
        assert isinstance(caught.value, AmbiguousError)


# --- a real socket that goes quiet -------------------------------------------------------------


@pytest.fixture
async def stalling_server() -> AsyncIterator[str]:
    """A local HTTP server that sends one status event and then nothing, holding the connection."""
    release = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        event = b"event:video_generation_status\ndata:processing\n\n"
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
            + f"{len(event):x}\r\n".encode()
            + event
            + b"\r\n"
        )
        await writer.drain()
        await release.wait()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/api/v1"
    release.set()
    server.close()
    await server.wait_closed()


async def test_a_real_stream_that_goes_quiet_times_out_as_ambiguous(
    stalling_server: str, journal: RecordingJournal
) -> None:
    config = GenAIProSettings(api_key=SecretStr("k"), base_url=stalling_server, idle_timeout_s=0.3)
    async with build_http_client() as http:
        with pytest.raises(AmbiguousError) as caught:
            await GenAIProClient(http, config).stream_generation(PATH, json=BODY, journal=journal)
    assert "stalled" in caught.value.message
    assert journal.progress_reports == [("processing", None)]


# --- GETs --------------------------------------------------------------------------------------


async def test_get_json_sends_the_key_and_params_and_returns_the_body(
    client: GenAIProClient, fake: FakeGenAIPro
) -> None:
    fake.answer(httpx.Response(200, json={"total_quota": 5}))
    assert await client.get_json("/veo/histories", {"page": 2, "page_size": 100}) == {"total_quota": 5}
    assert fake.last.headers["authorization"] == f"Bearer {API_KEY}"
    assert fake.last.url.params == httpx.QueryParams({"page": "2", "page_size": "100"})


@pytest.mark.parametrize(
    ("response", "kind"),
    [
        (httpx.Response(404, json={"error": "Not found"}), PermanentError),
        (httpx.Response(401, json={"message": "Unauthorized"}), PermanentError),
        (httpx.Response(429, headers={"Retry-After": "5"}), RefusedError),
        (httpx.Response(200, html=HTML_PAGE.decode()), RefusedError),
        (httpx.Response(200, text="<!DOCTYPE html><p>maintenance</p>"), RefusedError),
        (httpx.Response(200, text="not json"), RefusedError),
        (httpx.Response(504), AmbiguousError),
    ],
)
async def test_get_json_translates_errors_the_same_way(
    client: GenAIProClient, fake: FakeGenAIPro, response: httpx.Response, kind: type[ProviderError]
) -> None:
    fake.answer(response)
    with pytest.raises(kind):
        await client.get_json("/veo/me")


async def test_get_json_connection_failures_are_not_sent(client: GenAIProClient, fake: FakeGenAIPro) -> None:
    def fail(request: httpx.Request) -> Any:
        raise httpx.ConnectError("down", request=request)

    fake.respond = fail
    with pytest.raises(NotSentError):
        await client.get_json("/veo/me")
