"""Bench (a) and (b): a batch against the emulator, as a ratio to the ideal and to a bare client.

(a) N items, concurrency C, emulator latency L, no limits: ideal = ceil(N/C) x L. Target <= 1.10.
(b) the same under the emulator's rate limit R/min (429 with Retry-After): ideal = what the limit
    allows, computed by simulating a perfect client against the same sliding window. Target <= 1.15.

The baseline measured in the same run is a bare asyncio + httpx client (a semaphore, no database, no
retries) streaming the same requests: the engine's overhead is engine / baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from pathlib import Path

import httpx

from bench.common import emulator_process, fresh_env


async def bare_client(root: str, n: int, concurrency: int, tag: str) -> float:
    """Stream N text-to-video requests with a semaphore; retry 429s after Retry-After."""
    sem = asyncio.Semaphore(concurrency)
    headers = {"Authorization": "Bearer bench"}
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=concurrency * 2)
    ) as http:

        async def one(i: int) -> None:
            body = {
                "prompt": f"{tag} {i}",
                "aspect_ratio": "VIDEO_ASPECT_RATIO_LANDSCAPE",
                "number_of_videos": 1,
            }
            while True:
                url = root + "/api/v1/veo/text-to-video"
                async with sem, http.stream("POST", url, json=body, headers=headers) as r:
                    if r.status_code == 429:
                        wait = float(r.headers.get("Retry-After", "1"))
                    else:
                        async for _ in r.aiter_bytes():
                            pass
                        return
                await asyncio.sleep(wait)

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        return time.perf_counter() - start


def engine_run(root: str, n: int, concurrency: int, tag: str, rate: float) -> float:
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

    with fresh_env(root, FRAMECAST_GENAIPRO__RATE_PER_MINUTE=str(rate)) as tmp:
        settings = get_settings()
        upgrade(settings.database_url_resolved)
        db = Database.from_settings(settings)
        repo = JobRepository(db)
        out = Path(tmp) / "out"
        for i in range(n):
            request = GenerationRequest(Mode.TEXT, f"{tag} {i}", Aspect.LANDSCAPE, 1)
            repo.enqueue(
                JobSpec(
                    provider="genaipro",
                    mode="text",
                    request=request_to_json(request, out_dir=out, stems=[f"v{i}"]),
                )
            )

        async def main() -> float:
            worker = Worker(db, settings, kinds=[GENERATION], providers=["genaipro"], concurrency=concurrency)
            start = time.perf_counter()
            try:
                await worker.run(until_done=True)
            finally:
                await worker.aclose()
            return time.perf_counter() - start

        elapsed = asyncio.run(main())
        states = {j.state for j in repo.list_jobs(limit=n + 1)}
        assert states == {JobState.SUCCEEDED.value}, states
        db.dispose()
        return elapsed


def ideal_under_window(n: int, concurrency: int, latency: float, per_minute: int) -> float:
    """Finish time of a perfect client: starts a request as soon as both a slot and the window allow."""
    starts: list[float] = []
    finishes: list[float] = []
    for i in range(n):
        t = 0.0
        if i >= concurrency:
            t = max(t, sorted(finishes)[i - concurrency])
        if i >= per_minute:
            t = max(t, starts[i - per_minute] + 60.0)
        starts.append(t)
        finishes.append(t + latency)
    return max(finishes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--rate-per-minute", type=int, default=120, help="emulator limit for (b)")
    parser.add_argument("--only", choices=["a", "b"], default=None)
    args = parser.parse_args()
    n, c, lat = args.items, args.concurrency, args.latency
    if args.only in (None, "a"):
        ideal = math.ceil(n / c) * lat
        with emulator_process("--latency", str(lat), "--media-seconds", "1", "--media-size", "64") as root:
            base = asyncio.run(bare_client(root, n, c, "bare"))
            eng = engine_run(root, n, c, "engine", rate=100000)
        print(
            f"(a) {n} items, concurrency {c}, latency {lat}s: ideal {ideal:.1f}s  bare client {base:.1f}s  "
            f"framecast {eng:.1f}s  ratio to ideal {eng / ideal:.3f} (target <= 1.10)  "
            f"to bare {eng / base:.3f}"
        )
    if args.only in (None, "b"):
        r = args.rate_per_minute
        lat_b = 0.5
        ideal = ideal_under_window(n, c, lat_b, r)
        with emulator_process(
            "--latency", str(lat_b), "--rate-per-minute", str(r), "--media-seconds", "1", "--media-size", "64"
        ) as root:
            eng = engine_run(root, n, c, "engine", rate=600)
            stats = httpx.get(root + "/_emulator/stats").json()
        with emulator_process(
            "--latency", str(lat_b), "--rate-per-minute", str(r), "--media-seconds", "1", "--media-size", "64"
        ) as root:
            base = asyncio.run(bare_client(root, n, c, "bare"))
        print(
            f"(b) {n} items under {r}/min, concurrency {c}, latency {lat_b}s: ideal {ideal:.1f}s  "
            f"bare client {base:.1f}s  framecast {eng:.1f}s  "
            f"ratio to ideal {eng / ideal:.3f} (target <= 1.15)  "
            f"to bare {eng / base:.3f}  429s seen by the engine {stats['refused']}"
        )


if __name__ == "__main__":
    main()
