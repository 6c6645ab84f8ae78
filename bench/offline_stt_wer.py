"""Bench: word error rate of the offline speech to text (pocketsphinx) on espeak-ng speech, per voice
and room.

Each sentence is spoken by espeak-ng at 160 words per minute over a pink-noise floor, as a
microphone in a room hears it (``providers/offline/room_noise.py``): 30 dB below the speech (a quiet
room) and 10 dB (a noisy one). The "clean" column (digital silence between the words) is printed
only to show the artefact: pocketsphinx hears clean synthetic speech far worse than any real room,
so no figure should be quoted from it. The WER of a voice is the total word edits over the total
reference words. The baseline is the empty transcript, whose WER is 1.0 by definition.
"""

from __future__ import annotations

import argparse
import asyncio

from framecast.providers.offline.audio import pcm_to_wav
from framecast.providers.offline.fresh_speech import speak_fresh_pcm
from framecast.providers.offline.room_noise import NOISY_ROOM_DB, QUIET_ROOM_DB, over_noise_floor
from framecast.providers.offline.stt import OfflineSpeechToTextProvider, word_error_rate

VOICES = ("en-us", "en-us+f2", "en-gb", "en-us+m3")
# Noise floors in dB below the speech; None: clean (the artefact).
ROOMS: tuple[float | None, ...] = (QUIET_ROOM_DB, NOISY_ROOM_DB, None)

SENTENCES = (
    "Yesterday I went to the park and I saw a dog.",
    "I would like a cup of coffee, please.",
    "Where is the nearest train station?",
    "My sister works at a hospital in the city.",
    "We are going to visit our grandparents next weekend.",
    "Can you help me find my keys?",
    "The weather is very nice today.",
    "I have been learning English for two years.",
    "How much does this shirt cost?",
    "He usually takes the bus to work.",
    "They watched a movie last night.",
    "Please open the window, it is hot in here.",
    "I think that is a very good idea.",
    "What time does the meeting start tomorrow?",
    "She is reading a book about history.",
    "Our teacher gave us a lot of homework.",
    "I need to buy some bread and milk.",
    "Do you know a good restaurant near here?",
    "My brother plays football every Saturday.",
    "It was nice to meet you.",
)


async def measure(voice: str, snr_db: float | None, stt: OfflineSpeechToTextProvider, verbose: bool) -> float:
    edits = 0.0
    total = 0
    for index, sentence in enumerate(SENTENCES):
        pcm, rate = speak_fresh_pcm(sentence, voice=voice)
        pcm = over_noise_floor(pcm, rate, snr_db=snr_db, seed=index, before_s=0.3, after_s=0.4)
        transcript = await stt.transcribe(pcm_to_wav(pcm, rate))
        words = len(sentence.split())
        edits += word_error_rate(sentence, transcript.text) * words
        total += words
        if verbose:
            print(f"  {voice:10} {_room(snr_db):6} {sentence!r} -> {transcript.text!r}")
    return edits / total


async def run(voices: tuple[str, ...], verbose: bool) -> None:
    stt = OfflineSpeechToTextProvider()
    total_words = sum(len(s.split()) for s in SENTENCES)
    print(f"{len(SENTENCES)} sentences, {total_words} words, espeak-ng at 160 wpm -> pocketsphinx en-us")
    print(f"{'voice':12} " + " ".join(f"{_room(snr):>7}" for snr in ROOMS) + "   WER")
    print(f"{'(baseline)':12} " + " ".join(f"{1.0:7.3f}" for _ in ROOMS) + "   empty transcript")
    for voice in voices:
        rates = [await measure(voice, snr, stt, verbose) for snr in ROOMS]
        print(f"{voice:12} " + " ".join(f"{rate:7.3f}" for rate in rates))
    print("clean: digital silence between the words, an artefact (see the module docstring)")


def _room(snr_db: float | None) -> str:
    return "clean" if snr_db is None else f"{snr_db:g} dB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voice", action="append", help="an espeak-ng voice (repeatable)")
    parser.add_argument("--verbose", action="store_true", help="print each transcript")
    args = parser.parse_args()
    asyncio.run(run(tuple(args.voice or VOICES), args.verbose))


if __name__ == "__main__":
    main()
