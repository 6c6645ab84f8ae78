"""Stores a generated stream of ``--size`` bytes under ``--key`` in the store the environment
configures (``FRAMECAST_STORAGE__*``, ``FRAMECAST_DATA_DIR``), in its own process: the tests
measure its peak memory and kill it with SIGKILL halfway.

Prints ``fed <bytes>`` after every chunk the store took, then ``done <peak RSS in bytes>``.
``--hold-after N``: after N bytes, keep feeding one chunk per second (time for a test to kill it).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import resource
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from framecast.core.settings import get_settings
from framecast.core.storage import open_store

CHUNK = 1024 * 1024


def blocks(size: int) -> Iterator[bytes]:
    """The same ``size`` bytes on every call (cheap to make, not compressible to nothing)."""
    seed = hashlib.sha256(b"framecast storage test").digest() * (CHUNK // 32)
    sent = 0
    index = 0
    while sent < size:
        block = index.to_bytes(8, "big") + seed[8:]
        block = block[: min(CHUNK, size - sent)]
        sent += len(block)
        index += 1
        yield block


def digest(size: int) -> str:
    sha = hashlib.sha256()
    for block in blocks(size):
        sha.update(block)
    return sha.hexdigest()


def peak_rss() -> int:
    """This process's peak resident memory in bytes: ``VmHWM``, which starts afresh at exec
    (``ru_maxrss`` would carry the forking parent's peak, a test run's hundreds of MB)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    # Not Linux: ru_maxrss (bytes on macOS).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--key", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--hold-after", type=int, default=0)
    args = parser.parse_args()
    store = open_store(get_settings())

    async def stream() -> AsyncIterator[bytes]:
        fed = 0
        for block in blocks(args.size):
            if args.hold_after and fed >= args.hold_after:
                await asyncio.sleep(1.0)
            yield block
            fed += len(block)
            print(f"fed {fed}", flush=True)

    await store.put(args.key, stream(), content_type="video/mp4")
    print(f"done {peak_rss()}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
    sys.stdout.flush()
    # Known problem, not hidden: about one exit in eight of a process that used obstore's S3 client
    # dies with SIGABRT/SIGBUS during interpreter shutdown, after every object was committed (seen
    # with obstore 0.12.1 even for one plain put; see the README's storage section). This helper
    # measures uploads, not shutdown, so it leaves without running the interpreter's teardown.
    os._exit(0)
