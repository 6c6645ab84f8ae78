"""Pronunciation scored against the phrase the learner meant to say, from the recogniser's grammar.

The recogniser hears the recording against the phrase (``providers/offline/phrase_grammar.py``):
each content word may be itself, one of its sound-alikes, or nothing, and comes back with what won
and a **margin** (how much better the word itself fits the sound than its best rival, per 10 ms).
Here the margin becomes the word's score (0..1) on a scale that puts the calibrated flag margin at
:data:`pronunciation.DEFAULT_THRESHOLD`, so ``pronunciation_corrections`` flags exactly the words
whose rival won by more than the calibration allows:

- margin ≥ ``good``: 1.0;
- ``flag`` ≤ margin < ``good``: from the threshold up to 1.0, linearly;
- ``bad`` < margin < ``flag``: from the threshold down to 0.0, linearly (flagged);
- margin ≤ ``bad``, or nothing heard and skipping won clearly: 0.0.

Function words are not scored (they may only be themselves or skipped): 1.0 when heard, and half
that when not (pocketsphinx drops short words even in clear speech; see ``FUNCTION_WORD_MISSED``).

Two calibrations (``bench/practice_scoring.py`` measures both, see its section of bench/README.md):

- :data:`PHRASE`: the learner says a known phrase (practice, or repeating what the tutor asked).
  Its flag margin depends on **which kind of rival won** (:func:`rival_kind`): a Korean-learner
  variant by its change of sound (``IH>IY``, ``R>L``…), any dictionary neighbour, or the skip. The
  recogniser does not hear every contrast equally well in correct speech: it hears the *ship* vowel
  as the *sheep* one in one correct word of ten, but almost never an *r* for an *l*. So each kind
  gets the flag margin that correct readings pass in all but :data:`RIVAL_FALSE_FLAGS` of the words
  where that rival exists (``tutor/data/rival_margins.csv``, made by ``python -m
  bench.practice_scoring --calibrate`` from the tuning phrases only); kinds it does not list, and
  kinds correct readings never produce, use the lenient default.
  A heard word the margin leaves unflagged is also flagged when a free phone loop heard a
  Korean-learner swap of one of its phones and that phone fits under its calibrated goodness
  (``tutor/phone_flags.py``, ``providers/offline/phone_goodness.py``): the grammar's margin
  spreads a one-phone swap over the whole word, and some swaps it hears as the word itself.
  :data:`MARGIN_ONLY` is the same without the phones (the scoring before them).
- :data:`FREE`: the learner speaks freely and the only reference is the transcript itself, which
  may be the recogniser's own mistake: a word is flagged only when a rival wins by a margin that
  correct readings never reach.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Final, Protocol, runtime_checkable

from framecast.providers.base import Transcript
from framecast.providers.offline.phrase_grammar import ExpectedWord, HeardWord
from framecast.providers.offline.stt import PhraseHearing
from framecast.tutor.phone_flags import goodness_score, phone_flags, weakest_phone
from framecast.tutor.pronunciation import (
    DEFAULT_THRESHOLD,
    FUNCTION_WORDS,
    WordScore,
    spoken_tokens,
    strip_word,
)

# Score of a function word that was not heard: it counts in the overall score, but the recogniser
# drops short words of correct speech too often for a full penalty.
FUNCTION_WORD_MISSED: Final = 0.5


@dataclass(frozen=True)
class Calibration:
    """Margins (base-1.0001 score units per 10 ms frame) that place a word on the 0..1 scale."""

    flag: float  # below: flagged (scores under DEFAULT_THRESHOLD)
    good: float  # at or above: 1.0
    bad: float  # at or below: 0.0
    # Measure the margin of words heard as themselves too (one decode each); without, they score 1.0.
    every_margin: bool = True
    # The flag margin by the kind of rival that won (:func:`rival_kind`); others use ``flag``.
    rival_flags: Mapping[str, float] = field(default_factory=dict)
    # Each phone's goodness flag (``phone_flags.py``); empty: the phones are not looked at.
    phone_flags: Mapping[str, float] = field(default_factory=dict)

    def flag_for(self, rival: str | None) -> float:
        return self.flag if rival is None else self.rival_flags.get(rival, self.flag)


# The share of correct words, among those a kind of rival could win, that it may flag: what the
# flag margins of ``tutor/data/rival_margins.csv`` are calibrated to.
RIVAL_FALSE_FLAGS: Final = 0.02
RIVAL_MARGINS: Final = "data/rival_margins.csv"


@cache
def rival_flags() -> Mapping[str, float]:
    """The calibrated flag margin of each kind of rival (``tutor/data/rival_margins.csv``)."""
    source = resources.files("framecast.tutor").joinpath(RIVAL_MARGINS)
    with source.open(encoding="utf-8") as handle:
        return {row["rival"]: float(row["flag_margin"]) for row in csv.DictReader(handle)}


def rival_kind(item: HeardWord, token: str) -> str | None:
    """What won in a word's place instead of the word itself: ``"skip"`` (nothing), the change of
    a Korean-learner variant (``"IH>IY"``), ``"neighbour"`` (another dictionary word); None when
    the word itself won."""
    if item.heard is None:
        return "skip"
    if item.change is not None:
        return f"{item.change[0]}>{item.change[1]}"
    return None if item.heard == token else "neighbour"


# Calibrated on the tuning phrases at 30 dB (bench/practice_scoring.py). PHRASE: the default flag
# margin is lenient (-3: a rival must win, a little), and each kind of rival that wins in correct
# speech gets its own, stricter one from the table. FREE: a margin correct readings never reach.
PHRASE: Final = Calibration(
    flag=-3.0, good=2.0, bad=-11.0, rival_flags=rival_flags(), phone_flags=phone_flags()
)
# The same without the phones' goodness: the scoring before it (the bench's "margin" row).
MARGIN_ONLY: Final = Calibration(flag=-3.0, good=2.0, bad=-11.0, rival_flags=rival_flags())
# The grammar's single flag margin before rivals were told apart (the bench's "one margin" row).
ONE_MARGIN: Final = Calibration(flag=-7.0, good=2.0, bad=-15.0)
FREE: Final = Calibration(flag=-12.0, good=2.0, bad=-30.0, every_margin=False)


@runtime_checkable
class PhraseHearer(Protocol):
    """A recogniser that hears a recording against the words it should hold (the offline one)."""

    async def hear_phrase(
        self,
        audio: bytes,
        words: Sequence[ExpectedWord],
        *,
        transcribe: bool = False,
        every_margin: bool = True,
        goodness: bool = False,
    ) -> PhraseHearing:
        """What was heard in each word's place, with margins (and, with ``goodness``, its phones'
        goodness); see ``phrase_grammar.py``."""
        ...


@dataclass(frozen=True)
class PhraseWords:
    """A reference split for the grammar: its written words, and the dictionary tokens each one
    is said as (``I'm`` → ``i'm``, ``25`` → ``twenty five``, ``jet-lagged`` → ``jet lagged``)."""

    written: tuple[str, ...]
    tokens: tuple[tuple[ExpectedWord, ...], ...]

    @classmethod
    def of(cls, reference: str) -> PhraseWords:
        written: list[str] = []
        tokens: list[tuple[ExpectedWord, ...]] = []
        for raw in reference.split():
            word = strip_word(raw)
            said = tuple(_fold_accents(token) for token in spoken_tokens(word))
            if not said:
                continue
            written.append(word)
            tokens.append(tuple(ExpectedWord(token, scored=_is_scored(token)) for token in said))
        return cls(tuple(written), tuple(tokens))

    @property
    def expected(self) -> tuple[ExpectedWord, ...]:
        return tuple(token for group in self.tokens for token in group)


def word_score(
    margin: float | None, heard: bool, calibration: Calibration, rival: str | None = None
) -> float:
    """The 0..1 score of one token from its margin (None: an unscored word, heard or not), given
    the kind of rival that won in its place (:func:`rival_kind`; None: the word itself)."""
    if margin is None:
        return 1.0 if heard else FUNCTION_WORD_MISSED
    flag = calibration.flag_for(rival)
    # The span from flagged to 0.0 is the same whatever the flag margin.
    bad = flag - (calibration.flag - calibration.bad)
    if margin >= calibration.good:
        return 1.0
    if margin >= flag:
        return DEFAULT_THRESHOLD + (1 - DEFAULT_THRESHOLD) * (margin - flag) / (calibration.good - flag)
    if margin <= bad:
        return 0.0
    return DEFAULT_THRESHOLD * (margin - bad) / (flag - bad)


def score_hearing(
    phrase: PhraseWords, heard: Sequence[HeardWord], *, calibration: Calibration = PHRASE
) -> tuple[WordScore, ...]:
    """One score per written word of ``phrase`` from what was heard of its tokens (the mean of its
    tokens' scores; what was heard of them, joined, or None when none of them was heard).

    Raises ``ValueError`` when ``heard`` does not hold one entry per token.
    """
    if len(heard) != len(phrase.expected):
        raise ValueError(f"heard {len(heard)} words for a phrase of {len(phrase.expected)}")
    scores: list[WordScore] = []
    at = 0
    for word, group in zip(phrase.written, phrase.tokens, strict=True):
        items = heard[at : at + len(group)]
        at += len(group)
        values: list[float] = []
        change: tuple[str, str] | None = None
        for item, token in zip(items, group, strict=True):
            value = word_score(item.margin, item.heard is not None, calibration, rival_kind(item, token.text))
            weak = weakest_phone(item.phones, calibration.phone_flags) if item.heard is not None else None
            if weak is not None and token.scored:
                value = min(value, goodness_score(weak))
                change = change or weak.sound
            values.append(value)
        said = [item.heard for item in items if item.heard is not None]
        all_itself = all(item.heard == token.text for item, token in zip(items, group, strict=True))
        change = next((item.change for item in items if item.change is not None), None) or change
        scores.append(
            WordScore(
                word=word,
                score=sum(values) / len(values),
                heard=word if all_itself else (" ".join(said) or None),
                sound=change,
            )
        )
    return tuple(scores)


async def hear_and_score(
    hearer: PhraseHearer,
    audio: bytes,
    reference: str,
    *,
    calibration: Calibration = PHRASE,
    transcribe: bool = False,
) -> tuple[tuple[WordScore, ...], Transcript | None]:
    """Hear ``audio`` against ``reference`` and score its words; with ``transcribe``, the free
    transcript too. A reference without words scores nothing (and hears nothing).

    Raises what ``hearer.hear_phrase`` raises.
    """
    phrase = PhraseWords.of(reference)
    if not phrase.written:
        return (), None
    hearing = await hearer.hear_phrase(
        audio,
        phrase.expected,
        transcribe=transcribe,
        every_margin=calibration.every_margin,
        goodness=bool(calibration.phone_flags),
    )
    return score_hearing(phrase, hearing.words, calibration=calibration), hearing.transcript


def heard_text(scores: Sequence[WordScore]) -> str:
    """The phrase as it was heard: each word's heard form, the words not heard left out."""
    return " ".join(score.heard for score in scores if score.heard)


def _is_scored(token: str) -> bool:
    # "i'm", "it's", "you're": a function word with its verb, said as one short word.
    return token not in FUNCTION_WORDS and token.split("'", 1)[0] not in FUNCTION_WORDS


def _fold_accents(token: str) -> str:
    """``café`` → ``cafe``: the dictionary spells English words without accents."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", token) if not unicodedata.combining(ch))
