"""``framecast worker --kinds``: a worker runs the kinds it is given, and a kind that does not exist
is refused naming the ones that do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from framecast.cli.main import mounted_app
from framecast.core.settings import get_settings
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.jobs.states import JobState
from framecast.studio.zip_kind import request_zip


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


def test_the_worker_registers_the_studios_zip_and_import_kinds_on_its_own() -> None:
    # A fresh interpreter: importing the command alone must register them (no test imported them first).
    code = "import framecast.cli.worker; from framecast.jobs.kinds import kind_names; print(kind_names())"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert all(kind in found for kind in ("studio.generation", "studio.zip", "studio.history_import"))


def test_a_worker_builds_a_queued_zip(env: None, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(mounted_app(), ["db", "upgrade"]).exit_code == 0
    db = Database(get_settings().database_url_resolved)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "intro.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    with db.session() as session:
        batch = Batch(
            owner_id=1,
            kind="aroll",
            provider="offline",
            out_dir=str(folder),
            source_path=str(folder / "s.txt"),
            source_format="txt",
            options={},
        )
        session.add(batch)
        session.flush()
        session.add(
            Job(
                owner_id=1,
                batch_id=batch.id,
                item_key="intro",
                provider="offline",
                mode="text",
                request={},
                state=JobState.SUCCEEDED.value,
                provider_ids=[],
                outputs=[{"path": str(folder / "intro.mp4")}],
            )
        )
        job_id = request_zip(session, batch).job_id

    result = runner.invoke(mounted_app(), ["worker", "--kinds", "studio.zip", "--until-idle"])

    assert result.exit_code == 0, result.output
    with db.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.state, [o["name"] for o in job.outputs]) == ("succeeded", [f"batch_{batch.id}.zip"])
    db.dispose()
