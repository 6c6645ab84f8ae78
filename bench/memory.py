"""Bench (c): peak resident memory of the client process — target flat, under 150 MB.

1. 500 jobs with concurrency 500 through the real worker (SQLite queue, GenAIPro provider, downloads)
   against the emulator: 500 SSE streams open at once.
2. One 1 GiB result downloaded with the streaming downloader.
3. The same 1 GiB result streamed from the emulator into S3 object storage (``core/storage/s3.py``,
   multipart parts of 8 MiB, 4 in flight) on moto's server, run in its own process so that the
   objects it holds do not count here.

The baseline measured in the same run is this process's RSS after importing Framecast and building the
worker, before any work; the ratios are peak / baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import PeakRSS, emulator_process, fresh_env, mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--download-bytes", type=int, default=1024**3)
    args = parser.parse_args()

    from framecast.core.http import build_http_client
    from framecast.core.settings import get_settings
    from framecast.db.migrate import upgrade
    from framecast.db.session import Database
    from framecast.jobs.repository import JobRepository, JobSpec
    from framecast.jobs.states import JobState
    from framecast.jobs.worker import Worker
    from framecast.providers.base import Aspect, GenerationRequest, Mode
    from framecast.providers.downloads import download_file
    from framecast.studio.generation_kind import KIND as GENERATION
    from framecast.studio.requests import request_to_json

    n = args.streams
    with (
        emulator_process("--latency", "8", "--media-seconds", "1", "--media-size", "64") as root,
        fresh_env(root, FRAMECAST_GENAIPRO__RATE_PER_MINUTE="100000") as tmp,
    ):
        settings = get_settings()
        upgrade(settings.database_url_resolved)
        db = Database.from_settings(settings)
        repo = JobRepository(db)
        for i in range(n):
            request = GenerationRequest(Mode.TEXT, f"stream {i}", Aspect.LANDSCAPE, 1)
            spec = JobSpec(
                provider="genaipro",
                mode="text",
                request=request_to_json(request, out_dir=tmp / "out", stems=[f"v{i}"]),
            )
            repo.enqueue(spec)

        async def streams() -> tuple[int, int, float]:
            worker = Worker(db, settings, kinds=[GENERATION], providers=["genaipro"], concurrency=n)
            import psutil

            baseline = psutil.Process().memory_info().rss
            start = time.perf_counter()
            with PeakRSS() as peak:
                try:
                    await worker.run(until_done=True)
                finally:
                    await worker.aclose()
            return baseline, peak.peak, time.perf_counter() - start

        baseline, peak_streams, elapsed = asyncio.run(streams())
        done = {j.state for j in repo.list_jobs(limit=n + 1)}
        assert done == {JobState.SUCCEEDED.value}, done
        db.dispose()

        async def download() -> int:
            with tempfile.TemporaryDirectory() as folder, PeakRSS() as peak:
                async with build_http_client() as http:
                    path = await download_file(
                        http,
                        f"{root}/files/blob-{args.download_bytes}.mp4",
                        Path(folder) / "big.mp4",
                        kind="video",
                        max_bytes=args.download_bytes + 1,
                    )
                    assert path.stat().st_size == args.download_bytes
            return peak.peak

        peak_download = asyncio.run(download())

        async def store_in_s3() -> int:
            from tests.s3_server import ACCESS_KEY, SECRET_KEY, running_s3_server

            from framecast.core.storage import S3Store

            with running_s3_server() as server:
                store = S3Store(
                    server.create_bucket(),
                    endpoint=server.endpoint,
                    access_key=ACCESS_KEY,
                    secret_key=SECRET_KEY,
                )
                with PeakRSS() as peak:
                    async with (
                        build_http_client() as http,
                        http.stream("GET", f"{root}/files/blob-{args.download_bytes}.mp4") as response,
                    ):
                        response.raise_for_status()
                        info = await store.put("media/1/jobs/bench/big.mp4", response.aiter_bytes())
                    assert info.size == args.download_bytes, info
                await store.delete("media/1/jobs/bench/big.mp4")
            return peak.peak

        peak_s3 = asyncio.run(store_in_s3())

    print(f"(c) baseline RSS {mb(baseline)} (after imports, before work)")
    print(
        f"    {n} concurrent streams ({elapsed:.1f}s): peak {mb(peak_streams)}  "
        f"ratio {peak_streams / baseline:.2f}  (target < 150 MB)"
    )
    print(
        f"    {args.download_bytes / 1024**3:.1f} GiB download: peak {mb(peak_download)}  "
        f"ratio {peak_download / baseline:.2f}  (target < 150 MB, flat)"
    )
    print(
        f"    {args.download_bytes / 1024**3:.1f} GiB streamed into S3 (moto): peak {mb(peak_s3)}  "
        f"ratio {peak_s3 / baseline:.2f}  (target < 150 MB, flat)"
    )


if __name__ == "__main__":
    main()
