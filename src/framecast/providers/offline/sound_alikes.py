"""Words a learner may say instead of the one meant: the competitors of a word in a phrase grammar.

For a word of the CMU pronouncing dictionary that ships with pocketsphinx, its sound-alikes are:

- **Korean-learner variants** (:data:`KOREAN_SWAPS`): one phone replaced the way Korean speakers of
  English often replace it — f→p, v→b, th→s/t, the voiced th→d/z, l↔r, the vowels of *ship* and
  *sheep* (IH/IY), z→j, s→sh before "ee", *bad*/*bed*, *full*/*fool*, *law*/*low*. When the result
  is a dictionary word it is that word (late → *rate*); otherwise it is a pronunciation variant the
  decoder is taught with ``add_word`` (think → *tink*), spelled for the learner by swapping the
  letters of the changed sound (:func:`respell`).
- **Dictionary neighbours**: dictionary words one phone away (a vowel for a vowel, a consonant for
  a consonant, or one phone dropped), the ``neighbours`` most frequent by the language model's
  unigram probability (a word like *cat* has dozens, most of them names nobody says).

Never competitors:

- homophones of the word (its own pronunciations under another spelling);
- sound-alikes that change only a place where the word's own pronunciations disagree
  (:func:`unsettled`): *today* is ``T AH D EY`` or ``T UW D EY``, so *tuday* (``T UH D EY``) is
  no mistake, and *nice* (``N AY S``, or the city ``N IY S``) does not compete with *kniss*. In
  espeak-ng's voices, and in a learner's mouth, such a rival is the word itself said one accepted
  way; letting it compete flagged correct readings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

Phones = tuple[str, ...]

VOWELS: Final = frozenset(
    {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}
)
CONSONANTS: Final = frozenset(
    {"B", "CH", "D", "DH", "F", "G", "HH", "JH", "K", "L", "M", "N", "NG", "P", "R", "S", "SH", "T"}
    | {"TH", "V", "W", "Y", "Z", "ZH"}
)

# Sound → the sounds a Korean learner says for it. Korean has no f, v, th, z; one liquid for l and r;
# no length contrast between the vowels of ship/sheep, full/fool; and merges bad/bed.
KOREAN_SWAPS: Final[dict[str, tuple[str, ...]]] = {
    "F": ("P",),
    "V": ("B",),
    "TH": ("S", "T"),
    "DH": ("D", "Z"),
    "L": ("R",),
    "R": ("L",),
    "IH": ("IY",),
    "IY": ("IH",),
    "Z": ("JH",),
    "AE": ("EH",),
    "EH": ("AE",),
    "UH": ("UW",),
    "UW": ("UH",),
    "AO": ("OW",),
}
# s before the vowel of "see" comes out as sh (Korean 시 is "shi"): sea → she.
_SH_BEFORE: Final = frozenset({"IY", "IH"})

# The letters that usually spell a sound (longest first), to respell a variant for the learner.
_SPELLINGS: Final[dict[str, tuple[str, ...]]] = {
    "TH": ("th",),
    "DH": ("th",),
    "F": ("ph", "ff", "gh", "f"),
    "V": ("v",),
    "L": ("ll", "l"),
    "R": ("rr", "wr", "r"),
    "Z": ("zz", "z", "s"),
    "S": ("ss", "c", "s"),
    "IH": ("i", "y", "e"),
    "IY": ("ee", "ea", "ie", "ei", "e", "y", "i"),
    "AE": ("a",),
    "EH": ("ea", "e", "a"),
    "UH": ("oo", "ou", "u"),
    "UW": ("oo", "ew", "ue", "ou", "u", "o"),
    "AO": ("au", "aw", "ou", "o", "a"),
}
# How a replacing sound is written in a respelling.
_LETTERS: Final[dict[str, str]] = {
    "P": "p",
    "B": "b",
    "S": "s",
    "T": "t",
    "D": "d",
    "Z": "z",
    "R": "r",
    "L": "l",
    "IY": "ee",
    "IH": "i",
    "JH": "j",
    "SH": "sh",
    "EH": "e",
    "AE": "a",
    "UW": "oo",
    "UH": "u",
    "OW": "oa",
}
_PLAIN: Final = re.compile(r"[a-z][a-z']*")
_VARIANT_SUFFIX: Final = re.compile(r"\(\d+\)$")


@dataclass(frozen=True)
class SoundAlike:
    """One competitor of a word.

    ``name`` is the word in the decoder's dictionary (a dictionary word, or a variant's own name that
    :func:`variant_name` made); ``spelling`` is how the learner is shown it; ``change`` is the
    (meant, said) sound pair of a Korean-learner swap, None for a dictionary neighbour.
    """

    name: str
    spelling: str
    phones: Phones
    change: tuple[str, str] | None = None

    @property
    def is_variant(self) -> bool:
        """True when the decoder must be taught this pronunciation (it is no dictionary word)."""
        return self.name != self.spelling


class Lexicon:
    """The CMU pronouncing dictionary: pronunciations by word, words by pronunciation."""

    def __init__(self, entries: Iterable[tuple[str, Phones]]) -> None:
        self._prons: dict[str, list[Phones]] = {}
        self._words: dict[Phones, list[str]] = {}
        for word, phones in entries:
            self._prons.setdefault(word, []).append(phones)
            self._words.setdefault(phones, []).append(word)

    @classmethod
    def read(cls, path: Path) -> Lexicon:
        """Load a dictionary file (``word PH ON ES`` per line, ``word(2)`` for further ones);
        only plain lower-case words are kept."""

        def entries() -> Iterable[tuple[str, Phones]]:
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    head, _, rest = line.partition(" ")
                    word = _VARIANT_SUFFIX.sub("", head)
                    if _PLAIN.fullmatch(word):
                        yield word, tuple(rest.split())

        return cls(entries())

    def pronunciations(self, word: str) -> tuple[Phones, ...]:
        return tuple(self._prons.get(word, ()))

    def words(self, phones: Phones) -> tuple[str, ...]:
        return tuple(self._words.get(phones, ()))

    def __contains__(self, word: object) -> bool:
        return word in self._prons


def sound_alikes(
    word: str, lexicon: Lexicon, *, frequency: Callable[[str], float], neighbours: int
) -> tuple[SoundAlike, ...]:
    """The competitors of ``word``: its Korean-learner variants, then its ``neighbours`` most
    frequent dictionary neighbours (``frequency``: higher is more common), none of them a homophone
    or a change of an unsettled place (see the module docstring). Empty for a word the lexicon
    lacks."""
    pronunciations = lexicon.pronunciations(word)
    taken: set[Phones] = set(pronunciations)
    found: list[SoundAlike] = []
    for phones in pronunciations:
        loose = unsettled(phones, pronunciations)
        for index, meant, said in korean_swaps(phones):
            changed = (*phones[:index], said, *phones[index + 1 :])
            if changed in taken or index in loose:
                continue
            taken.add(changed)
            spelled = _most_frequent(lexicon.words(changed), frequency)
            if spelled is not None:
                found.append(SoundAlike(spelled, spelled, changed, (meant, said)))
                continue
            spelling = respell(word, phones, index, said) or word
            found.append(SoundAlike(variant_name(word, changed), spelling, changed, (meant, said)))
    near: list[tuple[float, str, Phones]] = []
    for phones in pronunciations:
        loose = unsettled(phones, pronunciations)
        for changed in one_phone_away(phones):
            if changed in taken or _changes_only(phones, changed, loose):
                continue
            spelled = _most_frequent(lexicon.words(changed), frequency)
            if spelled is not None and spelled != word:
                taken.add(changed)
                near.append((frequency(spelled), spelled, changed))
    near.sort(key=lambda item: (-item[0], item[1]))
    found.extend(SoundAlike(name, name, phones) for _, name, phones in near[:neighbours])
    return tuple(found)


def korean_swaps(phones: Phones) -> list[tuple[int, str, str]]:
    """``(index, meant, said)`` for every sound of ``phones`` a Korean learner may replace."""
    swaps: list[tuple[int, str, str]] = []
    for index, phone in enumerate(phones):
        for said in KOREAN_SWAPS.get(phone, ()):
            swaps.append((index, phone, said))
        if phone == "S" and index + 1 < len(phones) and phones[index + 1] in _SH_BEFORE:
            swaps.append((index, "S", "SH"))
    return swaps


def one_phone_away(phones: Phones) -> set[Phones]:
    """Pronunciations one substitution (a vowel for a vowel, a consonant for a consonant) or one
    deletion away from ``phones``."""
    out: set[Phones] = set()
    for index, phone in enumerate(phones):
        pool = VOWELS if phone in VOWELS else CONSONANTS
        for other in pool:
            if other != phone:
                out.add((*phones[:index], other, *phones[index + 1 :]))
        if len(phones) > 1:
            out.add(phones[:index] + phones[index + 1 :])
    return out


def unsettled(phones: Phones, pronunciations: Iterable[Phones]) -> frozenset[int]:
    """The places of ``phones`` where another pronunciation of the same length has another sound
    (today, ``T AH D EY`` or ``T UW D EY``: place 1): the dictionary accepts more than one sound
    there, so a sound-alike that changes only that place is no clear mistake."""
    return frozenset(
        index
        for other in pronunciations
        if len(other) == len(phones)
        for index, (ours, theirs) in enumerate(zip(phones, other, strict=True))
        if ours != theirs
    )


def _changes_only(phones: Phones, changed: Phones, places: frozenset[int]) -> bool:
    """Whether ``changed`` (a substitution of ``phones``) differs from it only at ``places``."""
    return (
        bool(places)
        and len(changed) == len(phones)
        and all(index in places for index, (a, b) in enumerate(zip(phones, changed, strict=True)) if a != b)
    )


def variant_name(word: str, phones: Phones) -> str:
    """The dictionary name of a pronunciation variant: unique for (word, phones), never a word."""
    return f"{word}~{'.'.join(phones).lower()}"


def respell(word: str, phones: Phones, index: int, said: str) -> str | None:
    """``word`` spelled with the sound at ``index`` of ``phones`` replaced by ``said`` (think, TH→T:
    "tink"); None when the letters of that sound cannot be found."""
    meant = phones[index]
    letters = _SPELLINGS.get(meant)
    new = _LETTERS.get(said)
    if letters is None or new is None:
        return None
    nth = sum(1 for phone in phones[:index] if phone == meant)
    spots: list[tuple[int, int]] = []
    at = 0
    while at < len(word):
        match = next((g for g in letters if word.startswith(g, at)), None)
        if match is None:
            at += 1
            continue
        spots.append((at, len(match)))
        at += len(match)
    if nth >= len(spots):
        return None
    start, length = spots[nth]
    return word[:start] + new + word[start + length :]


def _most_frequent(words: Iterable[str], frequency: Callable[[str], float]) -> str | None:
    best: tuple[float, str] | None = None
    for word in words:
        key = (frequency(word), word)
        if best is None or key[0] > best[0]:
            best = key
    return best[1] if best else None
