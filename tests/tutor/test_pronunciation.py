from __future__ import annotations

import pytest

from framecast.providers.base import Transcript, WordTiming
from framecast.providers.offline.stt import OfflineSpeechToTextProvider
from framecast.tutor.pronunciation import (
    MATCH_FLOOR,
    SUBSTITUTION_FACTOR,
    WordScore,
    overall_score,
    pronunciation_corrections,
    score_words,
)
from tests.speech_audio import spoken_wav


def heard(*words: str | tuple[str, float | None]) -> Transcript:
    """A transcript of ``words``, each a word (confidence 0.9) or a (word, confidence) pair."""
    timings = []
    for index, item in enumerate(words):
        word, confidence = (item, 0.9) if isinstance(item, str) else item
        timings.append(WordTiming(word=word, start=index * 0.4, end=index * 0.4 + 0.3, confidence=confidence))
    return Transcript(text=" ".join(t.word for t in timings), words=tuple(timings), language="en")


def matched(confidence: float) -> float:
    return MATCH_FLOOR + (1 - MATCH_FLOOR) * confidence


def test_words_heard_as_themselves_score_by_their_confidence() -> None:
    scores = score_words("I saw a dog", heard(("i", 1.0), ("saw", 0.6), ("a", 0.0), ("dog", None)))

    assert scores == (
        WordScore("I", 1.0, "I"),
        WordScore("saw", pytest.approx(matched(0.6)), "saw"),
        WordScore("a", MATCH_FLOOR, "a"),
        WordScore("dog", 1.0, "dog"),
    )


def test_case_and_punctuation_do_not_matter_and_the_reference_spelling_is_kept() -> None:
    scores = score_words("Hello, World! — Where's Tom?", heard("hello", "world", "where", "is", "tom"))

    assert [s.word for s in scores] == ["Hello", "World", "Where's", "Tom"]
    assert [s.heard for s in scores] == ["Hello", "World", "Where's", "Tom"]
    assert all(s.score == pytest.approx(matched(0.9)) for s in scores)


def test_a_substituted_word_scores_low_and_says_what_was_heard() -> None:
    scores = score_words("I went to the park", heard("i", "went", "to", "the", ("bark", 0.8)))

    assert scores[-1] == WordScore("park", pytest.approx(SUBSTITUTION_FACTOR * 0.8), "bark")
    assert all(s.score > 0.5 for s in scores[:-1])


def test_a_word_not_heard_scores_zero() -> None:
    scores = score_words("I would like a cup of coffee", heard("i", "would", "like", "a", "of", "coffee"))

    assert scores[4] == WordScore("cup", 0.0, None)
    assert [s.word for s in scores] == ["I", "would", "like", "a", "cup", "of", "coffee"]
    assert all(s.heard == s.word for i, s in enumerate(scores) if i != 4)


def test_extra_heard_words_are_ignored() -> None:
    scores = score_words("see you tomorrow", heard("oh", "see", "you", "um", "uh", "tomorrow", "bye"))

    assert [(s.word, s.heard) for s in scores] == [("see", "see"), ("you", "you"), ("tomorrow", "tomorrow")]
    assert all(s.score == pytest.approx(matched(0.9)) for s in scores)


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("I can't swim", ("i", "cannot", "swim")),
        ("I can not swim", ("i", "can't", "swim")),
        ("They don't know", ("they", "do", "not", "know")),
        ("We'll meet at 7", ("we", "will", "meet", "at", "seven")),
        ("I have 25 books", ("i", "have", "twenty", "five", "books")),
        ("My favourite colour is grey", ("my", "favorite", "color", "is", "gray")),
        ("I want to buy two", ("i", "want", "two", "by", "too")),
        ("It's a well-known shop", ("it", "is", "a", "well", "known", "shop")),
        ("I\u2019m here", ("i'm", "hear")),
    ],
)
def test_contractions_numbers_spellings_and_homophones_are_not_errors(
    reference: str, words: tuple[str, ...]
) -> None:
    scores = score_words(reference, heard(*words))

    assert scores
    assert all(s.score == pytest.approx(matched(0.9)) for s in scores), scores
    assert all(s.heard == s.word for s in scores)


def test_a_word_of_several_tokens_scores_the_mean_of_its_tokens() -> None:
    scores = score_words("I have 25 books", heard("i", "have", ("twenty", 1.0), ("nine", 1.0), "books"))

    assert scores[2] == WordScore("25", pytest.approx((1.0 + SUBSTITUTION_FACTOR) / 2), "twenty nine")


