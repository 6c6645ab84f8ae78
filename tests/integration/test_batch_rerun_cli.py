"""``framecast batch rerun``: a batch rehearsed on the offline renderer, then paid for once on
GenAIPro (the emulator) with the same ids, after its cost and a confirmation."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.integration.conftest import framecast, genaipro_env, is_mp4, write_frame
from tests.integration.test_batch_cli import write_blocks


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def test_an_offline_rehearsal_reruns_on_genaipro_with_its_ids_after_the_cost_is_confirmed(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    prompts = write_blocks(tmp_path / "aroll.txt", 4)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "rehearsal"
    env = genaipro_env(emulator)
    rehearsal = framecast(
        "batch", "aroll", str(tmp_path / "aroll.txt"), "--frame", str(frame), "--out", str(out), env=env
    )
    assert rehearsal.returncode == 0, rehearsal.stderr
    found = re.search(r"starting aroll batch (\d+)", rehearsal.stderr)
    assert found is not None, rehearsal.stderr
    batch_id = found.group(1)
    rehearsed = sorted(p.name for p in out.glob("*.mp4"))
    assert len(rehearsed) == 4
    assert emulator.stats()["accepted"] == 0

    # No terminal to confirm on and no --yes: the cost is shown, nothing is sent.
    unconfirmed = framecast("batch", "rerun", str(out), "--provider", "genaipro", env=env)
    assert unconfirmed.returncode == 2, unconfirmed.stderr
    assert "this re-run on GenAIPro · Veo: 4 credits" in unconfirmed.stderr
    assert "not confirmed; nothing was sent (pass --yes" in unconfirmed.stderr
    assert emulator.stats()["accepted"] == 0
    assert not (out / "genaipro" / "results.csv").exists()

    same = framecast("batch", "rerun", batch_id, "--provider", "offline", "--yes", env=env)
    assert same.returncode == 2
    assert f"batch {batch_id} already ran on offline; running it again there is resuming it" in same.stderr

    paid = framecast("batch", "rerun", batch_id, "--provider", "genaipro", "--yes", env=env)

    assert paid.returncode == 0, paid.stderr
    assert f"re-running aroll batch {batch_id} (4 items, made on offline) on GenAIPro · Veo" in paid.stderr
    assert "this re-run on GenAIPro · Veo: 4 credits" in paid.stderr
    target = out / "genaipro"
    assert sorted(p.name for p in target.glob("*.mp4")) == rehearsed
    assert all(is_mp4(p) for p in target.glob("*.mp4"))
    assert [r["id"] for r in rows(target / "results.csv")] == [r["id"] for r in rows(out / "results.csv")]
    assert {r["status"] for r in rows(target / "results.csv")} == {"succeeded"}
    stats = emulator.stats()
    assert stats["accepted"] == 4
    assert set(stats["accepted_prompts"]) == set(prompts)

    again = framecast("batch", "rerun", batch_id, "--provider", "genaipro", "--yes", env=env)
    assert again.returncode == 0, again.stderr
    assert "4 already done" in again.stderr
    assert emulator.stats()["accepted"] == 4
