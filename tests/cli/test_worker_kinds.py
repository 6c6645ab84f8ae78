"""``framecast worker --kinds``: a worker runs the kinds it is given, and a kind that does not exist
is refused naming the ones that do."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from framecast.cli.main import mounted_app
from framecast.core.settings import get_settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", f"sqlite:///{tmp_path / 'framecast.db'}")
    get_settings.cache_clear()


def test_an_unknown_kind_is_refused_naming_the_known_ones(env: None) -> None:
    result = CliRunner().invoke(mounted_app(), ["worker", "--kinds", "studio.generatoin", "--until-idle"])

    assert result.exit_code == 2
    assert "no such kind of job: studio.generatoin" in result.output
    assert "studio.generation" in result.output.replace("studio.generatoin", "")


def test_a_worker_of_a_named_kind_runs_until_the_queue_is_empty(env: None) -> None:
    runner = CliRunner()
    assert runner.invoke(mounted_app(), ["db", "upgrade"]).exit_code == 0

    result = runner.invoke(mounted_app(), ["worker", "--kinds", "studio.generation", "--until-idle"])

    assert result.exit_code == 0, result.output
