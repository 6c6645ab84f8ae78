"""GenAIProHistoryProvider: parsing /veo/histories and reconciling ambiguous submissions with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tests.providers.genaipro.genaipro_fakes import FakeGenAIPro

from framecast.core.errors import RefusedError
from framecast.core.settings import GenAIProSettings
from framecast.providers.base import (
    GenerationHistory,
    GenerationRequest,
    HistoryItem,
    HistoryStatus,
    MediaItem,
    Mode,
    ReconcileState,
    Submission,
)
from framecast.providers.genaipro.history import MAX_PAGES, GenAIProHistoryProvider

SUBMITTED = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
PROMPT = "A cat playing with a ball"


@pytest.fixture
def provider(http: httpx.AsyncClient, config: GenAIProSettings) -> GenAIProHistoryProvider:
    # config.reconcile_window_s is the default 600 s.
    return GenAIProHistoryProvider(http, config)


def row(
    id_: str,
    *,
    prompt: str = PROMPT,
    at: timedelta = timedelta(seconds=30),
    status: str = "completed",
    url: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A history row created ``at`` after the submission."""
    found: dict[str, Any] = {
        "id": id_,
        "prompt": prompt,
        "status": status,
        "created_at": (SUBMITTED + at).isoformat().replace("+00:00", "Z"),
    }
    if url:
        found["file_urls"] = [f"https://files.test/{id_}.mp4"]
    return found | extra


