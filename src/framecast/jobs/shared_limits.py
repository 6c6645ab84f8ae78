"""A provider account's limits, shared by every worker on every host through the database.

Three workers at concurrency 4 against an account that allows 4 must put 4 requests in flight, not
12; a 429 one of them meets must slow all of them. So the limits of an account live in two tables:

- ``limit_slots``: one row per concurrent request the account allows. A request takes a free row
  (no holder, or a holder whose lease ran out) and names itself its holder under a lease that is
  renewed while the request is out; it gives the row back when the request ends. A worker killed
  with its requests out holds its rows only until their leases run out.
- ``limit_rates``: the account's token bucket (rate, tokens, when last refilled), the pause a 429
  imposed on everyone, and the count of 429s — adapted by the same AIMD arithmetic as the
  in-process :class:`~framecast.jobs.limits.AdaptiveLimiter`.

Every step is one short transaction that first locks the account's ``limit_rates`` row (``FOR
UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway), so two workers
never take the same slot or the same token. Waiting is done outside transactions: for a slot, until
this process gives one back or :data:`SLOT_POLL_S` passes (another process may have); for the rate
or a pause, for the time the bucket says.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import anyio
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.db.base import utcnow
from framecast.db.models import LimitRate, LimitSlot
from framecast.db.session import Database
from framecast.jobs.limits import LimiterStats, lowered, pause_after_429, raised, refilled

log = logging.getLogger(__name__)

# How often a request waiting for a slot looks again (a slot freed in another process is not heard).
SLOT_POLL_S = 0.25
# The longest single wait between two looks, whatever the bucket says (settings may change).
MAX_WAIT_S = 2.0


@dataclass(frozen=True)
class _Taken:
    slot: int | None  # the slot row now held, or None: wait ``wait_s`` (-1: for a free slot)
    wait_s: float = 0.0


class SharedLimiter:
    """At most ``concurrency`` requests of ``account`` in flight over all workers, about
    ``rate_per_minute`` started per minute between them, and 429s slowing all of them."""

    def __init__(
        self,
        db: Database,
        account: str,
        concurrency: int,
        rate_per_minute: float,
        *,
        holder: str,
        lease_s: float = 60.0,
        min_rate_per_minute: float = 1.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.account = account[:100]
        self.concurrency = concurrency
        self.ceiling = max(rate_per_minute, min_rate_per_minute)
        self.rate = self.ceiling  # as last read from the database
        self.min_rate = min_rate_per_minute
        self.holder = holder
        self.lease_s = lease_s
        self.stats = LimiterStats()
        self._held: dict[int, str] = {}  # slot -> the holder token written on it
        self._released = asyncio.Event()
        self._renewing: asyncio.Task[None] | None = None

    @property
    def in_flight(self) -> int:
        """Requests this process has out now (the account's total is in ``limit_slots``)."""
        return len(self._held)

    # -- holding a slot ------------------------------------------------------------------------

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        token = f"{self.holder}:{secrets.token_hex(4)}"
        slot = await self._acquire(token)
        try:
            yield
        finally:
            await self._release(slot, token)

    async def _acquire(self, token: str) -> int:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            self._released.clear()
            taken = await anyio.to_thread.run_sync(self._take, token)
            if taken.slot is not None:
                self._held[taken.slot] = token
                self.stats.acquired += 1
                self.stats.waited_s += loop.time() - started
                self._keep_renewing()
                return taken.slot
            wait = SLOT_POLL_S if taken.wait_s < 0 else min(max(taken.wait_s, 0.01), MAX_WAIT_S)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=wait)

    async def _release(self, slot: int, token: str) -> None:
        self._held.pop(slot, None)
        try:
            await anyio.to_thread.run_sync(self._give_back, slot, token)
        finally:
            self._released.set()

    def _keep_renewing(self) -> None:
        if self._renewing is None or self._renewing.done():
            self._renewing = asyncio.get_running_loop().create_task(self._renew())

    async def _renew(self) -> None:
        """Keep this process's slots' leases alive while any is held."""
        while self._held:
            await asyncio.sleep(self.lease_s / 3)
            held = dict(self._held)
            if held:
                try:
                    await anyio.to_thread.run_sync(self._extend, held)
                except Exception as exc:  # the lease is long; the next round tries again
                    log.warning("could not renew the %s slots' leases: %s", self.account, exc)

    # -- the transactions ----------------------------------------------------------------------

    def _locked_rate(self, session: Session) -> LimitRate:
        """The account's bucket row, created when missing, locked for this transaction."""
        query = select(LimitRate).where(LimitRate.account == self.account).with_for_update()
        row = session.scalar(query)
        if row is None:
            try:
                with session.begin_nested():
                    session.add(
                        LimitRate(
                            account=self.account,
                            concurrency=self.concurrency,
                            rate=self.ceiling,
                            ceiling=self.ceiling,
                            tokens=float(self.concurrency),
                            refilled_at=utcnow(),
                            consecutive_429=0,
                            rate_limited=0,
                        )
                    )
            except IntegrityError:
                pass  # another worker created it first
            row = session.scalar(query.execution_options(populate_existing=True))
            assert row is not None
        if row.ceiling != self.ceiling:  # this worker's configuration is the newest word
            row.ceiling = self.ceiling
            row.rate = min(row.rate, self.ceiling)
        if row.concurrency != self.concurrency:
            row.concurrency = self.concurrency
        return row

    def _take(self, token: str) -> _Taken:
        with self.db.session() as session:
            bucket = self._locked_rate(session)
            now = utcnow()
            self.rate = bucket.rate
            if bucket.paused_until is not None and bucket.paused_until > now:
                return _Taken(None, (bucket.paused_until - now).total_seconds())
            slots = {
                row.slot: row
                for row in session.scalars(
                    select(LimitSlot).where(
                        LimitSlot.account == self.account, LimitSlot.slot < self.concurrency
                    )
                )
            }
            free = [
                number
                for number in range(self.concurrency)
                if number not in slots
                or slots[number].holder is None
                or (slots[number].lease_until or now) <= now
            ]
            if not free:
                return _Taken(None, -1.0)
            elapsed = (now - bucket.refilled_at).total_seconds()
            bucket.tokens = refilled(bucket.tokens, elapsed, bucket.rate, float(self.concurrency))
            bucket.refilled_at = max(bucket.refilled_at, now)
            if bucket.tokens < 1.0:
                return _Taken(None, (1.0 - bucket.tokens) * 60.0 / bucket.rate)
            bucket.tokens -= 1.0
            number = free[0]
            lease_until = now + timedelta(seconds=self.lease_s)
            if number in slots:
                slots[number].holder, slots[number].lease_until = token, lease_until
            else:
                session.add(
                    LimitSlot(account=self.account, slot=number, holder=token, lease_until=lease_until)
                )
            return _Taken(number)

    def _give_back(self, slot: int, token: str) -> None:
        with self.db.session() as session:
            session.execute(
                update(LimitSlot)
                .where(LimitSlot.account == self.account, LimitSlot.slot == slot, LimitSlot.holder == token)
                .values(holder=None, lease_until=None)
            )

    def _extend(self, held: dict[int, str]) -> None:
        lease_until = utcnow() + timedelta(seconds=self.lease_s)
        with self.db.session() as session:
            for slot, token in held.items():
                session.execute(
                    update(LimitSlot)
                    .where(
                        LimitSlot.account == self.account, LimitSlot.slot == slot, LimitSlot.holder == token
                    )
                    .values(lease_until=lease_until)
                )

    def _record_success(self) -> None:
        with self.db.session() as session:
            bucket = self._locked_rate(session)
            bucket.consecutive_429 = 0
            bucket.rate = raised(bucket.rate, bucket.ceiling)
            self.rate = bucket.rate

    def _record_429(self, retry_after: float | None) -> float:
        with self.db.session() as session:
            bucket = self._locked_rate(session)
            now = utcnow()
            bucket.rate_limited += 1
            bucket.consecutive_429 += 1
            bucket.rate = lowered(bucket.rate, self.min_rate)
            pause = pause_after_429(retry_after, bucket.consecutive_429)
            until = now + timedelta(seconds=pause)
            bucket.paused_until = max(bucket.paused_until or until, until)
            # The bucket starts empty when the pause ends, so the resumed flow follows the lower rate.
            bucket.tokens = min(bucket.tokens, 0.0)
            bucket.refilled_at = max(bucket.refilled_at, bucket.paused_until)
            self.rate = bucket.rate
            return pause

    def _free_slots(self) -> int:
        now = utcnow()
        with self.db.session() as session:
            busy = session.scalar(
                select(func.count())
                .select_from(LimitSlot)
                .where(
                    LimitSlot.account == self.account,
                    LimitSlot.slot < self.concurrency,
                    LimitSlot.holder.is_not(None),
                    LimitSlot.lease_until > now,
                )
            )
        return max(0, self.concurrency - int(busy or 0))

    # -- the face the worker and the kinds use ---------------------------------------------------

    async def succeeded(self) -> None:
        await anyio.to_thread.run_sync(self._record_success)

    async def rate_limited(self, retry_after: float | None) -> float:
        self.stats.rate_limited += 1
        return await anyio.to_thread.run_sync(functools.partial(self._record_429, retry_after))

    async def claimable(self, running: int) -> int:
        """Jobs a worker may claim now: no more than the account's free slots (so jobs wait queued,
        not "running" in a worker that cannot send them) nor its own concurrency."""
        if running >= self.concurrency:
            return 0  # no need to ask the database
        free = await anyio.to_thread.run_sync(self._free_slots)
        return max(0, min(self.concurrency - running, free - self._waiting(running)))

    def _waiting(self, running: int) -> int:
        """This worker's jobs of the account that hold no slot yet (they will take free ones)."""
        return max(0, running - len(self._held))
