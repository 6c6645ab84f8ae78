"""Opening a batch: a folder resumes only its owner's batch, and the jobs belong to that owner."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from framecast.db.accounts import User
from framecast.db.models import Batch, Job
from framecast.db.session import Database
from framecast.providers.base import Aspect
from framecast.studio.batches import BatchPlan, finished_keys, open_batch, plan_batch


def plan(tmp_path: Path) -> BatchPlan:
    source = tmp_path / "prompts.txt"
    source.write_text("one\nA heron\n\ntwo\nA fox\n", encoding="utf-8")
    return plan_batch("pipeline", source, out_dir=tmp_path / "out", aspect=Aspect.LANDSCAPE)


def user(db: Database, email: str) -> int:
    with db.session() as session:
        row = User(email=email, name=email, password_hash="x", preferences={})
        session.add(row)
        session.flush()
        return row.id


def test_a_batch_and_its_jobs_belong_to_the_owner_that_opened_it(db: Database, tmp_path: Path) -> None:
    alice = user(db, "alice@example.com")

    opened = open_batch(db, plan(tmp_path), provider="offline", max_attempts=3, owner_id=alice)

    with db.session() as session:
        batch = session.get(Batch, opened.batch_id)
        assert batch is not None
        assert batch.owner_id == alice
        owners = session.scalars(select(Job.owner_id).where(Job.batch_id == opened.batch_id)).all()
    assert owners == [alice] * 4  # two pipeline items, an image job and a video job each


def test_the_same_folder_resumes_only_the_same_owners_batch(db: Database, tmp_path: Path) -> None:
    alice, bob = user(db, "alice@example.com"), user(db, "bob@example.com")
    same = plan(tmp_path)

    first = open_batch(db, same, provider="offline", max_attempts=3, owner_id=alice)
    again = open_batch(db, same, provider="offline", max_attempts=3, owner_id=alice)
    bobs = open_batch(db, same, provider="offline", max_attempts=3, owner_id=bob)
    ownerless = open_batch(db, same, provider="offline", max_attempts=3)
    ownerless_again = open_batch(db, same, provider="offline", max_attempts=3)

    assert (first.resumed, again.resumed, again.batch_id) == (False, True, first.batch_id)
    assert not bobs.resumed
    assert bobs.batch_id != first.batch_id
    assert not ownerless.resumed
    assert ownerless.batch_id not in (first.batch_id, bobs.batch_id)
    assert (ownerless_again.resumed, ownerless_again.batch_id) == (True, ownerless.batch_id)


def test_finished_items_are_only_counted_from_the_same_owners_batch(db: Database, tmp_path: Path) -> None:
    alice, bob = user(db, "alice@example.com"), user(db, "bob@example.com")
    same = plan(tmp_path)
    opened = open_batch(db, same, provider="offline", max_attempts=3, owner_id=alice)
    with db.session() as session:
        for job in session.scalars(select(Job).where(Job.batch_id == opened.batch_id)):
            if job.item_key == "one":
                job.state = "succeeded"

    assert finished_keys(db, same, owner_id=alice) == frozenset({"one"})
    assert finished_keys(db, same, owner_id=bob) == frozenset()
    assert finished_keys(db, same) == frozenset()
