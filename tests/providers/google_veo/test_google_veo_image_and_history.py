"""Imagen through the same SDK, and reconcile after a crash: poll the stored operation, never create
another; with no stored name, say where to look instead of sending again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.providers.google_veo.conftest import Providers, RecordingJournal

from framecast.core.errors import ErrorCategory, GenerationFailedError, InvalidInputError
from framecast.emulators.google_veo.testing import EmulatorHandle
from framecast.providers.base import (
    Aspect,
    GenerationRequest,
    Mode,
    NullJournal,
    ReconcileState,
    Submission,
)
from framecast.providers.google_veo.history import MAY_HAVE_STARTED


async def test_imagen_writes_pngs_of_the_asked_aspect(
    providers: Providers, journal: RecordingJournal
) -> None:
    result = await providers.image.generate_image(
        GenerationRequest(Mode.IMAGE, "a red fox, watercolour", Aspect.SQUARE, count=2), journal
    )
    assert journal.log == ["before_submit", "accepted"]
    assert [item.path.suffix for item in result.items if item.path] == [".png", ".png"]
    assert all(item.path and item.path.read_bytes()[:4] == b"\x89PNG" for item in result.items)


async def test_imagen_filtered_is_unsafe_content(providers: Providers, google: EmulatorHandle) -> None:
    google.force_faults(["rai_filtered"])
    with pytest.raises(GenerationFailedError) as caught:
        await providers.image.generate_image(GenerationRequest(Mode.IMAGE, "a fox"), NullJournal())
    assert caught.value.category is ErrorCategory.UNSAFE_CONTENT


async def test_imagen_refuses_a_negative_prompt_on_the_gemini_api(providers: Providers) -> None:
    with pytest.raises(InvalidInputError, match=r"Negative prompt \(--negative-prompt\)"):
        await providers.image.generate_image(
            GenerationRequest(Mode.IMAGE, "a fox", negative_prompt="blur"), NullJournal()
        )


async def test_reconcile_after_accepted_polls_the_stored_name_and_creates_nothing(
    providers: Providers, google: EmulatorHandle
) -> None:
    class CrashAfterAccepted(RecordingJournal):
        async def accepted(self, provider_ids: tuple[str, ...]) -> None:
            await super().accepted(provider_ids)
            raise KeyboardInterrupt  # the process dies here

    journal = CrashAfterAccepted()
    request = GenerationRequest(Mode.TEXT, "a fox")
    with pytest.raises(KeyboardInterrupt):
        await providers.video.generate_video(request, journal)
    submission = Submission(
        request=request, submitted_at=datetime.now(UTC), provider_ids=journal.provider_ids
    )
    outcome = await providers.history.reconcile(submission)
    while outcome.state is ReconcileState.PENDING:
        outcome = await providers.history.reconcile(submission)
    assert outcome.state is ReconcileState.FOUND
    path = outcome.items[0].path
    assert path is not None
    assert path.read_bytes()[4:8] == b"ftyp"
    assert google.stats()["operations_created"] == 1


async def test_reconcile_of_a_failed_operation_is_failed(
    providers: Providers, google: EmulatorHandle
) -> None:
    google.force_faults(["operation_error"])
    journal = RecordingJournal()
    with pytest.raises(GenerationFailedError):
        await providers.video.generate_video(GenerationRequest(Mode.TEXT, "a fox"), journal)
    outcome = await providers.history.reconcile(
        Submission(GenerationRequest(Mode.TEXT, "a fox"), datetime.now(UTC), journal.provider_ids)
    )
    assert outcome.state is ReconcileState.FAILED
    assert outcome.provider_ids == journal.provider_ids


async def test_reconcile_without_an_operation_name_is_absent_and_says_where_to_look(
    providers: Providers, google: EmulatorHandle
) -> None:
    outcome = await providers.history.reconcile(
        Submission(GenerationRequest(Mode.TEXT, "a fox"), datetime.now(UTC), ())
    )
    assert outcome.state is ReconcileState.ABSENT
    assert outcome.error == MAY_HAVE_STARTED
    assert "Google Cloud console" in MAY_HAVE_STARTED
    assert google.stats()["requests"] == 0