def serve(fake: FakeGenAIPro, rows: list[dict[str, Any]], *, total_pages: int | None = None) -> None:
    """Serve ``rows`` (newest first) in pages, as /veo/histories does."""

    def respond(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        size = int(request.url.params.get("page_size", "20"))
        chunk = rows[(page - 1) * size : page * size]
        pages = total_pages if total_pages is not None else max(1, -(-len(rows) // size))
        body = {"data": chunk, "total": len(rows), "page": page, "page_size": size, "total_pages": pages}
        return httpx.Response(200, json=body)

    fake.respond = respond


def submission(
    count: int = 1, ids: tuple[str, ...] = (), excluded: frozenset[str] = frozenset()
) -> Submission:
    request = GenerationRequest(Mode.TEXT, PROMPT, count=count)
    return Submission(request=request, submitted_at=SUBMITTED, provider_ids=ids, excluded_ids=excluded)


def test_the_provider_is_a_generation_history(provider: GenAIProHistoryProvider) -> None:
    assert isinstance(provider, GenerationHistory)


# --- list_history ------------------------------------------------------------------------------


async def test_a_history_page_is_parsed_with_every_field_spelling(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    body = {
        "data": [
            {
                "id": "abc123",
                "prompt": "p1",
                "file_urls": ["https://files.test/video1.mp4"],
                "status": "MEDIA_GENERATION_STATUS_SUCCESSFUL",
                "created_at": "2026-03-30T10:00:00Z",
            },
            {"id": 42, "prompt": "p2", "file_url": "https://files.test/2.mp4", "status": "completed"},
            {"id": "f1", "prompt": "p3", "status": "failed", "error": "UNSAFE_GENERATION"},
            {"id": "q1", "prompt": "p4", "status": "MEDIA_GENERATION_STATUS_PENDING"},
            {"id": "n1", "prompt": "p5", "file_url": "https://files.test/n1.png"},
            {"prompt": "a row without an id"},
        ],
        "total": 50,
        "page": 2,
        "page_size": 6,
        "total_pages": 9,
    }
    fake.answer(httpx.Response(200, json=body))
    page = await provider.list_history(2, 6)
    assert fake.last.url.path == "/api/v1/veo/histories"
    assert fake.last.url.params == httpx.QueryParams({"page": "2", "page_size": "6"})
    assert (page.page, page.page_size, page.total, page.total_pages) == (2, 6, 50, 9)
    assert page.items == (
        HistoryItem(
            "abc123",
            "p1",
            HistoryStatus.COMPLETED,
            ("https://files.test/video1.mp4",),
            datetime(2026, 3, 30, 10, tzinfo=UTC),
        ),
        HistoryItem("42", "p2", HistoryStatus.COMPLETED, ("https://files.test/2.mp4",)),
        HistoryItem("f1", "p3", HistoryStatus.FAILED, error="UNSAFE_GENERATION"),
        HistoryItem("q1", "p4", HistoryStatus.PROCESSING),
        HistoryItem("n1", "p5", HistoryStatus.COMPLETED, ("https://files.test/n1.png",)),
    )


async def test_missing_page_counts_are_computed(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    fake.answer(httpx.Response(200, json={"data": [row("a")], "total": 45}))
    page = await provider.list_history(1, 20)
    assert (page.page, page.page_size, page.total, page.total_pages) == (1, 20, 45, 3)


async def test_a_bare_list_is_read_as_one_page(provider: GenAIProHistoryProvider, fake: FakeGenAIPro) -> None:
    fake.answer(httpx.Response(200, json=[row("a"), row("b")]))
    page = await provider.list_history()
    assert [item.provider_id for item in page.items] == ["a", "b"]
    assert page.total == 2


@pytest.mark.parametrize("body", [{"data": "nope"}, "text", 7])
async def test_an_unexpected_shape_is_a_refusal(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro, body: Any
) -> None:
    fake.answer(httpx.Response(200, json=body))
    with pytest.raises(RefusedError, match="unexpected shape"):
        await provider.list_history()


# --- reconcile by id ---------------------------------------------------------------------------


async def test_a_completed_id_is_found_with_its_files(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("other", prompt="x"), row("v1")])
    outcome = await provider.reconcile(submission(ids=("v1",)))
    assert outcome.state is ReconcileState.FOUND
    assert outcome.provider_ids == ("v1",)
    assert outcome.items == (
        MediaItem(
            "v1", url="https://files.test/v1.mp4", prompt=PROMPT, created_at=SUBMITTED + timedelta(seconds=30)
        ),
    )


async def test_an_id_still_processing_is_pending(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", status="MEDIA_GENERATION_STATUS_ACTIVE", url=False)])
    assert (await provider.reconcile(submission(ids=("v1",)))).state is ReconcileState.PENDING


async def test_a_completed_row_without_a_url_yet_is_pending(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", url=False)])
    assert (await provider.reconcile(submission(ids=("v1",)))).state is ReconcileState.PENDING


async def test_a_failed_id_is_failed_with_its_error(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", status="failed", url=False, error="UNSAFE_GENERATION")])
    outcome = await provider.reconcile(submission(ids=("v1",)))
    assert outcome.state is ReconcileState.FAILED
    assert outcome.error == "UNSAFE_GENERATION"


async def test_one_of_two_ids_still_processing_keeps_it_pending(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1"), row("v2", status="processing", url=False)])
    outcome = await provider.reconcile(submission(count=2, ids=("v1", "v2")))
    assert outcome.state is ReconcileState.PENDING
    assert outcome.provider_ids == ("v1", "v2")


async def test_ids_are_searched_on_later_pages(provider: GenAIProHistoryProvider, fake: FakeGenAIPro) -> None:
    rows = [row(f"r{i}", prompt="other") for i in range(150)] + [row("v1")]
    serve(fake, rows)
    outcome = await provider.reconcile(submission(ids=("v1",)))
    assert outcome.state is ReconcileState.FOUND
    assert [request.url.params["page"] for request in fake.requests] == ["1", "2"]
    assert fake.last.url.params["page_size"] == "100"


async def test_the_scan_stops_once_every_id_is_found(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1")] + [row(f"r{i}", prompt="other") for i in range(300)])
    await provider.reconcile(submission(ids=("v1",)))
    assert len(fake.requests) == 1


async def test_unknown_ids_fall_back_to_the_prompt(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v7")])
    outcome = await provider.reconcile(submission(ids=("never-listed",)))
    assert outcome.state is ReconcileState.FOUND
    assert outcome.provider_ids == ("v7",)


# --- reconcile by prompt and time --------------------------------------------------------------


async def test_the_prompt_matches_with_normalised_whitespace(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", prompt="  A cat\nplaying   with a ball ")])
    assert (await provider.reconcile(submission())).provider_ids == ("v1",)


async def test_a_different_prompt_does_not_match(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", prompt="A cat playing with a ball!")])
    assert (await provider.reconcile(submission())).state is ReconcileState.ABSENT


async def test_rows_outside_the_window_do_not_match(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("late", at=timedelta(seconds=601)), row("early", at=timedelta(seconds=-601))])
    assert (await provider.reconcile(submission())).state is ReconcileState.ABSENT


async def test_rows_without_a_time_do_not_match_by_prompt(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1") | {"created_at": None}])
    assert (await provider.reconcile(submission())).state is ReconcileState.ABSENT


async def test_excluded_ids_are_never_matched_again(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("taken", at=timedelta(seconds=5)), row("mine", at=timedelta(seconds=40))])
    outcome = await provider.reconcile(submission(excluded=frozenset({"taken"})))
    assert outcome.provider_ids == ("mine",)


async def test_the_rows_closest_after_the_submission_are_taken_up_to_the_count(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(
        fake,
        [
            row("far", at=timedelta(seconds=500)),
            row("second", at=timedelta(seconds=60)),
            row("first", at=timedelta(seconds=20)),
            row("skewed", at=timedelta(seconds=-3)),
        ],
    )
    outcome = await provider.reconcile(submission(count=2))
    assert outcome.state is ReconcileState.FOUND
    assert outcome.provider_ids == ("first", "second")
    assert [item.provider_id for item in outcome.items] == ["first", "second"]


async def test_one_image_row_holding_every_file_is_enough_for_the_count(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    two_images = row("img", at=timedelta(seconds=10)) | {
        "file_urls": ["https://files.test/a.png", "https://files.test/b.png"]
    }
    serve(fake, [row("someone-else", at=timedelta(seconds=90)), two_images])
    outcome = await provider.reconcile(submission(count=2))
    assert outcome.provider_ids == ("img",)
    assert [item.url for item in outcome.items] == ["https://files.test/a.png", "https://files.test/b.png"]


async def test_a_row_a_little_before_the_submission_matches_when_nothing_is_after(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("skewed", at=timedelta(seconds=-3))])
    assert (await provider.reconcile(submission())).provider_ids == ("skewed",)


async def test_times_in_other_zones_are_compared_as_instants(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    # 17:00:30 in Hanoi is 10:00:30 UTC: thirty seconds after the submission.
    serve(fake, [row("v1") | {"created_at": "2026-03-30T17:00:30+07:00"}])
    assert (await provider.reconcile(submission())).provider_ids == ("v1",)


async def test_a_matching_row_still_processing_is_pending(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", status="processing", url=False)])
    assert (await provider.reconcile(submission())).state is ReconcileState.PENDING


async def test_all_matching_rows_failed_is_failed(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    serve(fake, [row("v1", status="MEDIA_GENERATION_STATUS_FAILED", url=False)])
    outcome = await provider.reconcile(submission())
    assert outcome.state is ReconcileState.FAILED
    assert outcome.error == "the generation failed"


async def test_an_empty_history_is_absent(provider: GenAIProHistoryProvider, fake: FakeGenAIPro) -> None:
    serve(fake, [])
    assert (await provider.reconcile(submission())).state is ReconcileState.ABSENT


# --- the scan is bounded -----------------------------------------------------------------------


async def test_the_scan_stops_at_a_page_that_is_entirely_older_than_the_window(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    old = [row(f"o{i}", prompt="other", at=timedelta(hours=-2)) for i in range(300)]
    serve(fake, old)
    assert (await provider.reconcile(submission(ids=("v1",)))).state is ReconcileState.ABSENT
    assert len(fake.requests) == 1


async def test_the_scan_reads_at_most_ten_pages(
    provider: GenAIProHistoryProvider, fake: FakeGenAIPro
) -> None:
    recent = [row(f"r{i}", prompt="other") for i in range(100 * (MAX_PAGES + 5))]
    serve(fake, recent)
    assert (await provider.reconcile(submission(ids=("v1",)))).state is ReconcileState.ABSENT
    assert len(fake.requests) == MAX_PAGES == 10


async def test_the_scan_stops_at_the_last_page(provider: GenAIProHistoryProvider, fake: FakeGenAIPro) -> None:
    serve(fake, [row(f"r{i}", prompt="other") for i in range(150)])
    await provider.reconcile(submission())
    assert len(fake.requests) == 2
