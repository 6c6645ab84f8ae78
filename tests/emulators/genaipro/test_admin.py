"""``GET /_emulator/stats``: refusals counted by cause, and the most generations in flight at once."""

from __future__ import annotations

from contextlib import ExitStack

import httpx

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import TEXT_TO_VIDEO, post_stream, wait_until

NO_REFUSALS = {"concurrency": 0, "rate": 0, "quota": 0, "fault": 0}


def test_a_fresh_emulator_reports_no_refusals_and_nothing_in_flight(emulator: EmulatorHandle) -> None:
    stats = emulator.stats()

    assert stats["refused_by"] == NO_REFUSALS
    assert (stats["max_in_flight"], stats["in_flight"]) == (0, 0)


def test_a_concurrency_refusal_is_counted_under_concurrency(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(concurrency=1, latency=30.0)
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as first:
        assert first.status_code == 200
        assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 429
        assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 429

    stats = emulator.stats()
    assert stats["refused_by"] == {**NO_REFUSALS, "concurrency": 2}
    assert (stats["refused"], stats["max_in_flight"]) == (2, 1)


def test_a_rate_window_refusal_is_counted_under_rate(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.reset(rate_per_minute=1, latency=0.0)
    assert post_stream(client, "/veo/text-to-video", json=TEXT_TO_VIDEO)[0].status_code == 200

    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 429

    assert emulator.stats()["refused_by"] == {**NO_REFUSALS, "rate": 1}


def test_a_402_for_too_few_credits_is_counted_under_quota(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(quota=1)

    assert client.post("/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2}).status_code == 402

    stats = emulator.stats()
    assert stats["refused_by"] == {**NO_REFUSALS, "quota": 1}
    assert stats["quota"]["used"] == 0


def test_refusing_generation_faults_are_counted_under_fault_and_read_faults_are_not(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.force_faults(
        [
            FaultKind.SERVER_ERROR,
            FaultKind.RATE_LIMIT_RETRY_AFTER,
            FaultKind.MAINTENANCE_HTML,
            FaultKind.GET_SERVER_ERROR,
        ]
    )

    statuses = [client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code for _ in range(3)]
    assert client.get("/veo/me").status_code == 500

    assert statuses == [500, 429, 503]
    stats = emulator.stats()
    assert stats["refused_by"] == {**NO_REFUSALS, "fault": 3}
    assert (stats["refused"], stats["read_faults"]) == (3, 1)


def test_an_accepted_fault_is_not_a_refusal(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.force_faults([FaultKind.STALL])

    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as response:
        assert response.status_code == 200

    stats = emulator.stats()
    assert (stats["accepted"], stats["refused_by"]) == (1, NO_REFUSALS)


def test_each_cause_is_counted_on_its_own_and_they_add_up_to_refused(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(concurrency=1, quota=1, latency=30.0)
    emulator.force_faults([FaultKind.SERVER_ERROR])
    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 500
    assert client.post("/veo/text-to-video", json={**TEXT_TO_VIDEO, "number_of_videos": 2}).status_code == 402
    with client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO) as first:
        assert first.status_code == 200
        assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 429

    stats = emulator.stats()
    assert stats["refused_by"] == {"concurrency": 1, "rate": 0, "quota": 1, "fault": 1}
    assert sum(stats["refused_by"].values()) == stats["refused"]


def test_max_in_flight_keeps_the_peak_after_the_generations_finish_until_a_reset(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(latency=0.5)
    with ExitStack() as streams:
        for _ in range(3):
            response = streams.enter_context(client.stream("POST", "/veo/text-to-video", json=TEXT_TO_VIDEO))
            assert response.status_code == 200
        assert emulator.stats()["in_flight"] == 3
    # Leaving early does not stop a generation: each one finishes in history on its own.
    wait_until(lambda: emulator.stats()["completed"] == 3)

    stats = emulator.stats()
    assert (stats["in_flight"], stats["max_in_flight"]) == (0, 3)
    emulator.reset()
    assert emulator.stats()["max_in_flight"] == 0
