"""Faults on ``GET /veo/me``, ``/veo/credits`` and ``/veo/histories``: forced, random, and kept apart
from the generation faults."""

from __future__ import annotations

import httpx
import pytest

from framecast.emulators.genaipro.faults import FaultKind, FaultTarget
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import TEXT_TO_VIDEO, post_stream, read_raw

READ_ROUTES = ["/veo/me", "/veo/credits", "/veo/histories"]


def assert_json_fault(
    response: httpx.Response, status: int, body: dict[str, object], retry_after: str | None
) -> None:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.headers.get("retry-after") == retry_after
    assert response.json() == body


@pytest.mark.parametrize("route", READ_ROUTES)
def test_a_get_server_error_is_500_json(emulator: EmulatorHandle, client: httpx.Client, route: str) -> None:
    emulator.force_faults([FaultKind.GET_SERVER_ERROR])

    assert_json_fault(client.get(route), 500, {"error": "Internal server error", "code": 500}, None)
    assert client.get(route).status_code == 200


@pytest.mark.parametrize("route", READ_ROUTES)
def test_a_get_rate_limit_is_429_json_with_retry_after_one(
    emulator: EmulatorHandle, client: httpx.Client, route: str
) -> None:
    emulator.force_faults([FaultKind.GET_RATE_LIMIT])

    assert_json_fault(client.get(route), 429, {"error": "Too many requests", "code": 429}, "1")
    assert client.get(route).status_code == 200


@pytest.mark.parametrize("route", READ_ROUTES)
def test_a_get_maintenance_page_is_503_html(
    emulator: EmulatorHandle, client: httpx.Client, route: str
) -> None:
    emulator.force_faults([FaultKind.GET_MAINTENANCE_HTML])
    response = client.get(route)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    assert "under maintenance" in response.text
    assert client.get(route).status_code == 200


def test_read_faults_are_counted_apart_from_generation_requests(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.GET_SERVER_ERROR, FaultKind.GET_RATE_LIMIT, FaultKind.GET_SERVER_ERROR])
    for route in READ_ROUTES:
        client.get(route)

    stats = emulator.stats()
    assert stats["faults"] == {"get_server_error": 2, "get_rate_limit": 1}
    assert stats["read_faults"] == 3
    assert (stats["requests"], stats["refused"], stats["rejected"], stats["accepted"]) == (0, 0, 0, 0)


def test_authentication_is_checked_before_a_read_fault(emulator: EmulatorHandle) -> None:
    emulator.force_faults([FaultKind.GET_SERVER_ERROR])

    assert httpx.get(emulator.base_url + "/veo/me").status_code == 401
    assert httpx.get(emulator.admin_url + "/faults").json()["next"] == ["get_server_error"]


def test_bad_paging_is_answered_before_a_read_fault(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.force_faults([FaultKind.GET_SERVER_ERROR])

    assert client.get("/veo/histories", params={"page": 0}).status_code == 400
    assert client.get("/veo/histories").status_code == 500


def test_a_read_fault_is_not_taken_by_a_generation_request_nor_a_generation_fault_by_a_read(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults([FaultKind.GET_RATE_LIMIT, FaultKind.MAINTENANCE_HTML])

    generation = client.post("/veo/text-to-video", json=TEXT_TO_VIDEO)
    assert (generation.status_code, generation.headers["content-type"][:9]) == (503, "text/html")
    assert httpx.get(emulator.admin_url + "/faults").json()["next"] == ["get_rate_limit"]
    assert post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)[0].status_code == 200
    assert client.get("/veo/me").status_code == 429

    emulator.force_faults([FaultKind.SERVER_ERROR, FaultKind.GET_MAINTENANCE_HTML])
    assert client.get("/veo/credits").status_code == 503
    assert httpx.get(emulator.admin_url + "/faults").json()["next"] == ["server_error"]
    assert client.get("/veo/credits").status_code == 200
    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 500


def test_forced_faults_keep_their_order_within_each_target(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults(
        [
            FaultKind.GET_SERVER_ERROR,
            FaultKind.SERVER_ERROR,
            FaultKind.GET_RATE_LIMIT,
            FaultKind.RATE_LIMIT_NO_HEADER,
            FaultKind.GET_MAINTENANCE_HTML,
        ]
    )

    reads = [client.get("/veo/me").status_code for _ in range(4)]
    assert httpx.get(emulator.admin_url + "/faults").json()["next"] == [
        "server_error",
        "rate_limit_no_header",
    ]
    generations = [client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code for _ in range(2)]

    assert reads == [500, 429, 503, 200]
    assert generations == [500, 429]


def read_statuses(emulator: EmulatorHandle, client: httpx.Client, seed: int) -> list[int]:
    emulator.reset(fault_rate=0.5, seed=seed)
    return [client.get(READ_ROUTES[n % 3]).status_code for n in range(24)]


def test_random_read_faults_are_a_function_of_the_seed(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    first = read_statuses(emulator, client, seed=42)

    assert {200, 500, 429, 503} == set(first)  # seed 42 at rate 0.5 shows every read kind and successes
    assert read_statuses(emulator, client, seed=42) == first
    assert emulator.stats()["read_faults"] == sum(status != 200 for status in first)


def generation_faults(
    emulator: EmulatorHandle, client: httpx.Client, *, reads_between: int
) -> list[str | None]:
    """The fault kind of each of 12 generation requests, with ``reads_between`` GETs before each."""
    emulator.reset(fault_rate=0.5, seed=42, latency=0.0)
    seen: list[str | None] = []
    before: dict[str, int] = {}
    for _ in range(12):
        for n in range(reads_between):
            client.get(READ_ROUTES[n % 3])
        with client.stream(
            "POST", "/veo/text-to-video", json=TEXT_TO_VIDEO, timeout=httpx.Timeout(10.0, read=0.2)
        ) as response:
            read_raw(response)  # drop_after_events and stall end early; that is expected here
        faults: dict[str, int] = emulator.stats()["faults"]
        new = [
            kind
            for kind, n in faults.items()
            if FaultKind(kind).target is FaultTarget.GENERATION and n > before.get(kind, 0)
        ]
        assert len(new) <= 1
        seen.append(new[0] if new else None)
        before = faults
    return seen


def test_random_read_faults_do_not_change_the_sequence_of_generation_faults(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    alone = generation_faults(emulator, client, reads_between=0)
    with_reads = generation_faults(emulator, client, reads_between=3)

    assert any(alone)
    assert with_reads == alone
    assert emulator.stats()["read_faults"] > 0
