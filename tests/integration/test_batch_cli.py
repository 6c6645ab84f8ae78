"""The batch command end to end, as a user runs it, against the emulator with random faults."""

from __future__ import annotations

import csv
from pathlib import Path

from framecast.emulators.genaipro.testing import EmulatorHandle
from tests.integration.conftest import RECOVERABLE_KINDS, framecast, genaipro_env, is_mp4, write_frame


def write_blocks(path: Path, n: int) -> list[str]:
    prompts = [f"shot {i}: the capybara looks at the camera, take {i}" for i in range(1, n + 1)]
    blocks = [f"{i} AROLL\n[VISUAL] {p}\n[VOICE] calm" for i, p in enumerate(prompts, 1)]
    path.write_text(
        "\ufeff" + "\r\n\r\n".join(b.replace("\n", "\r\n") for b in blocks) + "\r\n", encoding="utf-8"
    )
    return [f"[VISUAL] {p}\n[VOICE] calm" for p in prompts]


def test_a_30_item_aroll_batch_with_faults_succeeds_and_pays_once(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.set_faults(fault_rate=0.2, seed=11, kinds=RECOVERABLE_KINDS)
    prompts = write_blocks(tmp_path / "aroll.txt", 30)
    frame = write_frame(tmp_path / "frame.png")
    out = tmp_path / "out"
    env = genaipro_env(emulator)
    result = framecast(
        "batch",
        "aroll",
        str(tmp_path / "aroll.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--concurrency",
        "10",
        "--out",
        str(out),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in out.glob("*.mp4"))
    assert len(names) == 30
    assert {n.split("~")[0].split(".")[0].replace("_", " ") for n in names} == {
        f"{i} AROLL" for i in range(1, 31)
    }
    assert all(is_mp4(p) for p in out.glob("*.mp4"))
    rows = list(csv.DictReader((out / "results.csv").read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 30
    assert {r["status"] for r in rows} == {"succeeded"}
    assert not (out / "failed.csv").exists()
    stats = emulator.stats()
    assert sum(stats["faults"].values()) > 0, "the run must have met faults to prove anything"
    assert max(stats["accepted_prompts"].values()) == 1
    assert set(stats["accepted_prompts"]) == set(prompts)


def test_running_the_same_batch_again_submits_nothing_new(emulator: EmulatorHandle, tmp_path: Path) -> None:
    write_blocks(tmp_path / "a.txt", 3)
    frame = write_frame(tmp_path / "frame.png")
    args = [
        "batch",
        "aroll",
        str(tmp_path / "a.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--out",
        str(tmp_path / "o"),
    ]
    env = genaipro_env(emulator)
    assert framecast(*args, env=env).returncode == 0
    assert emulator.stats()["accepted"] == 3
    again = framecast(*args, env=env)
    assert again.returncode == 0, again.stderr
    assert "3 already done" in again.stderr
    assert emulator.stats()["accepted"] == 3


def test_a_csv_with_bad_rows_is_refused_with_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        'id,prompt,number_of_videos\n1,"a fine prompt",1\n2,"too many",9\n3,,1\n', encoding="utf-8"
    )
    frame = write_frame(tmp_path / "frame.png")
    result = framecast("batch", "aroll", str(bad), "--frame", str(frame), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "bad.csv, line 3" in result.stderr
    assert "9" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_text("id,prompt,number_of_videos\n1,ok,1\n3,,1\n", encoding="utf-8")
    result = framecast("batch", "aroll", str(empty), "--frame", str(frame), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "empty.csv, line 3" in result.stderr
    assert "prompt is empty" in result.stderr


def test_a_paid_batch_larger_than_the_quota_is_refused_unless_forced(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.reset(quota=2)
    write_blocks(tmp_path / "a.txt", 3)
    frame = write_frame(tmp_path / "frame.png")
    args = [
        "batch",
        "aroll",
        str(tmp_path / "a.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--out",
        str(tmp_path / "o"),
    ]
    result = framecast(*args, env=genaipro_env(emulator))
    assert result.returncode == 2
    assert "3 credits · only 2 available" in result.stderr
    assert "needs 3 credits but GenAIPro · Veo has 2 available" in result.stderr
    assert "2 available" in result.stderr
    assert emulator.stats()["accepted"] == 0
    forced = framecast(*args, "--force", env=genaipro_env(emulator))
    assert forced.returncode == 1  # the third item meets 402 and fails with a clear message
    assert emulator.stats()["accepted"] == 2
    failed = (tmp_path / "o" / "failed.csv").read_text(encoding="utf-8")
    assert failed.startswith("id,prompt,number_of_videos")


def test_a_missing_frame_is_named_as_the_option_not_a_line(tmp_path: Path) -> None:
    write_blocks(tmp_path / "a.txt", 2)
    result = framecast(
        "batch",
        "aroll",
        str(tmp_path / "a.txt"),
        "--frame",
        str(tmp_path / "nope.jpg"),
        "--out",
        str(tmp_path / "o"),
    )
    assert result.returncode == 2
    assert f"--frame: image not found: {tmp_path / 'nope.jpg'}" in result.stderr


def test_the_quota_check_of_a_resumed_batch_counts_only_what_is_left(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    emulator.reset(quota=4)
    write_blocks(tmp_path / "a.txt", 3)
    frame = write_frame(tmp_path / "frame.png")
    args = [
        "batch",
        "aroll",
        str(tmp_path / "a.txt"),
        "--frame",
        str(frame),
        "--provider",
        "genaipro",
        "--out",
        str(tmp_path / "o"),
    ]
    assert framecast(*args, env=genaipro_env(emulator)).returncode == 0
    write_blocks(tmp_path / "a.txt", 4)  # one item added; 1 credit left, 1 needed
    again = framecast(*args, env=genaipro_env(emulator))
    assert again.returncode == 0, again.stderr
    assert emulator.stats()["accepted"] == 4
