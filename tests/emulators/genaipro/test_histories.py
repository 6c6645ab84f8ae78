"""``GET /veo/histories``: newest first, 1-based pages, files only once completed."""

from __future__ import annotations

import httpx
import pytest

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import TEXT_TO_VIDEO, history, post_stream


def test_history_pages_are_one_based_newest_first_with_totals(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(latency=0.0)
    for n in range(5):
        post_stream(client, "/veo/text-to-video", json={**TEXT_TO_VIDEO, "prompt": f"prompt {n}"})

    pages = [history(client, page=page, page_size=2) for page in (1, 2, 3, 4)]

    assert [[row["prompt"] for row in page["data"]] for page in pages] == [
        ["prompt 4", "prompt 3"],
        ["prompt 2", "prompt 1"],
        ["prompt 0"],
        [],
    ]
    assert {(page["total"], page["page_size"], page["total_pages"]) for page in pages} == {(5, 2, 3)}
    assert [page["page"] for page in pages] == [1, 2, 3, 4]


def test_history_rows_have_the_documented_fields(emulator: EmulatorHandle, client: httpx.Client) -> None:
    post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)

    [row] = history(client)["data"]

    assert sorted(row) == ["created_at", "error", "file_url", "file_urls", "id", "prompt", "status"]
    assert row["status"] == "completed"
    assert row["error"] is None
    assert row["file_urls"] == [f"{emulator.root_url}/files/{row['id']}.mp4"]
    assert row["file_url"] == row["file_urls"][0]


def test_a_generation_in_flight_is_processing_without_files(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(latency=30.0)
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as response:
        assert response.status_code == 200
        [row] = history(client)["data"]

    assert (row["status"], row["file_urls"], row["file_url"]) == ("processing", [], None)
    assert httpx.get(f"{emulator.root_url}/files/{row['id']}.mp4").status_code == 404


def test_default_paging_is_twenty_per_page(emulator: EmulatorHandle, client: httpx.Client) -> None:
    page = history(client)

    assert (page["data"], page["total"], page["page"], page["page_size"], page["total_pages"]) == (
        [],
        0,
        1,
        20,
        0,
    )


@pytest.mark.parametrize(
    "params", [{"page": 0}, {"page": "x"}, {"page_size": 101}, {"page_size": 0}, {"page": -1}]
)
def test_bad_paging_is_400(client: httpx.Client, params: dict[str, object]) -> None:
    response = client.get("/veo/histories", params=params)

    assert response.status_code == 400
    assert "page" in response.json()["error"]


def test_a_page_size_of_one_hundred_is_allowed(client: httpx.Client) -> None:
    assert history(client, page_size=100)["page_size"] == 100
