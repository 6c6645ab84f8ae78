"""Join codes of classes: short enough to read out or write on a board, too many to guess.

A code is :data:`LENGTH` characters of :data:`ALPHABET`, which leaves out what people confuse when
they copy a code by hand (``0``/``O``, ``1``/``I``/``L``), drawn with :mod:`secrets`: 31**8, about
8.5 * 10**11 codes, so a guesser who is also slowed down by the join limit (``web.login_attempts``,
see ``web/routes/classes.py``) finds no class. Codes are shown in two groups (``ABCD-EFGH``) and
read back case-insensitively, with or without the dash and spaces.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
# The longest text worth cleaning: a code with a dash and a few spaces around it.
_MAX_TEXT = 64


def new_code() -> str:
    """A fresh random code (stored as it is: upper case, no dash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def shown(code: str) -> str:
    """``ABCDEFGH`` as people read it: ``ABCD-EFGH``."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def read_code(text: str) -> str | None:
    """The stored form of a code someone typed (``abcd-efgh``, `` ABCD EFGH ``), or None when the
    text cannot be a code at all (wrong length or a character no code has)."""
    if len(text) > _MAX_TEXT:
        return None
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t")
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