def test_a_transcript_without_word_timings_falls_back_to_its_text() -> None:
    scores = score_words("good morning", Transcript(text="good evening"))

    assert scores == (WordScore("good", 1.0, "good"), WordScore("morning", SUBSTITUTION_FACTOR, "evening"))


def test_nothing_heard_scores_every_word_zero() -> None:
    scores = score_words("thank you", Transcript(text=""))

    assert scores == (WordScore("thank", 0.0, None), WordScore("you", 0.0, None))


def test_overall_score_is_the_mean_on_a_hundred_point_scale() -> None:
    assert (
        overall_score([WordScore("a", 1.0, "a"), WordScore("b", 0.5, "b"), WordScore("c", 0.0, None)]) == 50.0
    )
    assert overall_score([]) == 0.0
    words = heard("thank", "you", "very", "much")
    assert overall_score(score_words("thank you very much", words)) == pytest.approx(95.0)


SCORES = (
    WordScore("Yesterday", 0.95, "Yesterday"),
    WordScore("I", 0.0, None),
    WordScore("visited", 0.0, None),
    WordScore("the", 0.05, "a"),
    WordScore("museum", 0.15, "music"),
    WordScore("went", 0.05, "want"),
    WordScore("coffee", 0.25, "coffee"),
    WordScore("my", 0.6, "my"),
    WordScore("Museum", 0.0, None),
)


def test_corrections_flag_content_words_below_the_threshold_once_each() -> None:
    corrections = pronunciation_corrections(SCORES, threshold=0.3, language="en")

    assert [c.original for c in corrections] == ["visited", "museum", "went", "coffee"]
    assert all(c.type == "pronunciation" and c.corrected == c.original for c in corrections)
    lower = pronunciation_corrections(SCORES, threshold=0.1, language="en")
    assert [c.original for c in lower] == ["visited", "went", "Museum"]


def test_correction_severity_grows_as_the_score_falls() -> None:
    corrections = pronunciation_corrections(SCORES, threshold=0.3, language="en")

    assert [c.severity for c in corrections] == ["high", "medium", "high", "low"]


def test_corrections_explain_in_english() -> None:
    visited, museum, went, coffee = pronunciation_corrections(SCORES, threshold=0.3, language="en")

    assert visited.explanation == '"visited" was not heard. Say it again, clearly.'
    assert museum.explanation == 'You said "music" for "museum". Try saying it again slowly.'
    assert went.explanation == 'You said "want" for "went". Try saying it again slowly.'
    assert coffee.explanation == '"coffee" was not clear. Try saying it again slowly.'


def test_corrections_explain_in_korean() -> None:
    visited, museum, went, coffee = pronunciation_corrections(SCORES, threshold=0.3, language="ko")

    assert visited.explanation == '"visited" 단어가 들리지 않았어요. 또박또박 다시 말해 보세요.'
    # The particle follows the word as a Korean reads it: "museum" ends in a consonant, "went" (웬트) not.
    assert museum.explanation == '"museum"을 "music"처럼 발음했어요. 천천히 다시 발음해 보세요.'
    assert went.explanation == '"went"를 "want"처럼 발음했어요. 천천히 다시 발음해 보세요.'
    assert coffee.explanation == '"coffee" 단어의 발음이 분명하지 않았어요. 천천히 다시 발음해 보세요.'


SPOKEN = "My brother plays football every Saturday."


@pytest.fixture(scope="module")
def spoken_transcript() -> Transcript:
    """What pocketsphinx hears of espeak-ng (en-us+f2) saying ``SPOKEN`` in a quiet room."""
    import anyio

    stt = OfflineSpeechToTextProvider()
    return anyio.run(stt.transcribe, spoken_wav(SPOKEN))


def test_clear_speech_scores_high_against_its_own_text(spoken_transcript: Transcript) -> None:
    scores = score_words(SPOKEN, spoken_transcript)

    # Measured: every word comes back as itself (overall ~90).
    assert overall_score(scores) >= 70
    assert pronunciation_corrections(scores, threshold=0.3, language="en") == ()


def test_clear_speech_scores_low_against_another_sentence(spoken_transcript: Transcript) -> None:
    scores = score_words("Where is the nearest train station?", spoken_transcript)

    # No word in common: every word is heard as another one, or not at all.
    assert overall_score(scores) <= 100 * SUBSTITUTION_FACTOR
    assert len(pronunciation_corrections(scores, threshold=0.3, language="en")) >= 3
