"""Bench (a) and (b): a batch against an emulator, as a ratio to the ideal and to a bare client.

(a) N items, concurrency C, emulator latency L, on one provider (``--provider``; default: each in turn):

    genaipro      GenAIPro v1, one SSE stream per item: ideal = ceil(N/C) x L.
    google-veo    Google Veo (``framecast emulator google-veo``, the real SDK), each operation polled
                  every P s: ideal = ceil(N/C) x (L rounded up to a multiple of P).
    genaipro-v2   GenAIPro v2 (``FRAMECAST_GENAIPRO__API_VERSION=2``), 202 + polling, under the 30
                  requests a minute the service documents for submissions and polls together: ideal =
                  the best perfect client with one histories read a round every P s, simulated.

    Target <= 1.10.
(b) GenAIPro v1 under the emulator's rate limit R/min (429 with Retry-After): ideal = what the limit
    allows, computed by simulating a perfect client against the same sliding window. Target <= 1.15.

The baseline measured in the same run is a bare asyncio + httpx client (``bench/bare_clients.py``:
a semaphore, no database) making the same requests: the engine's overhead is engine / baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import bare_clients
from bench.batch_ideals import ideal_polled, ideal_streamed, ideal_under_window, ideal_v2
from bench.common import emulator_process, fresh_env

GOOGLE_MODEL = "veo-3.1-generate-preview"
MEDIA = ("--media-seconds", "1", "--media-size", "64")


@dataclass(frozen=True)
class Profile:
    """How bench (a) runs on one provider."""

    provider: str  # the job's provider name
    emulator: str  # framecast emulator EMULATOR
    items: int
    latency: float
    poll_s: float | None = None  # the provider's own poll interval; None: results are pushed
    per_minute: int | None = None  # the service's window for every request; None: unlimited
    env: Mapping[str, str] = field(default_factory=dict)


PROFILES = {
    "genaipro": Profile(
        "genaipro", "genaipro", 200, 2.0, env={"FRAMECAST_GENAIPRO__RATE_PER_MINUTE": "100000"}
    ),
    # A poll interval that does not divide the latency: the third read (2.25 s) lands 0.25 s after
    # the operation is done, whatever the round trips.
    "google-veo": Profile(
        "google-veo",
        "google-veo",
        200,
        2.0,
        poll_s=0.75,
        env={
            "FRAMECAST_GOOGLE__CONCURRENCY": "10",
            "FRAMECAST_GOOGLE__RATE_PER_MINUTE": "100000",
            "FRAMECAST_GOOGLE__POLL_S": "0.75",
        },
    ),
    # The provider's own defaults (rounds 10 s apart; 30 a minute); 40 items: the window, not the
    # latency, decides (about 80 s for a perfect client).
    "genaipro-v2": Profile(
        "genaipro",
        "genaipro",
        40,
        5.0,
        poll_s=10.0,
        per_minute=30,
        env={"FRAMECAST_GENAIPRO__API_VERSION": "2"},
    ),
}


def ideal_of(profile: Profile, n: int, concurrency: int, latency: float) -> float:
    if profile.per_minute is not None:
        assert profile.poll_s is not None
        return ideal_v2(n, concurrency, latency, profile.poll_s, profile.per_minute)
    if profile.poll_s is not None:
        return ideal_polled(n, concurrency, latency, profile.poll_s)
    return ideal_streamed(n, concurrency, latency)


async def bare_run(profile: Profile, root: str, n: int, concurrency: int) -> float:
    if profile.emulator == "google-veo":
        assert profile.poll_s is not None
        return await bare_clients.google_veo(root, n, concurrency, "bare", profile.poll_s, GOOGLE_MODEL)
    if profile.per_minute is not None:
        assert profile.poll_s is not None
        return await bare_clients.genaipro_v2(root, n, concurrency, "bare", profile.poll_s)
    return await bare_clients.genaipro_v1(root, n, concurrency, "bare")


def engine_run(provider: str, root: str, n: int, concurrency: int, tag: str, env: Mapping[str, str]) -> float:
    """Enqueue N jobs and run the real worker until all succeeded; returns seconds."""
    from framecast.core.settings import get_settings
    from framecast.db.migrate import upgrade
    from framecast.db.session import Database
    from framecast.jobs.repository import JobRepository, JobSpec
    from framecast.jobs.states import JobState
    from framecast.jobs.worker import Worker
    from framecast.providers.base import Aspect, GenerationRequest, Mode
    from framecast.studio.generation_kind import KIND as GENERATION
    from framecast.studio.requests import request_to_json

    with fresh_env(root, **env) as tmp:
        settings = get_settings()
        upgrade(settings.database_url_resolved)
        db = Database.from_settings(settings)
        repo = JobRepository(db)
        out = Path(tmp) / "out"
        for i in range(n):
            request = GenerationRequest(Mode.TEXT, f"{tag} {i}", Aspect.LANDSCAPE, 1)
            repo.enqueue(
                JobSpec(
                    provider=provider,
                    mode="text",
                    request=request_to_json(request, out_dir=out, stems=[f"v{i}"]),
                )
            )

        async def main() -> float:
            worker = Worker(db, settings, kinds=[GENERATION], providers=[provider], concurrency=concurrency)
            start = time.perf_counter()
            try:
                await worker.run(until_done=True)
            finally:
                await worker.aclose()
            return time.perf_counter() - start

        elapsed = asyncio.run(main())
        states = {j.state for j in repo.list_jobs(limit=n + 1)}
        assert states == {JobState.SUCCEEDED.value}, states
        assert len([p for p in out.glob("*.mp4") if p.stat().st_size > 0]) == n
        db.dispose()
        return elapsed


def run_a(name: str, n: int | None, c: int, latency: float | None) -> None:
    profile = PROFILES[name]
    n = n or profile.items
    lat = latency if latency is not None else profile.latency
    ideal = ideal_of(profile, n, c, lat)
    options = ["--latency", str(lat), *MEDIA]
    if profile.emulator == "genaipro":
        options += ["--v2-rate-per-minute", str(profile.per_minute or 0)]
    env = dict(profile.env)
    if profile.emulator == "google-veo":
        env |= {"FRAMECAST_GOOGLE__API_KEY": "bench", "FRAMECAST_GOOGLE__BASE_URL": "{root}"}
    with emulator_process(*options, emulator=profile.emulator) as root:
        base = asyncio.run(bare_run(profile, root, n, c))
        # A fresh account (history, statistics, v2 window) with the clips the bare run rendered:
        # neither client pays the emulator's first renders, nor meets the other's requests.
        httpx.post(root + "/_emulator/reset", json={}).raise_for_status()
        eng = engine_run(
            profile.provider, root, n, c, "engine", {k: v.format(root=root) for k, v in env.items()}
        )
        stats = httpx.get(root + "/_emulator/stats").json()
    rules = f"latency {lat}s"
    if profile.poll_s is not None:
        rules += f", polled every {profile.poll_s}s"
    if profile.per_minute is not None:
        rules += f", {profile.per_minute} requests/min"
    print(
        f"(a) {name}: {n} items, concurrency {c}, {rules}: ideal {ideal:.1f}s  bare client {base:.1f}s  "
        f"framecast {eng:.1f}s  ratio to ideal {eng / ideal:.3f} (target <= 1.10)  to bare {eng / base:.3f}"
    )
    if profile.per_minute is not None:
        print(
            f"    v2 requests {stats['v2_requests']} ({stats['v2_polls']} polls), "
            f"429s seen by the engine {stats['v2_rate_limited']}"
        )


def run_b(n: int, c: int, r: int) -> None:
    lat_b = 0.5
    ideal = ideal_under_window(n, c, lat_b, r)
    options = ("--latency", str(lat_b), "--rate-per-minute", str(r), *MEDIA)
    with emulator_process(*options) as root:
        env = {"FRAMECAST_GENAIPRO__RATE_PER_MINUTE": "600"}
        eng = engine_run("genaipro", root, n, c, "engine", env)
        stats = httpx.get(root + "/_emulator/stats").json()
    with emulator_process(*options) as root:
        base = asyncio.run(bare_clients.genaipro_v1(root, n, c, "bare"))
    print(
        f"(b) {n} items under {r}/min, concurrency {c}, latency {lat_b}s: ideal {ideal:.1f}s  "
        f"bare client {base:.1f}s  framecast {eng:.1f}s  "
        f"ratio to ideal {eng / ideal:.3f} (target <= 1.15)  "
        f"to bare {eng / base:.3f}  429s seen by the engine {stats['refused']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--provider",
        choices=[*sorted(PROFILES), "all"],
        default="all",
        help="(a) on this provider, or on each",
    )
    parser.add_argument("--items", type=int, default=None, help="default: 200 (40 on genaipro-v2)")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--latency", type=float, default=None, help="(a); default: 2 s (5 s on genaipro-v2)")
    parser.add_argument("--rate-per-minute", type=int, default=120, help="emulator limit for (b)")
    parser.add_argument("--only", choices=["a", "b"], default=None)
    args = parser.parse_args()
    if args.only in (None, "a"):
        for name in sorted(PROFILES) if args.provider == "all" else [args.provider]:
            run_a(name, args.items, args.concurrency, args.latency)
    if args.only in (None, "b") and args.provider in ("genaipro", "all"):
        run_b(args.items or 200, args.concurrency, args.rate_per_minute)


if __name__ == "__main__":
    main()
