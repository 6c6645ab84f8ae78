"""Bench: pronunciation scoring of the practice phrases: the grammar with the phones' goodness (new), the
grammar's word margins alone (previous), and the transcript before them.

Every phrase of ``src/framecast/tutor/data/practice_phrases.csv`` is spoken by espeak-ng over a
pink-noise floor (30 dB, a quiet room; 10 dB, a noisy one) in three readings:

- **correct**: the phrase as written;
- **swapped**: one content word replaced by a sound-alike a Korean learner would say (late → *rate*,
  think → *sink*; a respelled variant such as *tink* when no word fits, else a dictionary
  neighbour), the first content word that has one;
- **dropped**: the middle scored word left out (a content word; not *I'm*, which is not scored).

Each phrase is read by ``--voices-per-phrase`` of the voices, taking turns, so every voice reads
about as many phrases. Phrases whose 0-based line number leaves 2 when divided by 3 are held out:
the thresholds of ``tutor/phrase_scoring.py`` were calibrated on the others ("tuning").

One recording is scored three ways, all in the same run, from one hearing:

- **new**: heard against the phrase by the grammar (``phrase_scoring.PHRASE``: a flag margin per
  kind of rival) and, for words heard as themselves, the goodness of their phones against a free
  phone loop (``tutor/phone_flags.py``), as practice and repetitions of the tutor's phrase are scored;
- **previous**: the same hearing with the grammar's margins alone (``phrase_scoring.MARGIN_ONLY``,
  the scoring before the phones);
- **transcript**: the language model's transcript aligned with the phrase
  (``pronunciation.score_words``, the scoring before the grammar).

(``phrase_scoring.FREE``, for spoken turns that repeat no known phrase, does not look at phones and
is not measured here since the phones were added; see bench/README.md for its last figures.)

A content word is flagged when it scores under ``pronunciation.DEFAULT_THRESHOLD`` (``is_flagged``).
``--calibrate`` instead hears the correct readings of the tuning phrases at 30 dB and writes the
flag margin of each kind of rival to ``src/framecast/tutor/data/rival_margins.csv``: the margin
that flags no more than ``RIVAL_FALSE_FLAGS`` of the correct words where that rival exists (never
stricter than ``--floor``, never more lenient than ``PHRASE.flag``); and the goodness flag of each
phone to ``src/framecast/tutor/data/phone_goodness_flags.csv``: the goodness no more than
``--phone-false-flags`` (default ``phone_flags.PHONE_FALSE_FLAGS``) of that phone's occurrences in
scored words heard as themselves fall under. Held-out phrases are not read. ``--features FILE``
writes what was heard of every reading (margins, phones and their goodness) as JSON lines.

Targets (new, 30 dB): correct ≥ 80 in ≥ 80% of readings, ≤ 5% of correct content words flagged,
the swapped word flagged ≥ 70% (and the lowest-scored content word), the dropped one ≥ 95%.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import json
import statistics
import time
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TextIO

import pocketsphinx  # type: ignore[import-untyped]

from framecast.providers.offline.audio import pcm_to_wav
from framecast.providers.offline.fresh_speech import speak_fresh_pcm
from framecast.providers.offline.phone_goodness import PhoneGoodness
from framecast.providers.offline.phrase_grammar import DEFAULT_NEIGHBOURS, HeardWord
from framecast.providers.offline.room_noise import NOISY_ROOM_DB, QUIET_ROOM_DB, over_noise_floor
from framecast.providers.offline.sound_alikes import Lexicon, SoundAlike, sound_alikes
from framecast.providers.offline.stt import OfflineSpeechToTextProvider
from framecast.tutor.phone_flags import PHONE_FALSE_FLAGS, PHONE_FLAGS, calibrate_flags
from framecast.tutor.phrase_scoring import (
    MARGIN_ONLY,
    PHRASE,
    RIVAL_FALSE_FLAGS,
    RIVAL_MARGINS,
    PhraseWords,
    rival_kind,
    score_hearing,
)
from framecast.tutor.pronunciation import FUNCTION_WORDS, WordScore, is_flagged, overall_score, score_words

VOICES = ("en-us", "en-us+f2", "en-us+m3", "en-gb")
CONDITIONS = ("correct", "swapped", "dropped")
METHODS = ("new", "previous", "transcript")
# Room around each reading, as a learner's recording has.
LEAD_S, TAIL_S = 0.3, 0.4


@dataclass(frozen=True)
class Reading:
    phrase: str
    split: str  # tuning | held-out
    voice: str
    condition: str
    said: str  # the text espeak-ng speaks
    target: int | None  # the written word swapped or dropped


@dataclass
class Tally:
    readings: int = 0
    high: int = 0  # overall >= 80
    content: int = 0
    flagged: int = 0
    targets: int = 0
    target_flagged: int = 0
    target_lowest: int = 0
    any_flagged: int = 0
    scores: list[float] = field(default_factory=list)


def load_phrases() -> list[tuple[str, str]]:
    source = resources.files("framecast.tutor").joinpath("data/practice_phrases.csv")
    with source.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [(row["english"], "held-out" if index % 3 == 2 else "tuning") for index, row in enumerate(rows)]


class Swaps:
    """The sound-alikes the recogniser's grammar uses (the same lexicon, ranking and count)."""

    def __init__(self) -> None:
        model = Path(pocketsphinx.get_model_path()) / "en-us"
        self.lexicon = Lexicon.read(model / "cmudict-en-us.dict")
        self._lm = pocketsphinx.NGramModel.readfile(str(model / "en-us.lm.bin"))

    def alikes(self, token: str) -> tuple[SoundAlike, ...]:
        return sound_alikes(
            token, self.lexicon, frequency=lambda w: float(self._lm.prob([w])), neighbours=DEFAULT_NEIGHBOURS
        )

    def swap(self, phrase: PhraseWords) -> tuple[int, str] | None:
        """(written word, what is said instead) for the first content word with a sound-alike,
        preferring a Korean-learner swap that makes a word, then one that makes a variant."""
        content = [
            (index, group[0].text)
            for index, group in enumerate(phrase.tokens)
            if len(group) == 1 and group[0].scored and group[0].text in self.lexicon
        ]
        for wanted in ("word", "variant", "any"):
            for index, token in content:
                for alike in self.alikes(token):
                    if (
                        (wanted == "word" and alike.change and not alike.is_variant)
                        or (wanted == "variant" and alike.change)
                        or wanted == "any"
                    ):
                        return index, alike.spelling
        return None


