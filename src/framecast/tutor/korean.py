"""Korean particles chosen by the word they follow: 을/를, 은/는, 이/가, 과/와, (으)로.

A Korean particle depends on whether the word before it ends in a consonant (받침). For a Hangul word
that is read from its last syllable. For an English word (the tutor quotes English words in its
Korean explanations: "'went'를 쓰세요") it is read from how Koreans say the word: a final ``l``,
``m``, ``n`` or ``ng`` is kept as 받침 (apple 애플, name 네임, run 런, sing 싱), and so are ``p``,
``t``, ``k`` after a single short vowel (cap 캡, cat 캣, book 북); any other ending takes a vowel
(went 웬트, dog 도그, like 라이크, bus 버스, car 카), so no 받침.
"""

from __future__ import annotations

from typing import Literal

Particle = Literal["을/를", "은/는", "이/가", "과/와", "으로/로"]

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_RIEUL = 8  # the index of ㄹ among final consonants
_KEPT = ("l", "m", "n")
_STOPS = ("p", "t", "k")
_VOWELS = frozenset("aeiou")
# Quotes and punctuation around a quoted word (typographic quotes included).
_QUOTES = "'\".,!?\u2018\u2019\u201c\u201d"


def final_consonant(word: str) -> str | None:
    """How ``word`` ends when read in Korean: ``"ㄹ"``, ``"other"`` (another 받침), or None (a vowel)."""
    text = word.strip().strip(_QUOTES).strip()
    if not text:
        return None
    last = text[-1]
    if _HANGUL_FIRST <= ord(last) <= _HANGUL_LAST:
        final = (ord(last) - _HANGUL_FIRST) % 28
        if final == 0:
            return None
        return "ㄹ" if final == _RIEUL else "other"
    if last.isdigit():
        # Read as Korean numbers: 0 영, 1 일, 3 삼, 6 육, 7 칠, 8 팔 end in 받침; 2 이, 4 사, 5 오, 9 구
        # do not.
        return "ㄹ" if last in "178" else ("other" if last in "036" else None)
    lower = "".join(ch for ch in text.lower() if ch.isalpha())
    if not lower:
        return None
    if lower.endswith("ng"):
        return "other"
    if lower.endswith("e") and len(lower) > 2 and lower[-2] not in _VOWELS:
        # A silent final e: "name" is read as "nam", but a long vowel before it adds a vowel (like 라이크).
        stem = lower[:-1]
        return "ㄹ" if stem.endswith("l") else ("other" if stem[-1] in "mn" else None)
    end = lower[-1]
    if end == "l":
        return "ㄹ"
    if end in _KEPT:
        return "other"
    if end in _STOPS or lower.endswith("ck"):
        before = lower[:-2] if lower.endswith("ck") else lower[:-1]
        vowels = [ch for ch in before[-2:] if ch in _VOWELS]
        # One short vowel right before (cat, book is "oo" but short): kept; "boat", "seat": a vowel added.
        if before and before[-1] in _VOWELS and (len(vowels) == 1 or before.endswith("oo")):
            return "other"
    return None


def particle(word: str, pair: Particle) -> str:
    """The particle of ``pair`` that follows ``word``: ``particle("went", "을/를") == "를"``."""
    final = final_consonant(word)
    with_batchim, without = pair.split("/")
    if pair == "으로/로":
        return "으로" if final == "other" else "로"
    return with_batchim if final is not None else without


def with_particle(word: str, pair: Particle) -> str:
    """``word`` followed by its particle: ``with_particle("'went'", "을/를") == "'went'를"``."""
    return word + particle(word, pair)
