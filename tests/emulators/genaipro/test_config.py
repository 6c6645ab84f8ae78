"""Emulator settings: defaults, range checks, and changes from JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from framecast.core.errors import InvalidInputError
from framecast.emulators.genaipro.config import EmulatorConfig
from framecast.emulators.genaipro.faults import FaultKind


def test_the_defaults_are_unlimited_and_fault_free() -> None:
    config = EmulatorConfig()

    assert (config.latency, config.concurrency, config.rate_per_minute, config.quota) == (3.0, 0, 0, None)
    assert (config.api_key, config.fault_rate, config.seed) == (None, 0.0, 0)
    assert (config.media_seconds, config.media_size) == (2.0, 360)
    assert (config.fault_kinds, config.files_need_auth) == (None, False)


@pytest.mark.parametrize(
    "fields",
    [
        {"latency": -1.0},
        {"concurrency": -1},
        {"quota": -5},
        {"fault_rate": 1.5},
        {"api_key": " "},
        {"media_size": 4},
        {"fault_kinds": ()},
        {"fault_kinds": ("gremlins",)},
        {"fault_kinds": "stall"},
    ],
)
def test_out_of_range_settings_are_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        EmulatorConfig(**fields)


def test_updated_converts_json_values_and_keeps_the_rest() -> None:
    config = EmulatorConfig(latency=1.0, quota=10).updated(
        {"latency": 2, "quota": None, "media_dir": "/tmp/m"}
    )

    assert (config.latency, config.quota, config.media_dir) == (2.0, None, Path("/tmp/m"))
    assert isinstance(config.latency, float)


@pytest.mark.parametrize(
    "changes",
    [
        {"nope": 1},
        {"quota": "10"},
        {"concurrency": 1.5},
        {"wire_variants": 1},
        {"files_need_auth": "yes"},
        {"fault_kinds": "stall"},
        {"fault_kinds": [1]},
        {"fault_kinds": ["gremlins"]},
    ],
)
def test_updated_refuses_unknown_fields_and_wrong_types(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        EmulatorConfig().updated(changes)


def test_the_api_key_is_not_shown_in_json() -> None:
    assert EmulatorConfig(api_key="eyJ.secret").to_json()["api_key"] == "(set)"


def test_fault_kinds_are_stored_as_kinds_once_each_in_declaration_order() -> None:
    config = EmulatorConfig(fault_kinds=("stall", FaultKind.EMPTY_STREAM, "stall"))  # type: ignore[arg-type]

    assert config.fault_kinds == (FaultKind.EMPTY_STREAM, FaultKind.STALL)
    assert config.to_json()["fault_kinds"] == ["empty_stream", "stall"]


def test_updated_reads_fault_kinds_and_files_need_auth_from_json() -> None:
    config = EmulatorConfig().updated({"fault_kinds": ["get_rate_limit"], "files_need_auth": True})

    assert (config.fault_kinds, config.files_need_auth) == ((FaultKind.GET_RATE_LIMIT,), True)
    assert config.updated({"fault_kinds": None}).fault_kinds is None
