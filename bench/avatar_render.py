"""Bench: how fast the offline talking avatar renders, against the length of the speech it speaks.

espeak-ng (en-us+f2) speaks texts of about 3, 8 and 30 seconds; ``OfflineAvatarRenderer`` turns each
into a 512x512, 25 fps H.264 + AAC MP4 with the default portrait. The baseline measured in the same
run is the speech's own duration: the ratio render time / speech duration must stay under 1 (faster
than real time) so a reply's video is ready before the reply would have finished playing. Peak RSS
is sampled during the render against the RSS before it (frames are streamed: it stays flat).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import PeakRSS, mb

TEXTS = {
    "short": "Hello! I am your English tutor. Shall we begin?",
    "medium": (
        "Today we will practise ordering food at a restaurant. "
        "First, listen to me, and then try to say each sentence yourself."
    ),
    "long": (
        "Let us talk about your weekend. What did you do on Saturday? Did you meet your friends, or "
        "did you stay at home and relax? When you answer, try to use the past tense, for example: I "
        "went to the park, I watched a movie, or I cooked dinner for my family. Take your time, and "
        "do not worry about small mistakes. I will help you correct them after each sentence, and we "
        "will practise the difficult words together until they feel easy."
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=512, help="frame side in pixels (even)")
    parser.add_argument("--repeat", type=int, default=2, help="renders per text; the fastest counts")
    args = parser.parse_args()

    from framecast.providers.base import SpeechAudio
    from framecast.providers.offline.audio import pcm_to_wav
    from framecast.providers.offline.avatar import OfflineAvatarRenderer
    from framecast.providers.offline.fresh_speech import speak_fresh_pcm

    renderer = OfflineAvatarRenderer(size=args.size)
    print(f"{'text':8} {'speech':>8} {'render':>8} {'ratio':>6}  peak RSS (baseline)")
    with tempfile.TemporaryDirectory(prefix="framecast-bench-avatar-") as tmp:
        for index, (name, text) in enumerate(TEXTS.items()):
            pcm, rate = speak_fresh_pcm(text, voice="en-us+f2")
            speech = SpeechAudio(data=pcm_to_wav(pcm, rate), mime="audio/wav", sample_rate=rate)
            seconds = len(pcm) / 2 / rate
            best = float("inf")
            for attempt in range(args.repeat):
                dest = Path(tmp) / f"{index}-{attempt}"  # a fresh folder: no cached render
                with PeakRSS() as rss:
                    baseline = rss.peak
                    start = time.perf_counter()
                    renderer.render_sync(speech, None, dest)
                    best = min(best, time.perf_counter() - start)
            print(
                f"{name:8} {seconds:7.2f}s {best:7.2f}s {best / seconds:6.3f}  "
                f"{mb(rss.peak)} ({mb(baseline)})  target ratio < 1"
            )


if __name__ == "__main__":
    main()
