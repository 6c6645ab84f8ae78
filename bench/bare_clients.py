"""The bare clients of the batch bench: asyncio + httpx, a semaphore, no database, no journal.

Each runs N text-to-video items against one emulator and returns the seconds it took, results
downloaded; it honours ``Retry-After`` on a 429 and has no other retry. The engine's overhead is
the engine's time over these.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

KEY = "bench"
LANDSCAPE = "VIDEO_ASPECT_RATIO_LANDSCAPE"


def _http(concurrency: int) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=concurrency * 2 + 4)
    )


async def _timed(n: int, one: Any) -> float:
    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(n)))
    return time.perf_counter() - start


async def _drain(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
    async with http.stream("GET", url, headers=headers) as r:
        r.raise_for_status()
        async for _ in r.aiter_bytes():
            pass


async def genaipro_v1(root: str, n: int, concurrency: int, tag: str) -> float:
    """One SSE stream per item (the result arrives on it); the download is not part of v1's bare
    client, as before."""
    sem = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with _http(concurrency) as http:

        async def one(i: int) -> None:
            body = {"prompt": f"{tag} {i}", "aspect_ratio": LANDSCAPE, "number_of_videos": 1}
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

        return await _timed(n, one)


async def google_veo(root: str, n: int, concurrency: int, tag: str, poll_s: float, model: str) -> float:
    """Create an operation, read it every ``poll_s`` (the first read at once), download its video."""
    sem = asyncio.Semaphore(concurrency)
    headers = {"x-goog-api-key": KEY}
    async with _http(concurrency) as http:

        async def one(i: int) -> None:
            body = {
                "instances": [{"prompt": f"{tag} {i}"}],
                "parameters": {"sampleCount": 1, "aspectRatio": "16:9"},
            }
            async with sem:
                r = await http.post(
                    f"{root}/v1beta/models/{model}:predictLongRunning", json=body, headers=headers
                )
                r.raise_for_status()
                name = r.json()["name"]
                while True:
                    op = (await http.get(f"{root}/v1beta/{name}", headers=headers)).json()
                    if op.get("done"):
                        break
                    await asyncio.sleep(poll_s)
                uri = op["response"]["generateVideoResponse"]["generatedSamples"][0]["video"]["uri"]
                file_id = uri.split("/files/", 1)[1].split(":", 1)[0]
                await _drain(http, f"{root}/v1beta/files/{file_id}:download?alt=media", headers)

        return await _timed(n, one)


async def genaipro_v2(root: str, n: int, concurrency: int, tag: str, poll_s: float) -> float:
    """Submit (202 + task id), wait for one shared loop that reads a histories page every ``poll_s``
    for every task in flight, download the file. Sends as soon as it can: it meets the window's 429s
    and waits them out, with no budget of its own."""
    sem = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {KEY}"}
    waiting: dict[str, asyncio.Future[str]] = {}
    finished = asyncio.Event()
    async with _http(concurrency) as http:

        async def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
            while True:
                r = await http.request(method, url, headers=headers, **kwargs)
                if r.status_code != 429:
                    r.raise_for_status()
                    return r
                await asyncio.sleep(float(r.headers.get("Retry-After", "1")))

        async def poll() -> None:
            while not finished.is_set():
                await asyncio.sleep(poll_s)
                if not waiting:
                    continue
                r = await send("GET", root + "/api/v2/veo/histories", params={"page": 1, "page_size": 100})
                for row in r.json()["data"]:
                    future = waiting.get(row["id"])
                    if future is not None and row["status"] == "completed" and row["file_urls"]:
                        future.set_result(row["file_urls"][0])
                        del waiting[row["id"]]

        async def one(i: int) -> None:
            body = {"prompt": f"{tag} {i}", "aspect_ratio": LANDSCAPE, "number_of_videos": 1}
            async with sem:
                r = await send("POST", root + "/api/v2/veo/text-to-video", json=body)
                future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
                waiting[r.json()["histories"][0]["id"]] = future
                url = await future
                await _drain(http, url, headers)

        poller = asyncio.create_task(poll())
        try:
            return await _timed(n, one)
        finally:
            finished.set()
            poller.cancel()
