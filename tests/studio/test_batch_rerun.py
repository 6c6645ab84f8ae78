"""Re-running a batch on another provider: the same items under the same ids, in a new folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from framecast.core.errors import BatchInputError, InvalidInputError, NotFoundError
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.providers.base import Aspect, Mode
from framecast.providers.registry import ProviderTraits
from framecast.studio.batch_rerun import (
    RERUN_OF,
    find_batch,
    open_rerun,
    plan_rerun,
    rerun_folder,
    rerun_of,
)
from framecast.studio.batches import BatchPlan, credits_needed, dollars_needed, open_batch, plan_batch

AROLL = "intro\nA heron lands on the river\n\nclose-up\nThe heron's eye\n"
FOOTAGE = "id,prompt,number_of_videos,image_number\nsunrise,Sun over the hills,2,1\nharbour,Boats,1,2\n"


def rehearse_aroll(db: Database, tmp_path: Path, text: str = AROLL) -> tuple[Batch, Path]:
    """An A-roll batch opened on offline, as the CLI opens it; answers it and its file."""
    source = tmp_path / "prompts.txt"
    source.write_text(text, encoding="utf-8")
    frame = tmp_path / "frame.png"
    frame.write_bytes(b"a frame")
    plan = plan_batch("aroll", source, out_dir=tmp_path / "out", aspect=Aspect.PORTRAIT, frame=frame)
    opened = open_batch(db, plan, provider="offline", max_attempts=3)
    return find_batch(db, opened.batch_id, owner_id=None), source


def jobs_of(db: Database, batch_id: int) -> list[Job]:
    with db.session() as session:
        jobs = list(session.scalars(select(Job).where(Job.batch_id == batch_id).order_by(Job.id)))
        session.expunge_all()
        return jobs


def test_a_rerun_queues_the_same_items_under_the_same_ids_in_a_subfolder_named_after_the_provider(
    db: Database, tmp_path: Path
) -> None:
    rehearsal, _ = rehearse_aroll(db, tmp_path)

    plan = plan_rerun(rehearsal, "genaipro")
    opened = open_rerun(db, rehearsal, plan, provider="genaipro", max_attempts=3)

    assert plan.out_dir == (tmp_path / "out" / "genaipro").resolve() == rerun_folder(rehearsal, "genaipro")
    rerun = find_batch(db, opened.batch_id, owner_id=None)
    assert (rerun.kind, rerun.provider, rerun.source_path) == ("aroll", "genaipro", rehearsal.source_path)
    assert rerun_of(rerun) == rehearsal.id
    assert rerun.options[RERUN_OF] == rehearsal.id
    assert rerun_of(rehearsal) is None
    before, after = jobs_of(db, rehearsal.id), jobs_of(db, rerun.id)
    assert [j.item_key for j in after] == [j.item_key for j in before] == ["intro", "close-up"]
    assert {j.provider for j in after} == {"genaipro"}
    for old, new in zip(before, after, strict=True):
        keep = ("prompt", "aspect", "count", "start_image", "stems", "mode")
        assert {k: new.request.get(k) for k in keep} == {k: old.request.get(k) for k in keep}
        assert new.request["out_dir"] == str(plan.out_dir)


def test_rerunning_on_the_batchs_own_provider_is_refused_as_resuming(db: Database, tmp_path: Path) -> None:
    rehearsal, _ = rehearse_aroll(db, tmp_path)

    with pytest.raises(InvalidInputError, match="already ran on offline; running it again there is resuming"):
        plan_rerun(rehearsal, "offline")


def test_running_the_rerun_again_resumes_it_and_another_batchs_folder_is_refused(
    db: Database, tmp_path: Path
) -> None:
    rehearsal, _ = rehearse_aroll(db, tmp_path)
    plan = plan_rerun(rehearsal, "genaipro")
    first = open_rerun(db, rehearsal, plan, provider="genaipro", max_attempts=3)

    again = open_rerun(db, rehearsal, plan_rerun(rehearsal, "genaipro"), provider="genaipro", max_attempts=3)
    into_rehearsal = plan_rerun(rehearsal, "genaipro", out_dir=tmp_path / "out")

    assert (again.resumed, again.batch_id, again.queued) == (True, first.batch_id, 0)
    with pytest.raises(InvalidInputError, match=f"holds batch {rehearsal.id}, which is not a re-run"):
        open_rerun(db, rehearsal, into_rehearsal, provider="genaipro", max_attempts=3)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (AROLL.replace("The heron's eye", "A different eye"), "item 'close-up' has another prompt or count"),
        (AROLL + "\noutro\nThe heron flies off\n", "item 'outro' is new"),
        ("intro\nA heron lands on the river\n", "item 'close-up' is no longer in it"),
    ],
)
def test_a_batch_file_changed_since_the_rehearsal_is_refused_naming_the_item(
    db: Database, tmp_path: Path, text: str, problem: str
) -> None:
    rehearsal, source = rehearse_aroll(db, tmp_path)
    source.write_text(text, encoding="utf-8")

    plan = plan_rerun(rehearsal, "genaipro")
    with pytest.raises(
        InvalidInputError, match=rf"prompts\.txt changed since batch {rehearsal.id} ran: {problem}"
    ):
        open_rerun(db, rehearsal, plan, provider="genaipro", max_attempts=3)
    with db.session() as session:
        assert session.scalar(select(Batch.id).where(Batch.id != rehearsal.id)) is None


def test_a_missing_frame_or_a_broken_file_is_refused_by_name(db: Database, tmp_path: Path) -> None:
    rehearsal, source = rehearse_aroll(db, tmp_path)
    source.write_text("intro\nA heron\n\nintro\nagain\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match=r"prompts\.txt, line 4: duplicate id 'intro'"):
        plan_rerun(rehearsal, "genaipro")

    (tmp_path / "frame.png").unlink()
    with pytest.raises(InvalidInputError, match=r"its start frame frame\.png is no longer there"):
        plan_rerun(rehearsal, "genaipro")


def test_broll_footage_keeps_its_numbered_images_and_counts(db: Database, tmp_path: Path) -> None:
    source = tmp_path / "footage.csv"
    source.write_text(FOOTAGE, encoding="utf-8")
    images = tmp_path / "numbered"
    images.mkdir()
    (images / "1_hills.png").write_bytes(b"one")
    (images / "2_boats.jpg").write_bytes(b"two")
    plan = plan_batch(
        "broll-footage", source, out_dir=tmp_path / "o", aspect=Aspect.LANDSCAPE, images_dir=images
    )
    rehearsal = find_batch(
        db, open_batch(db, plan, provider="offline", max_attempts=3).batch_id, owner_id=None
    )

    again = plan_rerun(rehearsal, "genaipro")
    open_rerun(db, rehearsal, again, provider="genaipro", max_attempts=3)

    requests = {e.item.key: e.steps[0].request for e in again.items}
    assert {k: (r.count, r.start_image) for k, r in requests.items()} == {
        "sunrise": (2, (images / "1_hills.png").resolve()),
        "harbour": (1, (images / "2_boats.jpg").resolve()),
    }


def test_another_owners_batch_is_not_found(db: Database, tmp_path: Path) -> None:
    rehearsal, _ = rehearse_aroll(db, tmp_path)

    with pytest.raises(NotFoundError, match=f"no batch {rehearsal.id}"):
        find_batch(db, rehearsal.id, owner_id=7)


def test_the_cost_is_in_the_providers_own_unit(tmp_path: Path) -> None:
    source = tmp_path / "p.txt"
    source.write_text("dawn\nA heron\n\ndusk\nAn owl\n", encoding="utf-8")
    plan: BatchPlan = plan_batch("pipeline", source, out_dir=tmp_path / "o", aspect=Aspect.LANDSCAPE)
    credited = ProviderTraits(label="Credits", paid=True, credits_per_video=1, credits_per_image=1)
    billed = ProviderTraits(label="Dollars", paid=True, dollars_per_video_second=0.5, dollars_per_image=0.04)
    unpriced = ProviderTraits(label="Half", paid=True, dollars_per_video_second=0.5)

    assert (credits_needed(plan, credited), dollars_needed(plan, credited)) == (4, None)
    # Two items, each an image and an 8-second video from it.
    assert credits_needed(plan, billed) == 0
    assert dollars_needed(plan, billed) == pytest.approx(2 * (0.04 + 0.5 * 8))
    assert dollars_needed(plan, billed, skip_keys=frozenset({"dawn"})) == pytest.approx(0.04 + 4)
    assert dollars_needed(plan, unpriced) is None
    assert billed.dollars_for(Mode.IMAGE, 1) == pytest.approx(0.04)
