"""Korean particles follow the word before them, Hangul or English as Koreans read it."""

from __future__ import annotations

import pytest

from framecast.tutor.korean import particle, with_particle


@pytest.mark.parametrize(
    ("word", "object_particle", "topic_particle", "subject_particle", "direction"),
    [
        ("학교", "를", "는", "가", "로"),
        ("집", "을", "은", "이", "으로"),
        ("서울", "을", "은", "이", "로"),
        ("went", "를", "는", "가", "로"),  # 웬트
        ("book", "을", "은", "이", "으로"),  # 북
        ("apple", "을", "은", "이", "로"),  # 애플
        ("name", "을", "은", "이", "으로"),  # 네임
        ("like", "를", "는", "가", "로"),  # 라이크
        ("sing", "을", "은", "이", "으로"),  # 싱
        ("'an'", "을", "은", "이", "으로"),  # 언
    ],
)
def test_the_particle_follows_the_sound_of_the_last_syllable(
    word: str, object_particle: str, topic_particle: str, subject_particle: str, direction: str
) -> None:
    assert particle(word, "을/를") == object_particle
    assert particle(word, "은/는") == topic_particle
    assert particle(word, "이/가") == subject_particle
    assert particle(word, "으로/로") == direction


def test_a_quoted_english_word_keeps_its_quotes() -> None:
    assert with_particle("'went'", "을/를") == "'went'를"