def readings(phrases: Sequence[tuple[str, str]], voices: Sequence[str], per_phrase: int) -> list[Reading]:
    swaps = Swaps()
    found: list[Reading] = []
    for number, (phrase, split) in enumerate(phrases):
        words = PhraseWords.of(phrase)
        written = list(words.written)
        # The words the scorer scores (not "I'm", "it's": a function word with its verb).
        content = [i for i, group in enumerate(words.tokens) if any(token.scored for token in group)]
        swap = swaps.swap(words)
        dropped = content[len(content) // 2] if content else None
        chosen = [voices[(number + k) % len(voices)] for k in range(min(per_phrase, len(voices)))]
        for voice in chosen:
            found.append(Reading(phrase, split, voice, "correct", phrase, None))
            if swap is not None:
                said = " ".join(swap[1] if i == swap[0] else w for i, w in enumerate(written))
                found.append(Reading(phrase, split, voice, "swapped", said, swap[0]))
            if dropped is not None:
                said = " ".join(w for i, w in enumerate(written) if i != dropped)
                found.append(Reading(phrase, split, voice, "dropped", said, dropped))
    return found


def recording(reading: Reading, snr_db: float) -> bytes:
    pcm, rate = speak_fresh_pcm(reading.said, voice=reading.voice)
    seed = zlib.crc32(f"{reading.phrase}|{reading.voice}|{reading.condition}|{snr_db}".encode())
    return pcm_to_wav(
        over_noise_floor(pcm, rate, snr_db=snr_db, seed=seed, before_s=LEAD_S, after_s=TAIL_S), rate
    )


async def score(
    stt: OfflineSpeechToTextProvider, reading: Reading, snr_db: float, features: TextIO | None = None
) -> dict[str, tuple[WordScore, ...]]:
    """The reading's word scores by each method (and, given ``features``, what was heard, as a
    JSON line)."""
    audio = recording(reading, snr_db)
    phrase = PhraseWords.of(reading.phrase)
    hearing = await stt.hear_phrase(audio, phrase.expected, transcribe=True, goodness=True)
    transcript = hearing.transcript
    assert transcript is not None
    if features is not None:
        words = [dataclasses.asdict(word) for word in hearing.words]
        features.write(json.dumps({"snr": snr_db, **dataclasses.asdict(reading), "words": words}) + "\n")
    return {
        "new": score_hearing(phrase, hearing.words, calibration=PHRASE),
        "previous": score_hearing(phrase, hearing.words, calibration=MARGIN_ONLY),
        "transcript": score_words(reading.phrase, transcript),
    }


def count(tally: Tally, reading: Reading, scores: tuple[WordScore, ...], method: str) -> None:
    tally.readings += 1
    overall = overall_score(scores)
    tally.scores.append(overall)
    flagged = [is_flagged(item) for item in scores]
    tally.any_flagged += any(flagged)
    if reading.condition == "correct":
        tally.high += overall >= 80
        content = [item for item in scores if item.word.lower() not in FUNCTION_WORDS]
        tally.content += len(content)
        tally.flagged += sum(is_flagged(item) for item in content)
        return
    if reading.target is None:
        return
    tally.targets += 1
    target = scores[reading.target]
    tally.target_flagged += is_flagged(target)
    others = [
        item.score
        for index, item in enumerate(scores)
        if index != reading.target and item.word.lower() not in FUNCTION_WORDS
    ]
    tally.target_lowest += all(target.score < other for other in others)


async def run(
    phrases: Sequence[tuple[str, str]],
    voices: Sequence[str],
    per_phrase: int,
    levels: Sequence[float],
    features: TextIO | None = None,
) -> None:
    work = readings(phrases, voices, per_phrase)
    stt = OfflineSpeechToTextProvider()
    gate = asyncio.Semaphore(stt.max_decoders)
    tallies: dict[tuple[float, str, str, str], Tally] = defaultdict(Tally)
    took_one: list[float] = []  # each reading's hearing in its worker, queueing excluded
    started = time.monotonic()

    async def one(reading: Reading, snr_db: float) -> None:
        async with gate:
            started_one = time.monotonic()
            by_method = await score(stt, reading, snr_db, features)
            took_one.append(time.monotonic() - started_one)
        for method, scores in by_method.items():
            if scores:
                count(tallies[(snr_db, reading.split, method, reading.condition)], reading, scores, method)

    await asyncio.gather(*(one(reading, snr) for snr in levels for reading in work))
    took = time.monotonic() - started
    tuning = sum(1 for _, split in phrases if split == "tuning")
    print(
        f"{len(phrases)} phrases ({tuning} tuning, {len(phrases) - tuning} held out), {per_phrase} of "
        f"{len(voices)} voices each ({', '.join(voices)}), espeak-ng 160 wpm over pink noise; "
        f"{len(work) * len(levels)} recordings in {took:.0f} s; one hearing (grammar, phones and "
        f"transcript) median {statistics.median(took_one):.2f} s, max {max(took_one):.2f} s"
    )
    print_table(tallies, levels, METHODS)


def print_table(
    tallies: dict[tuple[float, str, str, str], Tally], levels: Sequence[float], methods: Sequence[str]
) -> None:
    print(
        f"{'snr':>5} {'split':9} {'method':10} {'correct>=80':>12} {'words flagged':>14} "
        f"{'swap flagged':>13} {'swap lowest':>12} {'drop flagged':>13}"
    )
    for snr in levels:
        for split in ("tuning", "held-out"):
            for method in methods:
                correct = tallies[(snr, split, method, "correct")]
                swapped = tallies[(snr, split, method, "swapped")]
                dropped = tallies[(snr, split, method, "dropped")]
                swap_cell = _rate(swapped.target_flagged, swapped.targets)
                lowest_cell = _rate(swapped.target_lowest, swapped.targets)
                drop_cell = _rate(dropped.target_flagged, dropped.targets)
                print(
                    f"{snr:>4.0f}dB {split:9} {method:10} {_rate(correct.high, correct.readings):>12} "
                    f"{_rate(correct.flagged, correct.content):>14} {swap_cell:>13} {lowest_cell:>12} "
                    f"{drop_cell:>13}"
                )


async def calibrate(
    phrases: Sequence[tuple[str, str]],
    voices: Sequence[str],
    per_phrase: int,
    floor: float,
    phone_false_flags: float,
) -> None:
    """Write each kind of rival's flag margin, and each phone's goodness flag, from the correct
    readings of the tuning phrases."""
    tuning = [phrase for phrase in phrases if phrase[1] == "tuning"]
    work = [r for r in readings(tuning, voices, per_phrase) if r.condition == "correct"]
    stt = OfflineSpeechToTextProvider()
    swaps = Swaps()
    gate = asyncio.Semaphore(stt.max_decoders)
    words: defaultdict[str, int] = defaultdict(int)  # correct words where a kind of rival exists
    wins: defaultdict[str, list[float]] = defaultdict(list)  # margins of its wins over them
    phones: list[PhoneGoodness] = []  # the phones of the scored words heard

    async def one(reading: Reading) -> None:
        phrase = PhraseWords.of(reading.phrase)
        async with gate:
            hearing = await stt.hear_phrase(recording(reading, QUIET_ROOM_DB), phrase.expected, goodness=True)
        for token, item in zip(phrase.expected, hearing.words, strict=True):
            if not token.scored or item.margin is None:
                continue
            if item.heard is not None:
                phones.extend(item.phones)
            kinds = {
                "skip",
                *(
                    "neighbour" if not a.change else f"{a.change[0]}>{a.change[1]}"
                    for a in swaps.alikes(token.text)
                ),
            }
            for kind in kinds:
                words[kind] += 1
            won = rival_kind(item, token.text)
            if won is not None:
                wins[won].append(item.margin)

    await asyncio.gather(*(one(reading) for reading in work))
    target = Path(__file__).resolve().parent.parent / "src/framecast/tutor" / RIVAL_MARGINS
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["rival", "flag_margin", "correct_words", "rival_won"])
        for kind in sorted(words):
            allowed = int(RIVAL_FALSE_FLAGS * words[kind])
            margins = sorted(wins[kind])
            flag = margins[allowed] if allowed < len(margins) else PHRASE.flag
            writer.writerow([kind, f"{max(floor, min(PHRASE.flag, flag)):.1f}", words[kind], len(margins)])
    phones_target = write_phone_flags(phones, phone_false_flags)
    print(f"{len(work)} correct readings of {len(tuning)} tuning phrases -> {target}, {phones_target}")


