"""The progress formula: session scores, the moving average, statistics and suggestions."""

from __future__ import annotations

import pytest

from framecast.tutor.progress import (
    ALPHA,
    OverallScores,
    SessionScores,
    accuracy_score,
    common_mistakes,
    correction_stats,
    count_words,
    fold_scores,
    pronunciation_score,
    score_session,
    suggestions,
)

DOG = "Yesterday I go to the park and I see an dog."


def test_words_are_counted_with_inner_apostrophes_and_numbers() -> None:
    assert count_words(DOG) == 11
    assert count_words("I don\u2019t know, it's 3 o'clock!") == 6
    assert count_words("  ...  ") == 0


def test_three_medium_grammar_errors_in_eleven_words_score_low_but_not_zero() -> None:
    scores = score_session([DOG], [("grammar", "medium")] * 3)

    assert scores == SessionScores(grammar=31.8, vocabulary=100.0, pronunciation=None, words=11)


def test_a_clean_session_scores_100() -> None:
    scores = score_session(["I went to the park.", "I saw a dog."], [])

    assert scores is not None
    assert (scores.grammar, scores.vocabulary, scores.words) == (100.0, 100.0, 9)


def test_severity_weighs_errors() -> None:
    low = score_session(["one two three four five six seven eight nine ten"], [("grammar", "low")])
    high = score_session(["one two three four five six seven eight nine ten"], [("grammar", "high")])

    assert low is not None
    assert high is not None
    assert (low.grammar, high.grammar) == (87.5, 50.0)


def test_vocabulary_corrections_lower_only_the_vocabulary_score() -> None:
    scores = score_session(["one two three four five six seven eight nine ten"], [("vocabulary", "medium")])

    assert scores is not None
    assert (scores.grammar, scores.vocabulary) == (100.0, 75.0)


def test_pronunciation_corrections_are_not_counted_twice() -> None:
    scores = score_session([DOG], [("pronunciation", "high")] * 5)

    assert scores is not None
    assert (scores.grammar, scores.vocabulary, scores.pronunciation) == (100.0, 100.0, None)


def test_scores_never_go_below_zero() -> None:
    assert accuracy_score(10, 2) == 0.0


def test_pronunciation_is_the_mean_word_score_over_audio_turns() -> None:
    turns = [
        [{"word": "hello", "score": 1.0, "heard": "hello"}, {"word": "world", "score": 0.5, "heard": "word"}],
        None,
        [{"word": "bye", "score": 0.0, "heard": ""}],
    ]

    assert pronunciation_score(turns) == 50.0
    assert pronunciation_score([]) is None
    assert pronunciation_score([[{"word": "x", "score": 1.7}], [{"word": "y"}]]) == 100.0


def test_a_session_without_words_has_no_scores_and_moves_nothing() -> None:
    overall = OverallScores(grammar=70.0, vocabulary=80.0, measured=True)

    assert score_session(["", "   "], [("grammar", "high")]) is None
    assert fold_scores(overall, None) == overall


def test_the_first_scored_session_sets_the_overall_scores() -> None:
    first = fold_scores(OverallScores(), SessionScores(40.0, 90.0, None, 10))

    assert first == OverallScores(grammar=40.0, vocabulary=90.0, pronunciation=0.0, measured=True)


def test_later_sessions_move_the_overall_scores_by_alpha() -> None:
    overall = OverallScores(grammar=40.0, vocabulary=90.0, measured=True)

    moved = fold_scores(overall, SessionScores(100.0, 50.0, None, 10))

    assert ALPHA == 0.3
    assert (moved.grammar, moved.vocabulary) == (58.0, 78.0)


def test_pronunciation_starts_at_the_first_session_with_audio() -> None:
    overall = fold_scores(OverallScores(), SessionScores(100.0, 100.0, None, 5))
    assert (overall.pronunciation, overall.pronunciation_measured) == (0.0, False)

    overall = fold_scores(overall, SessionScores(100.0, 100.0, 60.0, 5))
    assert (overall.pronunciation, overall.pronunciation_measured) == (60.0, True)

    overall = fold_scores(overall, SessionScores(100.0, 100.0, None, 5))
    assert overall.pronunciation == 60.0

    overall = fold_scores(overall, SessionScores(100.0, 100.0, 100.0, 5))
    assert overall.pronunciation == 72.0


def test_correction_stats_count_by_type_and_severity() -> None:
    stats = correction_stats(
        [("grammar", "high"), ("grammar", "low"), ("vocabulary", "medium"), ("style", "odd")]
    )

    assert stats == {
        "total_corrections": 4,
        "by_type": {"grammar": 2, "pronunciation": 0, "vocabulary": 1},
        "by_severity": {"high": 1, "medium": 1, "low": 1},
    }


def test_common_mistakes_are_compared_lower_cased_and_ties_go_to_the_newest() -> None:
    newest_first = ["I go", "an dog", "i go ", "He have", "an Dog", "She don't", ""]

    assert common_mistakes(newest_first, top=3) == [("i go", 2), ("an dog", 2), ("he have", 1)]


@pytest.mark.parametrize(
    ("by_type", "expected"),
    [
        ({}, ["Keep practising"]),
        ({"grammar": 6, "pronunciation": 2, "vocabulary": 2}, ["verb tenses and prepositions"]),
        ({"grammar": 5, "pronunciation": 5, "vocabulary": 0}, ["Speak slowly and clearly"]),
        (
            {"grammar": 2, "pronunciation": 4, "vocabulary": 4},
            ["Speak slowly and clearly", "Learn new expressions"],
        ),
        ({"grammar": 5, "pronunciation": 3, "vocabulary": 2}, ["doing well"]),
    ],
)
def test_suggestions_follow_the_original_thresholds(by_type: dict[str, int], expected: list[str]) -> None:
    found = suggestions(by_type, "en")

    assert len(found) == len(expected)
    for text, part in zip(found, expected, strict=True):
        assert part in text


def test_suggestions_are_in_korean_when_asked() -> None:
    assert "시제와 전치사" in suggestions({"grammar": 9, "vocabulary": 1}, "ko")[0]
    assert "꾸준히" in suggestions({}, "ko")[0]
    assert suggestions({}, "fr") == suggestions({}, "en")


@pytest.mark.parametrize(
    "by_type", [{}, {"grammar": 9, "vocabulary": 1}, {"pronunciation": 5, "vocabulary": 5}]
)
def test_suggestions_told_to_a_teacher_speak_of_the_learner_by_name(by_type: dict[str, int]) -> None:
    to_learner = suggestions(by_type, "en")
    about = suggestions(by_type, "en", about="Minji")
    in_korean = suggestions(by_type, "ko", about="민지")

    assert len(about) == len(in_korean) == len(to_learner)
    assert all("Minji" in text for text in about)
    assert not any(word in text.lower().split() for text in about for word in ("you", "your"))
    assert all("민지 님" in text for text in in_korean)


def test_a_teachers_grammar_suggestion_names_the_learner() -> None:
    [advice] = suggestions({"grammar": 9, "vocabulary": 1}, "en", about="Minji")

    assert advice.startswith("Most of Minji's corrections are grammar")
