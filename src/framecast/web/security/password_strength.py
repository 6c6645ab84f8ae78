"""What makes a new password too easy to guess, beyond its length.

Refused, in this order: one of the common passwords shipped with the package
(``common-passwords.txt.gz``, Django's list of 20,000 from breach corpora; provenance in
``common-passwords.NOTICE.txt``), one character or a short pattern repeated ("aaaaaaaaaa",
"abababababab"), a run of consecutive characters or keys ("1234567890", "abcdefghij", "qwertyuiop",
forwards or backwards), and a password that is mostly the user's email address or name
("carol12345" for Carol). Comparisons ignore case; the list is also compared with spaces removed.

The list is read once, on the first check, from the package itself: nothing is downloaded.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

from framecast.core.errors import ConfigurationError

COMMON_LIST = "common-passwords.txt.gz"
# Runs of characters people type in order; each is also read backwards and round the end.
SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1q2w3e4r5t6y7u8i9o0p",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
)
# A pattern this short repeated over the whole password ("abab...", "123123...") is no secret.
MAX_REPEATED_UNIT = 4
# The user's name or email, or a word of their name, counts from this many letters on.
MIN_PERSONAL_PART = 4
_NOT_ALNUM = re.compile(r"[\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased.

    Raises :class:`ConfigurationError` when the installed package lacks the file (a wheel built
    without ``web/security/*.txt.gz`` in its package data): no password is accepted unchecked.
    """
    try:
        data = resources.files(__package__).joinpath(COMMON_LIST).read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(
            f"{COMMON_LIST} is missing from the installed framecast package; reinstall it "
            "(its package data must include web/security/*.txt.gz)"
        ) from None
    lines = gzip.decompress(data).decode("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def weakness(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is too easy to guess (a phrase to follow the field's label), or None."""
    lowered = password.strip().lower()
    compact = "".join(lowered.split())
    common = common_passwords()
    if lowered in common or compact in common:
        return "this is one of the most common passwords; choose another (a few unrelated words are good)"
    unit = _repeated_unit(compact)
    if unit is not None:
        shown = f"one character ({unit!r})" if len(unit) == 1 else f"a short pattern ({unit!r})"
        return f"it repeats {shown}; choose something less predictable"
    if _is_sequence(compact):
        return "it is a run of consecutive characters or keys; choose something less predictable"
    personal = _personal_part(password, email=email, name=name)
    if personal is not None:
        return f"it is mostly your {personal}; choose something unrelated to it"
    return None


def _repeated_unit(text: str) -> str | None:
    for size in range(1, MAX_REPEATED_UNIT + 1):
        if len(text) > size and all(text[i] == text[i % size] for i in range(len(text))):
            return text[:size]
    return None


def _is_sequence(text: str) -> bool:
    if len(text) < 3:
        return False
    for sequence in SEQUENCES:
        for way in (sequence, sequence[::-1]):
            # Enough turns round the end to hold any run as long as the text.
            ring = way * (len(text) // len(way) + 2)
            if text in ring:
                return True
    return False


def _normal(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _personal_part(password: str, *, email: str, name: str) -> str | None:
    """ "email address" or "name" when the password is mostly made of it, else None."""
    word = _normal(password)
    if not word:
        return None
    local = email.strip().partition("@")[0]
    candidates = [("email address", _normal(email)), ("email address", _normal(local))]
    candidates.append(("name", _normal(name)))
    candidates.extend(("name", _normal(part)) for part in name.split())
    for what, part in candidates:
        if len(part) < MIN_PERSONAL_PART:
            continue
        if word in part:
            return what
        if part in word:
            rest = word.replace(part, "")
            if len(rest) * 2 < len(word) or rest.isdigit() or _repeated_unit(rest) or _is_sequence(rest):
                return what
    return None
