"""Text rules shared by every package: word lists written as text, Hangul, and what text from
outside may hold before it is stored: no NUL character (PostgreSQL cannot store it
in a text column) and no unpaired UTF-16 surrogate (it cannot be encoded as UTF-8 at all).

Both reach us only from hostile or broken clients (a JSON ``"\\u0000"`` or ``"\\ud800"`` escape, a
``%00`` in a URL), so the edge refuses them with an error naming the field instead of failing later
with a database error.
"""

from __future__ import annotations

import re
import unicodedata

_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None when it can."""
    if "\x00" in value:
        return "contains a NUL character (\\0), which text cannot hold"
    if _SURROGATE.search(value):
        return "contains an unpaired surrogate (broken Unicode); send valid UTF-8 text"
    return None


def word_set(text: str) -> frozenset[str]:
    """A word list written as text (split on whitespace): module constants split once at import."""
    return frozenset(text.split())


def is_hangul(ch: str) -> bool:
    """Whether ``ch`` is a Hangul letter or syllable."""
    return unicodedata.name(ch, "").startswith("HANGUL")
