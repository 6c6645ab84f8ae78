"""Tokens and sentences: the checker's rules match on words with their character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*|\d+(?:[.,]\d+)*|[^\sA-Za-z\d]")
_SENTENCE_END = frozenset(".!?")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower().replace("\u2019", "'")

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()


@dataclass(frozen=True, slots=True)
class Sentence:
    """Tokens of one sentence; ``word(i)`` is the lower-case token at ``i`` or "" outside the sentence."""

    tokens: tuple[Token, ...]

    def word(self, i: int) -> str:
        if 0 <= i < len(self.tokens):
            return self.tokens[i].lower
        return ""

    def is_boundary(self, i: int) -> bool:
        """True at the sentence edges and at punctuation, where a clause may start or end."""
        return not (0 <= i < len(self.tokens)) or not self.tokens[i].text[0].isalnum()

    @property
    def is_question(self) -> bool:
        return bool(self.tokens) and self.tokens[-1].text == "?"


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    current: list[Token] = []
    for match in _TOKEN.finditer(text):
        current.append(Token(match.group(), match.start(), match.end()))
        if match.group() in _SENTENCE_END:
            sentences.append(Sentence(tuple(current)))
            current = []
    if current:
        sentences.append(Sentence(tuple(current)))
    return sentences
