"""Flags from a word's phones, beside the grammar's word-level margin.

The grammar (``phrase_scoring.py``) flags a word when a sound-alike beats it as a whole word by
the margin calibrated for that kind of rival. A swapped word the acoustic model hears about as well
as the word itself (14 % of the bench's swaps are heard as the word itself) passes there: the
difference of one phone is spread over the whole word. Phone by phone
(``providers/offline/phone_goodness.py``) the same recording is force-aligned to the word's own
phones and compared with a free phone loop over the same frames. A word is also flagged when, at
one of its phones that Korean learners swap (``sound_alikes.KOREAN_SWAPS``: l/r, f/p, v/b, th/s/t,
ship/sheep...), the **phone loop heard the swap** (a *p* over most of the frames aligned to the
*f* of *coffee*) **and** the phone's goodness is under that phone's **flag**.

Goodness alone (the aligned phone against the best free phones, whatever they are) separates
correct phones from swapped ones badly: it is low wherever espeak-ng's voice and pocketsphinx's
model disagree, and in a first look at the first phrases a flag per phone calibrated on the tuning
ones doubled the false flags of the held-out ones (0.04 to 0.08). The loop hearing the swap itself
is rare in correct speech for the consonants (1 of 182 *l*, 0 of 191 *r* in the tuning phrases'
correct readings) and commoner for the vowels (the *bed* vowel heard as the *bad* one in one of
four), so each phone's flag is the goodness that flags, among the correct occurrences of that
phone in scored words of the tuning phrases, no more than :data:`PHONE_FALSE_FLAGS` of them
(``tutor/data/phone_goodness_flags.csv``, written by ``python -m bench.practice_scoring
--calibrate``), and never above :data:`GOODNESS_CAP`. Phones with fewer than
:data:`MIN_OCCURRENCES` occurrences, and phones the loop hears swapped in more than
:data:`MAX_SWAPPED_SHARE` of their correct occurrences (the *ship* and *bed* vowels, the *bad* one),
get no flag.

Such a word scores under :data:`pronunciation.DEFAULT_THRESHOLD`, lower the further its phone's
goodness fell under the flag (0.0 at :data:`GOODNESS_SPAN` under it), and carries the (meant,
heard) sounds, so the learner gets the tip for that sound.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from framecast.providers.offline.phone_goodness import PhoneGoodness
from framecast.providers.offline.sound_alikes import KOREAN_SWAPS
from framecast.tutor.pronunciation import DEFAULT_THRESHOLD

PHONE_FLAGS: Final = "data/phone_goodness_flags.csv"
# The share of a phone's correct occurrences (tuning phrases, 30 dB) its flag may flag.
PHONE_FALSE_FLAGS: Final = 0.0
# The most lenient flag: a phone heard swapped by the loop but fitting at least this well is kept.
GOODNESS_CAP: Final = 0.0
# Goodness (per frame) under a phone's flag at which the word's score reaches 0.0.
GOODNESS_SPAN: Final = 100.0
# Phones calibrated from fewer occurrences than this get no flag.
MIN_OCCURRENCES: Final = 10
# Phones the loop hears swapped in more than this share of their correct occurrences get no flag:
# the loop does not tell them apart (tuning phrases: the ship vowel IH 33 %, bed EH 24 %, bad AE 14 %).
MAX_SWAPPED_SHARE: Final = 0.10


@cache
def phone_flags() -> Mapping[str, float]:
    """The calibrated goodness flag of each phone (``tutor/data/phone_goodness_flags.csv``)."""
    source = resources.files("framecast.tutor").joinpath(PHONE_FLAGS)
    with source.open(encoding="utf-8") as handle:
        return {row["phone"]: float(row["flag_goodness"]) for row in csv.DictReader(handle)}


@dataclass(frozen=True)
class WeakPhone:
    """A phone the phone loop heard swapped, and how far its goodness is under its flag (< 0)."""

    phone: PhoneGoodness
    shortfall: float

    @property
    def sound(self) -> tuple[str, str]:
        """(meant, heard): the phone and the swap the loop heard for it."""
        return (self.phone.phone, self.phone.loop_phone)


def heard_swapped(phone: PhoneGoodness) -> bool:
    """Whether the phone loop heard a Korean-learner swap of ``phone`` over most of its frames."""
    return phone.loop_phone in KOREAN_SWAPS.get(phone.phone, ())


def weakest_phone(phones: Sequence[PhoneGoodness], flags: Mapping[str, float]) -> WeakPhone | None:
    """The phone of ``phones`` heard swapped and furthest under its flag in ``flags``; None when
    there is none."""
    weakest: WeakPhone | None = None
    for phone in phones:
        flag = flags.get(phone.phone)
        if flag is None or not heard_swapped(phone) or phone.goodness >= flag:
            continue
        shortfall = phone.goodness - flag
        if weakest is None or shortfall < weakest.shortfall:
            weakest = WeakPhone(phone, shortfall)
    return weakest


def goodness_score(weak: WeakPhone) -> float:
    """The 0..1 score of a word whose weakest phone is ``weak``: under the threshold, down to 0.0
    at :data:`GOODNESS_SPAN` under its flag."""
    return DEFAULT_THRESHOLD * max(0.0, 1.0 + weak.shortfall / GOODNESS_SPAN) * (1.0 - 1e-9)


def calibrate_flags(
    correct: Iterable[PhoneGoodness],
    *,
    false_flags: float = PHONE_FALSE_FLAGS,
    cap: float = GOODNESS_CAP,
) -> dict[str, tuple[float, int, int]]:
    """Each swappable phone's flag from its occurrences in correct readings: the goodness under
    which no more than ``false_flags`` of them are both heard swapped and under it, at most
    ``cap``; with the phone's occurrences and how many the loop heard swapped. Phones with fewer
    than :data:`MIN_OCCURRENCES` occurrences, or heard swapped in more than
    :data:`MAX_SWAPPED_SHARE` of them, are left out."""
    seen: dict[str, int] = {}
    swapped: dict[str, list[float]] = {}
    for phone in correct:
        if phone.phone not in KOREAN_SWAPS:
            continue
        seen[phone.phone] = seen.get(phone.phone, 0) + 1
        if heard_swapped(phone):
            swapped.setdefault(phone.phone, []).append(phone.goodness)
    flags: dict[str, tuple[float, int, int]] = {}
    for name, count in seen.items():
        values = sorted(swapped.get(name, ()))
        if count < MIN_OCCURRENCES or len(values) > MAX_SWAPPED_SHARE * count:
            continue
        allowed = int(false_flags * count)
        flag = values[allowed] if allowed < len(values) else cap
        flags[name] = (min(cap, flag), count, len(values))
    return flags
