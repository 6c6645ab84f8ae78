"""A job runs with its owner's own stored provider key; without one, with the platform's."""

from __future__ import annotations

from pathlib import Path

import pytest

from framecast.core.secret import fernet
from framecast.core.settings import get_settings
from framecast.db.accounts import ProviderKey, User
from framecast.db.session import Database
from framecast.emulators.genaipro.testing import EmulatorHandle
from framecast.jobs.repository import JobRepository, JobSpec
from framecast.jobs.states import JobState
from framecast.jobs.worker import Worker
from framecast.providers.base import Aspect, GenerationRequest, Mode
from framecast.studio.requests import request_to_json


async def test_the_owners_key_is_used_and_never_another_users(
    use_emulator: EmulatorHandle, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", "the-platform-key-is-wrong")
    get_settings.cache_clear()
    settings = get_settings()
    use_emulator.reset(api_key="carols-own-key")
    with db.session() as session:
        carol = User(email="carol@example.com", name="Carol", password_hash="x", preferences={})
        dave = User(email="dave@example.com", name="Dave", password_hash="x", preferences={})
        session.add_all([carol, dave])
        session.flush()
        session.add(
            ProviderKey(
                user_id=carol.id,
                provider="genaipro",
                encrypted_key=fernet(settings).encrypt(b"carols-own-key"),
                hint="-key",
            )
        )
        owners = {"carol": carol.id, "dave": dave.id}
    repo = JobRepository(db)
    ids = {}
    for name, owner in owners.items():
        request = GenerationRequest(Mode.TEXT, f"{name}'s clip", Aspect.LANDSCAPE, 1)
        ids[name] = repo.enqueue(
            JobSpec(
                provider="genaipro",
                mode="text",
                owner_id=owner,
                request=request_to_json(request, out_dir=tmp_path / name, stems=["clip"]),
            )
        )
    worker = Worker(db, settings, providers=["genaipro"])
    try:
        await worker.run(until_done=True)
    finally:
        await worker.aclose()
    assert repo.get(ids["carol"]).state == JobState.SUCCEEDED
    daves = repo.get(ids["dave"])
    assert daves.state == JobState.FAILED
    assert daves.error_category == "auth"
    assert use_emulator.stats()["accepted_prompts"] == {"carol's clip": 1}