def write_phone_flags(phones: Sequence[PhoneGoodness], false_flags: float) -> Path:
    """Write ``tutor/data/phone_goodness_flags.csv`` from the phones of correct readings."""
    flags = calibrate_flags(phones, false_flags=false_flags)
    target = Path(__file__).resolve().parent.parent / "src/framecast/tutor" / PHONE_FLAGS
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["phone", "flag_goodness", "correct_phones", "loop_heard_swap"])
        for phone in sorted(flags):
            flag, count, swapped = flags[phone]
            writer.writerow([phone, f"{flag:.1f}", count, swapped])
    return target


def read_features(path: Path) -> list[tuple[float, Reading, tuple[HeardWord, ...]]]:
    """The readings of a ``--features`` file, with what was heard of each."""
    found: list[tuple[float, Reading, tuple[HeardWord, ...]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        words = tuple(
            HeardWord(
                **{
                    **word,
                    "change": tuple(word["change"]) if word["change"] else None,
                    "phones": tuple(PhoneGoodness(**phone) for phone in word["phones"]),
                }
            )
            for word in row.pop("words")
        )
        snr = float(row.pop("snr"))
        found.append((snr, Reading(**row), words))
    return found


def replay(path: Path, calibrate_phones: bool, phone_false_flags: float) -> None:
    """Score the hearings of a ``--features`` file again (new and previous; the transcript is not
    in it), or with ``calibrate_phones`` write the phone flags from its correct tuning readings at
    30 dB (the rival margins are left as they are)."""
    heard = read_features(path)
    if calibrate_phones:
        phones = [
            phone
            for snr, reading, words in heard
            if snr == QUIET_ROOM_DB and reading.split == "tuning" and reading.condition == "correct"
            for token, item in zip(PhraseWords.of(reading.phrase).expected, words, strict=True)
            if token.scored and item.margin is not None and item.heard is not None
            for phone in item.phones
        ]
        print(f"{len(phones)} phones -> {write_phone_flags(phones, phone_false_flags)}")
        return
    tallies: dict[tuple[float, str, str, str], Tally] = defaultdict(Tally)
    for snr, reading, words in heard:
        phrase = PhraseWords.of(reading.phrase)
        for method, calibration in (("new", PHRASE), ("previous", MARGIN_ONLY)):
            scores = score_hearing(phrase, words, calibration=calibration)
            count(tallies[(snr, reading.split, method, reading.condition)], reading, scores, method)
    phrases = {reading.phrase: reading.split for _, reading, _ in heard}
    tuning = sum(1 for split in phrases.values() if split == "tuning")
    print(f"{len(phrases)} phrases ({tuning} tuning) from {path}: {len(heard)} hearings scored again")
    print_table(tallies, sorted({snr for snr, _, _ in heard}, reverse=True), ("new", "previous"))


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({whole})" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voice", action="append", help="an espeak-ng voice (repeatable)")
    parser.add_argument("--voices-per-phrase", type=int, default=2, help="voices reading each phrase")
    parser.add_argument("--phrases", type=int, help="only the first N phrases (a quick look)")
    parser.add_argument("--snr", type=float, action="append", help="noise floors in dB (repeatable)")
    parser.add_argument("--calibrate", action="store_true", help="write tutor/data/rival_margins.csv")
    parser.add_argument("--floor", type=float, default=-40.0, help="the strictest flag margin calibrated")
    parser.add_argument(
        "--phone-false-flags",
        type=float,
        default=PHONE_FALSE_FLAGS,
        help="the share of a phone's correct occurrences its goodness flag may flag (--calibrate)",
    )
    parser.add_argument("--features", type=Path, help="write what was heard of each reading (JSON lines)")
    parser.add_argument(
        "--from-features",
        type=Path,
        help="score a --features file again instead of hearing (with --calibrate: the phone flags only)",
    )
    args = parser.parse_args()
    if args.from_features is not None:
        replay(args.from_features, args.calibrate, args.phone_false_flags)
        return
    phrases = load_phrases()[: args.phrases]
    voices = tuple(args.voice or VOICES)
    if args.calibrate:
        asyncio.run(calibrate(phrases, voices, args.voices_per_phrase, args.floor, args.phone_false_flags))
        return
    levels = tuple(args.snr or (QUIET_ROOM_DB, NOISY_ROOM_DB))
    if args.features is None:
        asyncio.run(run(phrases, voices, args.voices_per_phrase, levels))
        return
    with args.features.open("w", encoding="utf-8") as features:
        asyncio.run(run(phrases, voices, args.voices_per_phrase, levels, features))


if __name__ == "__main__":
    main()
