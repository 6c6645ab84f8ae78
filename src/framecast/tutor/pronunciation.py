"""Per-word pronunciation scores, and the corrections and notes they give the learner.

Two ways to score, one shape (:class:`WordScore`):

- **Against the phrase, from the grammar** (``tutor/phrase_scoring.py``): the recogniser hears the
  recording against the words the learner meant to say, each competing with its sound-alikes. This
  is how practice attempts, repetitions of the tutor's phrase and (with a strict calibration) other
  spoken turns are scored offline. This module gives it its tokens (:func:`spoken_tokens`).
- **Against a transcript** (:func:`score_words`, the previous method, kept for recognisers that
  only transcribe and as the bench's comparison): the reference and the words pocketsphinx's
  language model heard are normalised to tokens — lower case, no punctuation, contractions
  expanded (``can't`` → ``can not``), numbers spelled out (``20`` → ``twenty``), British spellings
  and common homophones folded (``colour`` = ``color``, ``two`` = ``to``), since none of these is
  a pronunciation error — and aligned by a word-level edit distance. A reference word then scores
  ``MATCH_FLOOR + (1 - MATCH_FLOOR) x confidence`` heard as itself (1.0 without a confidence),
  ``SUBSTITUTION_FACTOR x`` the confidence heard as another word, and 0.0 not heard at all; extra
  heard words are ignored, and a word of several tokens scores their mean. Its weakness, measured
  by ``bench/practice_scoring.py``: the language model "fixes" a learner's mistakes (*late* said
  as *rate* comes back *late*) and mishears correct synthetic speech, so it flags the wrong words.

Why the floor of the transcript method: pocketsphinx's word confidences are spread almost evenly
over 0..1 for words heard as themselves (median 0.46; a lattice posterior is split between nodes of
the same word at nearby times), while words heard wrongly carry a median of 0.13; with the floor a
word heard as itself scores at least 0.5 and any threshold between 0.25 and 0.5 flags exactly the
words heard wrongly or not at all.

A word is flagged (:func:`pronunciation_corrections`) when it scores under the threshold
(``DEFAULT_THRESHOLD``, the setting ``tutor.pronunciation_threshold``) and is not a function word.
The learner is told what was heard ("you said *rate*", "this word was not heard") in English or
Korean, with a tip for the sounds Korean speakers find hard (th, f/v, l/r, the vowels of *ship* and
*sheep*, z) when the grammar heard one of them swapped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from framecast.providers.base import Transcript
from framecast.tutor.brain import Language
from framecast.tutor.corrections import Correction, Severity
from framecast.tutor.korean import with_particle

# A word heard as itself scores at least this: pocketsphinx's confidences say little (see above).
MATCH_FLOOR: Final = 0.5
# A word heard as a different word keeps a little credit: the recogniser may simply be wrong.
SUBSTITUTION_FACTOR: Final = 0.25
# Flag a word when its score is below this: above every substituted (<= 0.25) or missing (0.0)
# word, below every word heard as itself (>= MATCH_FLOOR).
DEFAULT_THRESHOLD: Final = 0.3

# Short function words are scored (they count in the overall score) but never become corrections:
# pocketsphinx drops or swaps them even in clear speech, and "say 'the' again" helps nobody.
FUNCTION_WORDS: Final = frozenset(
    {
        *("a", "an", "the", "to", "of", "and", "or", "but", "in", "on", "at", "by", "for", "as"),
        *("is", "am", "are", "was", "be", "do", "so", "if", "not", "no"),
        *("i", "you", "he", "she", "it", "we", "they", "me", "him", "us", "them"),
        *("my", "your", "his", "her", "its", "our", "their"),
    }
)

_CONTRACTIONS: Final = {
    "can't": "can not",
    "cannot": "can not",
    "won't": "will not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
    "i'm": "i am",
    "it's": "it is",
    "that's": "that is",
    "what's": "what is",
    "there's": "there is",
    "here's": "here is",
    "where's": "where is",
    "who's": "who is",
    "how's": "how is",
    "he's": "he is",
    "she's": "she is",
}
_SUFFIXES: Final = (("n't", " not"), ("'ll", " will"), ("'re", " are"), ("'ve", " have"), ("'d", " would"))
# British spellings the US dictionary of pocketsphinx spells the American way.
_SPELLINGS: Final = {
    "colour": "color",
    "colours": "colors",
    "favourite": "favorite",
    "favourites": "favorites",
    "flavour": "flavor",
    "honour": "honor",
    "humour": "humor",
    "labour": "labor",
    "neighbour": "neighbor",
    "neighbours": "neighbors",
    "behaviour": "behavior",
    "harbour": "harbor",
    "centre": "center",
    "theatre": "theater",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "grey": "gray",
    "travelling": "traveling",
    "travelled": "traveled",
    "cancelled": "canceled",
    "realise": "realize",
    "organise": "organize",
    "recognise": "recognize",
    "apologise": "apologize",
    "programme": "program",
    "jewellery": "jewelry",
    "mum": "mom",
    "ok": "okay",
}
# Words that sound alike: the recogniser cannot tell them apart, so neither can the score.
_HOMOPHONE_GROUPS: Final = (
    ("to", "too", "two"),
    ("for", "four"),
    ("there", "their"),
    ("by", "buy", "bye"),
    ("know", "no"),
    ("right", "write"),
    ("here", "hear"),
    ("meet", "meat"),
    ("see", "sea"),
    ("week", "weak"),
    ("one", "won"),
    ("eight", "ate"),
    ("our", "hour"),
    ("i", "eye"),
    ("be", "bee"),
    ("would", "wood"),
    ("new", "knew"),
    ("son", "sun"),
    ("where", "wear"),
    ("weather", "whether"),
    ("piece", "peace"),
    ("flour", "flower"),
    ("whole", "hole"),
    ("wait", "weight"),
    ("blue", "blew"),
)
_HOMOPHONES: Final = {word: group[0] for group in _HOMOPHONE_GROUPS for word in group}

_ONES: Final = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
    *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
    *("eighteen", "nineteen"),
)
_TENS: Final = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_PIECE: Final = re.compile(r"[a-z0-9']+")
# ASCII punctuation, guillemets, curly quotes, en and em dashes, the ellipsis.
_PUNCTUATION: Final = ".,!?;:\"()[]{}'-\u00ab\u00bb\u201c\u201d\u2018\u2013\u2014\u2026"


@dataclass(frozen=True)
class WordScore:
    word: str  # the reference word as written, without surrounding punctuation
    score: float  # 0..1
    heard: str | None  # what the recogniser heard in its place; None when nothing
    # The (meant, said) sounds, ARPAbet, when the grammar heard a Korean-learner swap (th said as t).
    sound: Sequence[str] | None = None

    def to_json(self) -> dict[str, Any]:
        """As stored on a message or an attempt: ``{word, score (3 decimals), heard, sound}``."""
        return {
            "word": self.word,
            "score": round(self.score, 3),
            "heard": self.heard,
            "sound": list(self.sound) if self.sound else None,
        }


def spoken_tokens(word: str) -> list[str]:
    """The dictionary words one written word is said as, for the phrase grammar: lower case,
    accents and punctuation dropped, hyphenated words split, numbers spelled out, British
    spellings made American; contractions are kept (``i'm``: the dictionary says them as one word)
    and homophones are not folded (the grammar hears sounds, not spellings)."""
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", word.lower().replace("\u2019", "'"))
        if not unicodedata.combining(ch)
    )
    tokens: list[str] = []
    for piece in _PIECE.findall(text):
        piece = piece.strip("'")
        if not piece:
            continue
        if piece.isdigit():
            tokens.extend(_number_words(int(piece)) if len(piece) <= 6 else [_ONES[int(d)] for d in piece])
            continue
        tokens.append(_SPELLINGS.get(piece, piece))
    return tokens


def normal_tokens(text: str) -> list[str]:
    """The words of ``text`` as :func:`score_words` compares them (contractions expanded, numbers
    spelled out, spellings and homophones folded)."""
    return [token for word in text.split() for token in _tokens(strip_word(word))]


def strip_word(token: str) -> str:
    """A written word without the punctuation around it (``"Hello,"`` → ``Hello``)."""
    return token.replace("\u2019", "'").strip(_PUNCTUATION)


def score_words(reference: str, heard: Transcript) -> tuple[WordScore, ...]:
    """One score per word of ``reference`` (words that are only punctuation are left out).

    The heard words are ``heard.words``; a transcript without word timings falls back to
    ``heard.text`` with no confidences (every match then scores 1.0).
    """
    ref_words = [word for word in (strip_word(token) for token in reference.split()) if _tokens(word)]
    heard_items: list[tuple[str, float | None]] = (
        [(w.word, w.confidence) for w in heard.words]
        if heard.words
        else [(token, None) for token in heard.text.split()]
    )
    ref_tokens: list[tuple[int, str]] = [
        (index, token) for index, word in enumerate(ref_words) for token in _tokens(word)
    ]
    hyp_tokens: list[tuple[int, str]] = [
        (index, token) for index, (word, _) in enumerate(heard_items) for token in _tokens(word)
    ]
    pairs = _align([t for _, t in ref_tokens], [t for _, t in hyp_tokens])

    token_scores: list[list[float]] = [[] for _ in ref_words]
    token_heard: list[list[int]] = [[] for _ in ref_words]
    matched: list[bool] = [True for _ in ref_words]
    for ref_at, hyp_at in pairs:
        word_index = ref_tokens[ref_at][0]
        if hyp_at is None:
            token_scores[word_index].append(0.0)
            matched[word_index] = False
            continue
        heard_index = hyp_tokens[hyp_at][0]
        confidence = heard_items[heard_index][1]
        confidence = 1.0 if confidence is None else min(1.0, max(0.0, confidence))
        if ref_tokens[ref_at][1] == hyp_tokens[hyp_at][1]:
            token_scores[word_index].append(MATCH_FLOOR + (1.0 - MATCH_FLOOR) * confidence)
        else:
            token_scores[word_index].append(SUBSTITUTION_FACTOR * confidence)
            matched[word_index] = False
        if heard_index not in token_heard[word_index]:
            token_heard[word_index].append(heard_index)

    scores: list[WordScore] = []
    for index, word in enumerate(ref_words):
        values = token_scores[index]
        heard_text = " ".join(heard_items[i][0] for i in token_heard[index]) or None
        if matched[index] and heard_text is not None:
            heard_text = word  # heard as itself (perhaps spelled differently): say so in its own words
        scores.append(WordScore(word=word, score=sum(values) / len(values), heard=heard_text))
    return tuple(scores)


def overall_score(scores: Iterable[WordScore]) -> float:
    """The mean word score on a 0..100 scale; 0 when there are no words."""
    values = [score.score for score in scores]
    return 100.0 * sum(values) / len(values) if values else 0.0


def is_flagged(item: WordScore, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether ``item`` deserves a correction: it scored below ``threshold`` and is no function word."""
    return item.score < threshold and item.word.lower() not in FUNCTION_WORDS


def pronunciation_corrections(
    scores: Iterable[WordScore], *, threshold: float = DEFAULT_THRESHOLD, language: Language = "en"
) -> tuple[Correction, ...]:
    """One ``pronunciation`` correction per word scoring below ``threshold``, in word order.

    Words in ``FUNCTION_WORDS`` are never flagged, and a word is flagged once however often it
    occurs. Severity: ``high`` when the word was not heard at all or scored under a third of the
    threshold, ``medium`` under two thirds of it, ``low`` otherwise (heard, but unclear).
    """
    corrections: list[Correction] = []
    seen: set[str] = set()
    for item in scores:
        key = item.word.lower()
        if not is_flagged(item, threshold) or key in seen:
            continue
        seen.add(key)
        corrections.append(
            Correction(
                type="pronunciation",
                original=item.word,
                corrected=item.word,
                explanation=_explain(item, language),
                severity=_severity(item, threshold),
            )
        )
    return tuple(corrections)


def _severity(item: WordScore, threshold: float) -> Severity:
    if item.heard is None or item.score < threshold / 3:
        return "high"
    if item.score < 2 * threshold / 3:
        return "medium"
    return "low"


def said_note(item: WordScore, language: Language = "en") -> str:
    """What was heard of a flagged word, in a few words: ``you said "rate"`` / ``this word was not
    heard`` (or, heard as itself but unclearly, ``not clear``)."""
    heard = item.heard
    if language == "ko":
        if heard is None:
            return "이 단어가 들리지 않았어요"
        if _tokens(heard) != _tokens(item.word):
            return f'"{heard}"처럼 들렸어요'
        return "발음이 분명하지 않았어요"
    if heard is None:
        return "this word was not heard"
    if _tokens(heard) != _tokens(item.word):
        return f'you said "{heard}"'
    return "not clear"


def _explain(item: WordScore, language: Language) -> str:
    word, heard = item.word, item.heard
    tip = _tip(item.sound, language)
    if language == "ko":
        if heard is None:
            return f'"{word}" 단어가 들리지 않았어요. 또박또박 다시 말해 보세요.'
        if _tokens(heard) != _tokens(word):
            meant = with_particle(f'"{word}"', "을/를")
            return f'{meant} "{heard}"처럼 발음했어요. {tip or "천천히 다시 발음해 보세요."}'
        return f'"{word}" 단어의 발음이 분명하지 않았어요. 천천히 다시 발음해 보세요.'
    if heard is None:
        return f'"{word}" was not heard. Say it again, clearly.'
    if _tokens(heard) != _tokens(word):
        return f'You said "{heard}" for "{word}". {tip or "Try saying it again slowly."}'
    return f'"{word}" was not clear. Try saying it again slowly.'


# How to make the sounds Korean speakers swap (by the sound meant), in English and Korean.
_TIPS: Final[dict[str, tuple[str, str]]] = {
    "TH": (
        'For "th", put the tip of your tongue between your teeth and blow.',
        '"th"는 혀끝을 윗니와 아랫니 사이에 살짝 넣고 바람을 내보내며 발음하세요.',
    ),
    "F": (
        'For "f", touch your lower lip with your upper teeth and blow.',
        '"f"는 윗니로 아랫입술을 가볍게 물고 바람을 내보내며 발음하세요.',
    ),
    "V": (
        'For "v", touch your lower lip with your upper teeth and use your voice.',
        '"v"는 윗니로 아랫입술을 가볍게 물고 목을 울리며 발음하세요.',
    ),
    "L": (
        'For "l", press the tip of your tongue behind your upper teeth.',
        '"l"은 혀끝을 윗니 뒤 잇몸에 붙이고 발음하세요.',
    ),
    "R": (
        'For "r", curl your tongue back without touching the roof of your mouth.',
        '"r"은 혀끝이 입천장에 닿지 않게 뒤로 말아 발음하세요.',
    ),
    "IH": (
        'This "i" is short and relaxed, as in "sit".',
        '이 "i"는 "sit"처럼 짧고 힘을 빼서 발음하세요.',
    ),
    "IY": (
        'This vowel is long and tense, as in "see".',
        '이 모음은 "see"처럼 길고 또렷하게 발음하세요.',
    ),
    "Z": (
        'For "z", make a buzzing "s" with your voice, as in "zoo".',
        '"z"는 "zoo"처럼 목을 울리며 벌 소리를 내듯 발음하세요.',
    ),
}
_TIPS["DH"] = (
    'For this "th", put the tip of your tongue between your teeth and use your voice.',
    '이 "th"는 혀끝을 윗니와 아랫니 사이에 살짝 넣고 목을 울리며 발음하세요.',
)


def _tip(sound: Sequence[str] | None, language: Language) -> str | None:
    if not sound:
        return None
    tips = _TIPS.get(str(sound[0]))
    if tips is None:
        return None
    return tips[1] if language == "ko" else tips[0]


def _tokens(word: str) -> list[str]:
    """The normalised tokens of one written word (several for a contraction, a number or a
    hyphenated word; none for punctuation)."""
    text = word.lower().replace("\u2019", "'")
    tokens: list[str] = []
    for piece in _PIECE.findall(text):
        piece = piece.strip("'")
        if not piece:
            continue
        if piece.isdigit():
            tokens.extend(_number_words(int(piece)) if len(piece) <= 6 else list(piece))
            continue
        expanded = _CONTRACTIONS.get(piece)
        if expanded is None:
            for suffix, replacement in _SUFFIXES:
                if piece.endswith(suffix) and len(piece) > len(suffix):
                    expanded = piece[: -len(suffix)] + replacement
                    break
        for part in (expanded or piece).split():
            part = _SPELLINGS.get(part, part)
            tokens.append(_HOMOPHONES.get(part, part))
    return tokens


def _number_words(number: int) -> list[str]:
    """``number`` (0..999999) spelled out: 2024 → two thousand twenty four (years read as
    "twenty twenty four" are not recognised)."""
    if number < 20:
        return [_ONES[number]]
    if number < 100:
        tens, ones = divmod(number, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return [_ONES[hundreds], "hundred"] + (_number_words(rest) if rest else [])
    thousands, rest = divmod(number, 1000)
    return [*_number_words(thousands), "thousand"] + (_number_words(rest) if rest else [])


def _align(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[int, int | None]]:
    """For each reference token, the hypothesis token aligned to it (None for a deletion), by a
    Levenshtein alignment that prefers matches, then substitutions, over insertions/deletions."""
    rows, cols = len(ref) + 1, len(hyp) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            diagonal = cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1])
            cost[i][j] = min(diagonal, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: list[tuple[int, int | None]] = []
    i, j = len(ref), len(hyp)
    while i > 0:
        if j > 0 and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            j -= 1  # an extra heard token: ignored
    pairs.reverse()
    return pairs
