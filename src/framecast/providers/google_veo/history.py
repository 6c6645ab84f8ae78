"""What became of a submission after a crash: Google keeps no searchable history of generations, so
the only way back to one is the operation name the journal stored when the create call returned.

- A stored operation name is polled once: done with videos → FOUND (downloaded again through the
  SDK), done with an error or filtered → FAILED, still running → PENDING (the engine asks again
  after ``reconcile_poll_s``, which is the poll interval). Nothing is ever created here.
- No operation name (the process died between the create call and ``accepted()``, or the answer to
  the create call was lost): nothing can tell whether Google started it, and sending it again could
  pay twice, so the outcome is ABSENT with a message saying where to look; the provider's
  ``resend_when_absent`` trait is false, so the engine ends the job failed instead of resending.
- Imagen calls return their images in the answer; one whose answer was lost is the same case.
"""

from __future__ import annotations

from framecast.core.errors import ErrorCategory, GenerationFailedError
from framecast.providers.base import (
    HistoryPage,
    ReconcileOutcome,
    ReconcileState,
    Submission,
)
from framecast.providers.google_veo.failures import PROVIDER
from framecast.providers.google_veo.operations import OperationReader

MAY_HAVE_STARTED = (
    "Google may have started this generation, but its operation name was never recorded, so it "
    "cannot be looked up and is not sent again (that could pay twice); check your Google Cloud "
    "console (or AI Studio usage) before retrying it"
)


class GoogleVeoHistoryProvider:
    """Reconcile by operation name; :meth:`list_history` is always empty (Google lists none)."""

    name = PROVIDER

    def __init__(self, reader: OperationReader) -> None:
        self._reader = reader

    async def list_history(self, page: int = 1, page_size: int = 20) -> HistoryPage:
        return HistoryPage(items=(), page=page, page_size=page_size, total=0, total_pages=0)

    async def reconcile(self, submission: Submission) -> ReconcileOutcome:
        """Raises the errors of :meth:`OperationReader.read` (the engine looks again later)."""
        names = [
            pid for pid in submission.provider_ids if "/operations/" in pid or pid.startswith("operations/")
        ]
        if not names:
            return ReconcileOutcome(state=ReconcileState.ABSENT, error=MAY_HAVE_STARTED)
        name = names[0]
        operation = await self._reader.read(name)
        if not operation.done:
            return ReconcileOutcome(state=ReconcileState.PENDING, provider_ids=(name,))
        try:
            items = await self._reader.collect(operation)
        except GenerationFailedError as exc:
            return ReconcileOutcome(
                state=ReconcileState.FAILED,
                provider_ids=(name,),
                error=exc.message,
                error_category=exc.category
                if exc.category is ErrorCategory.UNSAFE_CONTENT
                else ErrorCategory.SERVER,
            )
        return ReconcileOutcome(state=ReconcileState.FOUND, items=items, provider_ids=(name,))
