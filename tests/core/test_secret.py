"""The platform secret generated into the data dir: once, whole, the same for every process."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from framecast.core.secret import secret_bytes
from framecast.core.settings import Settings


def _read(data_dir: str, results: multiprocessing.Queue[bytes]) -> None:
    results.put(secret_bytes(Settings(data_dir=Path(data_dir))))


def test_a_configured_secret_is_used_as_is(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, web={"secret_key": "configured"})
    assert secret_bytes(settings) == b"configured"
    assert not (tmp_path / "secret.key").exists()


def test_processes_starting_at_once_on_one_volume_share_one_secret(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[bytes] = context.Queue()
    processes = [context.Process(target=_read, args=(str(tmp_path), results)) for _ in range(6)]
    for process in processes:
        process.start()
    secrets = {results.get(timeout=60) for _ in processes}
    for process in processes:
        process.join(timeout=60)
    assert all(process.exitcode == 0 for process in processes)
    assert len(secrets) == 1
    assert len(secrets.pop()) >= 48
    assert not list(tmp_path.glob(".secret.key.*"))  # no half-made secret left behind
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
