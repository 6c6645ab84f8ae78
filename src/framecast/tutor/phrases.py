"""Practice phrases: the packaged list (``tutor/data/practice_phrases.csv``), seeding it into the
``practice_phrases`` table, and the deterministic choice of a lesson's next phrase.

The CSV has the columns ``category,difficulty,english,korean``; categories and difficulties are
those of ``tutor/brain.py``. The file ships with the package and is read once per process.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from framecast.core.errors import ConfigurationError, InvalidInputError
from framecast.db.session import Database
from framecast.db.tutor import PracticePhrase
from framecast.tutor.brain import CATEGORIES, DIFFICULTIES

_COLUMNS = ["category", "difficulty", "english", "korean"]
_RESOURCE = "data/practice_phrases.csv"


@dataclass(frozen=True)
class Phrase:
    """One phrase to practise, with its natural Korean translation."""

    category: str  # one of brain.CATEGORIES
    difficulty: str  # one of brain.DIFFICULTIES
    english: str
    korean: str


@cache
def load_phrases() -> tuple[Phrase, ...]:
    """Every packaged phrase, in file order (read once, then cached).

    Raises ``ConfigurationError`` naming the line when the packaged file is malformed.
    """
    text = resources.files("framecast.tutor").joinpath(_RESOURCE).read_text("utf-8")
    return parse_phrases(text, source=f"framecast/tutor/{_RESOURCE}")


def parse_phrases(text: str, *, source: str = "practice phrases") -> tuple[Phrase, ...]:
    """The phrases in CSV ``text``; ``source`` names the file in error messages.

    Raises ``ConfigurationError`` for a wrong header, a row with the wrong number of fields, an
    unknown category or difficulty, an empty text, or an English phrase listed twice.
    """
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != _COLUMNS:
        raise ConfigurationError(f"{source}, line 1: the header must be {','.join(_COLUMNS)}, not {header}")
    phrases: list[Phrase] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(_COLUMNS):
            raise ConfigurationError(f"{source}, line {line}: expected 4 fields, found {len(row)}")
        category, difficulty, english, korean = (field.strip() for field in row)
        if category not in CATEGORIES:
            raise ConfigurationError(
                f"{source}, line {line}: unknown category {category!r} (one of {', '.join(CATEGORIES)})"
            )
        if difficulty not in DIFFICULTIES:
            raise ConfigurationError(
                f"{source}, line {line}: unknown difficulty {difficulty!r} (one of {', '.join(DIFFICULTIES)})"
            )
        if not english or not korean:
            raise ConfigurationError(f"{source}, line {line}: the English and Korean texts must not be empty")
        if english in seen:
            raise ConfigurationError(
                f"{source}, line {line}: {english!r} is already listed on line {seen[english]}"
            )
        seen[english] = line
        phrases.append(Phrase(category, difficulty, english, korean))
    return tuple(phrases)


def seed_phrases(db: Database, phrases: Sequence[Phrase] | None = None) -> int:
    """Insert the phrases (by default the packaged ones) missing from ``practice_phrases``.

    A phrase is identified by its English text, so running it again inserts nothing. Returns how
    many rows were inserted.
    """
    wanted = load_phrases() if phrases is None else phrases
    with db.session() as session:
        existing = set(session.scalars(select(PracticePhrase.english_text)))
        missing: list[Phrase] = []
        for phrase in wanted:
            if phrase.english not in existing:
                existing.add(phrase.english)
                missing.append(phrase)
        if not missing:
            return 0
        # Two servers starting together both find a phrase missing: the second insert of it is
        # passed over instead of failing the server's start on the unique English text.
        insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        inserted = session.scalars(
            insert(PracticePhrase)
            .values(
                [
                    {
                        "category": p.category,
                        "difficulty": p.difficulty,
                        "english_text": p.english,
                        "korean_text": p.korean,
                    }
                    for p in missing
                ]
            )
            .on_conflict_do_nothing(index_elements=["english_text"])
            .returning(PracticePhrase.id)
        ).all()
    return len(inserted)


def pick(phrases: Sequence[Phrase], *, category: str | None, difficulty: str, index: int) -> Phrase:
    """The ``index``-th phrase of a lesson, wrapping around; the same arguments give the same phrase.

    With ``category`` None (free conversation) the phrases of ``difficulty`` are taken from each
    category in turn, so consecutive indexes change topic. Raises ``InvalidInputError`` when no
    phrase has that category and difficulty.
    """
    candidates = [
        p for p in phrases if p.difficulty == difficulty and (category is None or p.category == category)
    ]
    if not candidates:
        raise InvalidInputError(
            f"no practice phrase for category {category or 'any'!r} and difficulty {difficulty!r}"
        )
    if category is None:
        candidates = _interleaved(candidates)
    return candidates[index % len(candidates)]


def _interleaved(phrases: list[Phrase]) -> list[Phrase]:
    """The first phrase of every category, then the second of every category, and so on."""
    position: dict[str, int] = {}
    keyed: list[tuple[int, int, Phrase]] = []
    order = {c: i for i, c in enumerate(CATEGORIES)}
    for phrase in phrases:
        rank = position.get(phrase.category, 0)
        position[phrase.category] = rank + 1
        keyed.append((rank, order.get(phrase.category, len(order)), phrase))
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [k[2] for k in keyed]
