"""Run every benchmark in turn (``make bench``); each prints its ratios against its own baseline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHES = [
    "bench.batch_throughput",
    "bench.memory",
    "bench.checker_accuracy",
    "bench.offline_stt_wer",
    "bench.avatar_render",
    "bench.tutor_latency",
    "bench.queue_throughput",
]


def main() -> int:
    failed = 0
    for module in BENCHES:
        print(f"== {module}", flush=True)
        failed += subprocess.call([sys.executable, "-m", module], cwd=ROOT) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
