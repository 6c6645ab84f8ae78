"""Subject-verb agreement: "he go" → "he goes", "she don't" → "she doesn't", "they is" → "they are"."""

from __future__ import annotations

from framecast.tutor.checker.finding import Finding, span
from framecast.tutor.checker.lexicon import AUXILIARIES, BY_THIRD, SUBJECTS_3SG, VERBS
from framecast.tutor.checker.tokens import Sentence

_BE = {
    ("i", "is"): "am",
    ("i", "are"): "am",
    ("he", "are"): "is",
    ("she", "are"): "is",
    ("it", "are"): "is",
    ("he", "am"): "is",
    ("she", "am"): "is",
    ("you", "is"): "are",
    ("we", "is"): "are",
    ("they", "is"): "are",
    ("we", "was"): "were",
    ("they", "was"): "were",
    ("you", "was"): "were",
    ("he", "don't"): "doesn't",
    ("she", "don't"): "doesn't",
    ("it", "don't"): "doesn't",
    ("i", "doesn't"): "don't",
    ("you", "doesn't"): "don't",
    ("we", "doesn't"): "don't",
    ("they", "doesn't"): "don't",
}
_EN = "The verb must agree with the subject '{s}': use '{v}'."
_KO = "주어 '{s}'에 맞게 동사를 '{v}'(으)로 써야 합니다."


def _starts_clause(sentence: Sentence, i: int) -> bool:
    return sentence.is_boundary(i - 1) or sentence.word(i - 1) in {"and", "but", "because", "so", "when"}


def find(sentence: Sentence) -> list[Finding]:
    found: list[Finding] = []
    for i, token in enumerate(sentence.tokens):
        subject, word = token.lower, sentence.word(i + 1)
        if sentence.word(i - 1) in AUXILIARIES - {"and", "or", "if", "that"}:
            continue
        if subject == "it" and not _starts_clause(sentence, i):
            continue  # "make it work": here "it" is an object
        fix: str | None = _BE.get((subject, word))
        if fix is None and subject in SUBJECTS_3SG and word in VERBS:
            fix = VERBS[word].third
        if fix is None and subject in {"i", "you", "we", "they"} and word in BY_THIRD:
            fix = BY_THIRD[word].base
        if fix is not None:
            found.append(
                span(
                    sentence,
                    i + 1,
                    i + 1,
                    fix,
                    _EN.format(s=token.text, v=fix),
                    _KO.format(s=token.text, v=fix),
                )
            )
    return found
