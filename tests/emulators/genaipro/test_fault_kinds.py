"""Restricting the random faults to some kinds: at reset, through ``/_emulator/faults``, and what it
leaves alone (forced faults)."""

from __future__ import annotations

import httpx
import pytest

from framecast.emulators.genaipro.faults import FaultKind
from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.emulators.genaipro.raw_wire import TEXT_TO_VIDEO


def faults_state(emulator: EmulatorHandle) -> dict[str, object]:
    data: dict[str, object] = httpx.get(emulator.admin_url + "/faults").json()
    return data


def test_a_reset_restricts_random_faults_to_the_kinds_it_names(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    answer = emulator.reset(fault_rate=1.0, fault_kinds=["get_maintenance_html", "server_error"])

    assert answer["config"]["fault_kinds"] == ["server_error", "get_maintenance_html"]
    assert faults_state(emulator)["fault_kinds"] == ["server_error", "get_maintenance_html"]
    assert {client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code for _ in range(5)} == {500}
    assert {client.get("/veo/credits").status_code for _ in range(5)} == {503}
    assert emulator.stats()["faults"] == {"server_error": 5, "get_maintenance_html": 5}


def test_a_restriction_to_generation_kinds_leaves_reads_without_faults(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    emulator.reset(fault_rate=1.0, fault_kinds=["rate_limit_no_header"])

    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 429
    assert {client.get("/veo/me").status_code for _ in range(5)} == {200}


def test_the_faults_route_sets_and_lifts_the_restriction(
    emulator: EmulatorHandle, client: httpx.Client
) -> None:
    state = emulator.set_faults(fault_rate=1.0, kinds=[FaultKind.GET_RATE_LIMIT])

    assert state["fault_kinds"] == ["get_rate_limit"]
    assert client.get("/veo/me").status_code == 429
    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 200
    assert emulator.set_faults(fault_rate=0.0)["fault_kinds"] == ["get_rate_limit"]  # left as it was
    assert emulator.set_faults(every_kind=True)["fault_kinds"] is None
    body = httpx.post(emulator.admin_url + "/faults", json={"kinds": ["stall"]}).json()
    assert body["fault_kinds"] == ["stall"]


def test_forced_faults_are_not_restricted(emulator: EmulatorHandle, client: httpx.Client) -> None:
    emulator.reset(fault_kinds=["stall"])
    emulator.force_faults([FaultKind.MAINTENANCE_HTML, FaultKind.GET_SERVER_ERROR])

    assert client.post("/veo/text-to-video", json=TEXT_TO_VIDEO).status_code == 503
    assert client.get("/veo/histories").status_code == 500


def test_a_reset_without_changes_lifts_the_restriction(emulator: EmulatorHandle) -> None:
    emulator.set_faults(kinds=["stall"])
    emulator.reset()

    assert faults_state(emulator)["fault_kinds"] is None


@pytest.mark.parametrize(
    ("route", "body", "message"),
    [
        ("/reset", {"fault_kinds": ["gremlins"]}, "unknown fault kind 'gremlins'; known: drop_after_events"),
        ("/reset", {"fault_kinds": []}, "at least one kind"),
        ("/reset", {"fault_kinds": "stall"}, "fault_kinds"),
        ("/faults", {"kinds": ["gremlins"]}, "unknown fault kind 'gremlins'; known: drop_after_events"),
        ("/faults", {"kinds": []}, "at least one kind"),
        ("/faults", {"kinds": "stall"}, "kinds must be a list"),
    ],
)
def test_a_bad_restriction_is_refused_and_changes_nothing(
    emulator: EmulatorHandle, route: str, body: dict[str, object], message: str
) -> None:
    response = httpx.post(emulator.admin_url + route, json={**body, "fault_rate": 0.5})

    assert response.status_code == 400
    assert message in response.json()["error"]
    state = faults_state(emulator)
    assert (state["fault_kinds"], state["fault_rate"]) == (None, 0.0)


def test_the_helper_refuses_kinds_and_every_kind_together(emulator: EmulatorHandle) -> None:
    with pytest.raises(ValueError, match="not both"):
        emulator.set_faults(kinds=["stall"], every_kind=True)
