"""``--provider`` takes any registered provider (a plugin's or a test's too) and refuses other names
listing the registered ones; a setting naming an unknown provider stops every command first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framecast.cli.main import mounted_app
from framecast.core.settings import get_settings
from framecast.providers.base import Quota
from framecast.providers.registry import BuildContext, ProviderBundle, ProviderTraits, register, unregister


class FakeQuota:
    name = "fakecam"

    async def read_quota(self) -> Quota:
        return Quota(total=10, used=3, available=7)


def said(output: str) -> str:
    """The output's words on one line, without the frame the error is drawn in."""
    return " ".join(output.replace("│", " ").split())


def fakecam(context: BuildContext) -> ProviderBundle:
    return ProviderBundle(name="fakecam", quota=FakeQuota())


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", f"sqlite:///{tmp_path / 'framecast.db'}")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def registered_fake() -> Iterator[str]:
    register("fakecam", fakecam, lambda _settings: ProviderTraits(label="Fake Cam", paid=True))
    try:
        yield "fakecam"
    finally:
        unregister("fakecam")


def test_a_registered_fake_is_a_choice_of_provider(env: None, registered_fake: str) -> None:
    result = CliRunner().invoke(mounted_app(), ["quota", "--provider", registered_fake])

    assert result.exit_code == 0, result.output
    assert "available 7  used 3  total 10" in result.output


def test_an_unregistered_provider_is_refused_listing_the_registered_ones(env: None) -> None:
    register("fakecam", fakecam)
    unregister("fakecam")

    result = CliRunner().invoke(mounted_app(), ["quota", "--provider", "fakecam"])

    assert result.exit_code == 2
    assert "no provider 'fakecam'; choose one of: genaipro, google-veo, offline" in said(result.output)


def test_a_repeated_worker_provider_is_checked_too(env: None) -> None:
    result = CliRunner().invoke(mounted_app(), ["worker", "--provider", "offline", "--provider", "genaipr0"])

    assert result.exit_code == 2
    assert "no provider 'genaipr0'" in said(result.output)


def test_an_unknown_default_provider_stops_any_command_naming_the_variable(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMECAST_DEFAULT_PROVIDER", "genaipr0")
    get_settings.cache_clear()

    result = CliRunner().invoke(mounted_app(), ["db", "upgrade"])

    assert result.exit_code != 0
    assert str(result.exception) == (
        "FRAMECAST_DEFAULT_PROVIDER='genaipr0' names no provider; "
        "choose one of: genaipro, google-veo, offline"
    )
