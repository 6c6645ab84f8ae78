"""The packaged practice phrases, their seeding into the database, and the lesson's choice of phrase."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
from sqlalchemy import delete, func, select

from framecast.core.errors import ConfigurationError, InvalidInputError
from framecast.db.session import Database
from framecast.db.tutor import PracticePhrase
from framecast.tutor.brain import CATEGORIES, DIFFICULTIES
from framecast.tutor.checker import check_english
from framecast.tutor.phrases import Phrase, load_phrases, parse_phrases, pick, seed_phrases

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HEADER = "category,difficulty,english,korean\n"


def test_the_package_holds_at_least_160_phrases_in_every_category_and_difficulty() -> None:
    phrases = load_phrases()
    assert len(phrases) >= 160
    assert {p.category for p in phrases} == set(CATEGORIES)
    cells = Counter((p.category, p.difficulty) for p in phrases)
    for category in CATEGORIES:
        for difficulty in DIFFICULTIES:
            assert cells[(category, difficulty)] >= 5, (category, difficulty)


def test_every_phrase_is_unique_and_has_a_korean_translation() -> None:
    phrases = load_phrases()
    assert len({p.english for p in phrases}) == len(phrases)
    for phrase in phrases:
        assert HANGUL.search(phrase.korean), phrase
        assert not HANGUL.search(phrase.english), phrase


def test_beginner_phrases_are_short_and_advanced_ones_longer() -> None:
    phrases = load_phrases()
    for phrase in phrases:
        if phrase.difficulty == "beginner":
            assert 3 <= len(phrase.english.split()) <= 7, phrase.english
    average = {
        d: sum(len(p.english.split()) for p in phrases if p.difficulty == d)
        / sum(1 for p in phrases if p.difficulty == d)
        for d in DIFFICULTIES
    }
    assert average["beginner"] < average["intermediate"] < average["advanced"]


def test_the_offline_checker_finds_nothing_to_correct_in_the_phrases_the_tutor_teaches() -> None:
    flagged = [(p.english, check_english(p.english).corrections) for p in load_phrases()]
    assert [f for f in flagged if f[1]] == []


def test_the_phrases_are_read_once() -> None:
    assert load_phrases() is load_phrases()


def test_a_quoted_field_may_hold_commas() -> None:
    text = HEADER + 'greeting,beginner,"Hi, how are you?","안녕, 잘 지내?"\n'
    assert parse_phrases(text) == (Phrase("greeting", "beginner", "Hi, how are you?", "안녕, 잘 지내?"),)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("greeting,beginner,Hello there.,안녕하세요.\nsports,beginner,I like golf.,골프 좋아요.\n", "line 3"),
        ("greeting,expert,Hello there.,안녕하세요.\n", "line 2: unknown difficulty 'expert'"),
        ("greeting,beginner,Hello there.\n", "line 2: expected 4 fields"),
        ("greeting,beginner,,안녕하세요.\n", "line 2"),
        (
            "greeting,beginner,Hello.,안녕.\nwork,beginner,Hello.,안녕.\n",
            "line 3: 'Hello.' is already listed on line 2",
        ),
    ],
)
def test_a_bad_row_is_named_by_its_line(body: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        parse_phrases(HEADER + body, source="phrases.csv")


def test_an_unknown_category_names_the_allowed_ones() -> None:
    with pytest.raises(
        ConfigurationError, match=r"phrases\.csv, line 2: unknown category 'sports' \(one of greeting"
    ):
        parse_phrases(HEADER + "sports,beginner,I like golf.,골프 좋아요.\n", source="phrases.csv")


def test_a_wrong_header_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="line 1: the header must be"):
        parse_phrases("english,korean\nHello.,안녕.\n")


def _rows(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(PracticePhrase)) or 0


def test_seeding_inserts_every_phrase_once_and_then_only_what_is_missing(db: Database) -> None:
    phrases = load_phrases()
    assert seed_phrases(db) == len(phrases)
    assert _rows(db) == len(phrases)
    assert seed_phrases(db) == 0
    assert _rows(db) == len(phrases)

    removed = phrases[5]
    with db.session() as session:
        session.execute(delete(PracticePhrase).where(PracticePhrase.english_text == removed.english))
    assert seed_phrases(db) == 1
    with db.session() as session:
        row = session.scalars(
            select(PracticePhrase).where(PracticePhrase.english_text == removed.english)
        ).one()
        assert (row.category, row.difficulty, row.korean_text) == (
            removed.category,
            removed.difficulty,
            removed.korean,
        )


def test_seeding_a_list_with_a_repeated_phrase_inserts_it_once(db: Database) -> None:
    phrase = Phrase("work", "beginner", "I work at home.", "저는 집에서 일해요.")
    assert seed_phrases(db, [phrase, phrase]) == 1
    assert _rows(db) == 1


def test_pick_is_deterministic_and_wraps_around() -> None:
    phrases = load_phrases()
    cell = [p for p in phrases if p.category == "travel" and p.difficulty == "beginner"]
    chosen = [pick(phrases, category="travel", difficulty="beginner", index=i) for i in range(len(cell))]
    assert chosen == cell
    assert pick(phrases, category="travel", difficulty="beginner", index=len(cell) + 2) == cell[2]
    assert pick(phrases, category="travel", difficulty="beginner", index=-1) == cell[-1]


def test_pick_without_a_category_changes_topic_at_every_index() -> None:
    phrases = load_phrases()
    chosen = [pick(phrases, category=None, difficulty="advanced", index=i) for i in range(len(CATEGORIES))]
    assert [p.category for p in chosen] == list(CATEGORIES)
    assert {p.difficulty for p in chosen} == {"advanced"}


def test_pick_refuses_a_cell_without_phrases() -> None:
    with pytest.raises(InvalidInputError, match="'sports'"):
        pick(load_phrases(), category="sports", difficulty="beginner", index=0)


def test_servers_seeding_at_the_same_moment_insert_each_phrase_once(db: Database) -> None:
    """Two servers starting together on one database: each reads the table before the other has
    written, and the second insert of a phrase is passed over rather than failing its start."""
    phrases = load_phrases()
    start = threading.Barrier(4)
    inserted: list[int] = []
    errors: list[BaseException] = []

    def seed() -> None:
        start.wait()
        try:
            inserted.append(seed_phrases(db))
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    seeders = [threading.Thread(target=seed) for _ in range(4)]
    for seeder in seeders:
        seeder.start()
    for seeder in seeders:
        seeder.join()
    assert errors == []
    assert sum(inserted) == len(phrases)
    assert _rows(db) == len(phrases)
