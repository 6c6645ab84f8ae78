"""What the scripted tutor may say back of the learner's own words.

A learner's sentence may hold mistakes the checker does not find ("I bought a new shoes"), and a
tutor that repeats them teaches them. So the tutor only quotes:

- from the corrected sentence when the checker corrected grammar or vocabulary, and nothing at all
  when a correction came without a corrected sentence;
- short pieces of a few safe shapes: a feeling from a closed list, what the learner likes when it
  is an ``-ing`` form, ``to`` + verb, a plural, a proper name or a common uncountable noun, a
  possession of one noun (or a common adjective and a noun), a place with a proper name;
- and only inside a sentence of its own that the checker then finds nothing wrong with.

An :class:`Echo` also says what the sentence was about, so the tutor can ask a fitting follow-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from framecast.core.text import word_set
from framecast.tutor.brain import Analysis
from framecast.tutor.checking import passes

About = Literal["good", "bad", "liking", "past", "any"]

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?|[,.;:!?]")


_GOOD = word_set("good fine great happy well excited okay glad wonderful excellent amazing alright relaxed")
_BAD = word_set(
    "tired sad sick busy stressed bored hungry sleepy nervous worried exhausted upset lonely angry"
)
_INTENSIFIERS = word_set("so very really a bit little quite pretty too")
_ENDS = word_set("and but because so when if though although or then which who that")
# Nouns used without an article that learners often like: a quoted singular must be one of them.
_UNCOUNTABLE = word_set(
    """coffee tea music pizza soccer football tennis baseball basketball golf volleyball badminton
    chocolate kimchi rice bread sushi ramen bibimbap bulgogi travel art math science history english
    korean jazz rock pop kpop rain snow summer winter spring autumn nature food nature yoga fishing
    shopping dancing singing swimming hiking running cooking reading drawing painting gaming"""
)
_ADJECTIVES = word_set(
    """new old best big small little young younger older oldest youngest favorite favourite first
    last good dear lovely cute own whole"""
)
# Words that make a noun phrase with the noun after them ("Korean food", "spicy noodles").
_MODIFIERS = word_set(
    """korean japanese chinese italian french thai mexican american spicy sweet hot cold fresh
    green black classical action horror street sad funny romantic"""
)
_NOT_GERUNDS = word_set(
    "thing something anything nothing everything morning evening king ring spring string sing bring wing"
)
_NUMBERS = word_set("a an one two three four five six seven eight nine ten")
_STOP = word_set(
    """i me you he she it we they him her us them my your his our their its this that these those
    the a an some any is are was were am be been do does did have has had will would can could
    should may might must to in on at with for from of about by very really too also not just lot
    lots bit thing things one"""
)
_SWAP = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "us": "you",
    "our": "your",
    "ours": "yours",
    "ourselves": "yourselves",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "we're": "you're",
    "we've": "you've",
    "we'd": "you'd",
    "we'll": "you'll",
}
# Time words a recast may keep before the subject: "Yesterday I went" → "yesterday you went".
_LEADING_TIME = word_set("yesterday today tonight recently usually sometimes often always now")
_TIME_PAIRS = frozenset({"last", "this", "next", "every"})


@dataclass(frozen=True)
class Echo:
    text: str
    about: About


def quotable_source(said: str, analysis: Analysis) -> str | None:
    """The text the tutor may quote from: the learner's, or the corrected one after a grammar or
    vocabulary correction, or None when a correction left no corrected sentence."""
    fixed = [c for c in analysis.corrections if c.type != "pronunciation"]
    if not fixed:
        return said
    return analysis.better_expression or None


def echo(said: str, analysis: Analysis, turn: int) -> Echo | None:
    """A sentence acknowledging what the learner said with some of their words, or None."""
    source = quotable_source(said, analysis)
    if source is None:
        return None
    fixes = [c.corrected for c in analysis.corrections if c.type != "pronunciation" and c.corrected.strip()]
    tokens = _tokens(source)
    if fixes:
        recast = _recast(tokens, fixes, turn)
        if recast is not None and passes(recast.text):
            return recast
    for build in (_feeling, _how_it_was, _place, _liking, _having, _possession):
        found = build(tokens, turn)
        if found is not None and passes(found.text):
            return found
    return None


def like_object(words: list[str]) -> str | None:
    """``words`` (what someone likes, as written) as a piece safe to quote, or None."""
    kept = _until_end(words, limit=5)
    if not kept:
        return None
    lower = [w.lower() for w in kept]
    first = lower[0]
    if first.endswith("ing") and len(first) > 4 and first not in _NOT_GERUNDS:
        return " ".join(_swap(kept))
    if first == "to" and len(kept) >= 2 and lower[1] not in _STOP and not lower[1].endswith("ing"):
        return " ".join(_swap(kept))
    if all(w in _STOP for w in lower):
        return None
    if first in ("my", "our", "the") and 2 <= len(kept) <= 3 and all(w not in _STOP for w in lower[1:]):
        return " ".join(_swap(kept))
    if len(kept) == 2 and not (lower[0] in _ADJECTIVES or lower[0] in _MODIFIERS or _proper(kept)):
        return None  # "play soccer": perhaps a verb where "playing" was meant
    countable = lower[-1] in _UNCOUNTABLE or _plural(lower[-1]) or _proper(kept[-1:])
    if len(kept) <= 2 and all(w not in _STOP for w in lower) and countable:
        return " ".join(kept)
    return None


# -- the shapes ---------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return [t.replace("\u2019", "'") for t in _TOKEN.findall(text)]


def _feeling(tokens: list[str], turn: int) -> Echo | None:
    lower = [t.lower() for t in tokens]
    for i, word in enumerate(lower):
        if word == "i'm":
            j = i + 1
        elif word == "i" and i + 1 < len(lower) and lower[i + 1] in ("am", "feel"):
            j = i + 2
        else:
            continue
        while j < len(lower) and lower[j] in _INTENSIFIERS:
            j += 1
        if j < len(lower) and lower[j] in _GOOD:
            return Echo(f"Glad to hear you're {lower[j]}!", "good")
        if j < len(lower) and lower[j] in _BAD:
            return Echo(f"Oh, sorry to hear you're {lower[j]}.", "bad")
        return None
    return None


def _how_it_was(tokens: list[str], turn: int) -> Echo | None:
    """ "My day was great" → "Glad to hear it was great!" (a feeling word from the closed lists)."""
    lower = [t.lower() for t in tokens]
    for i in range(len(lower) - 2):
        if lower[i] in ("day", "it", "today", "weekend", "week", "trip") and lower[i + 1] in ("was", "is"):
            j = i + 2
            while j < len(lower) and lower[j] in _INTENSIFIERS:
                j += 1
            if j < len(lower) and lower[j] in _GOOD:
                return Echo(f"Glad to hear it was {lower[j]}!", "good")
            if j < len(lower) and lower[j] in _BAD:
                return Echo("Oh no, sorry to hear that.", "bad")
    return None


def _having(tokens: list[str], turn: int) -> Echo | None:
    """ "I have two cats" → "Oh, you have two cats, lovely!" when the number and the noun agree."""
    lower = [t.lower() for t in tokens]
    for i in range(len(lower) - 3):
        if lower[i] not in ("i", "we") or lower[i + 1] not in ("have", "got"):
            continue
        count, noun = lower[i + 2], lower[i + 3]
        if not noun.isalpha() or noun in _STOP or (i + 4 < len(lower) and lower[i + 4].isalpha()):
            return None  # "I have two cat food": more than a number and a noun
        many = count in _NUMBERS and count not in ("a", "an", "one")
        if count in _NUMBERS and many == _plural(noun):
            return Echo(f"Oh, you have {count} {tokens[i + 3]}, lovely!", "any")
        return None
    return None


def _recast(tokens: list[str], fixes: list[str], turn: int) -> Echo | None:
    """The clause of the corrected sentence that holds a correction, said back with "you" ("Oh,
    so you went to Busan!"), so that the learner hears the corrected form in the conversation."""
    start = 0
    while start < len(tokens):
        end = start
        while (
            end < len(tokens)
            and tokens[end] not in ",.;:!?"
            and (end == start or tokens[end].lower() not in _ENDS)
        ):
            end += 1
        clause = tokens[start:end]
        text = " ".join(clause)
        if any(fix.lower() in text.lower() for fix in fixes):
            return _said_back(clause, turn)
        start = end + 1 if end < len(tokens) and tokens[end] in ",.;:!?" else end
        if start < len(tokens) and tokens[start].lower() in _ENDS:
            start += 1
    return None


def _said_back(clause: list[str], turn: int) -> Echo | None:
    lower = [w.lower() for w in clause]
    start = 0
    if lower and lower[0] in _LEADING_TIME:
        start = 1
    elif len(lower) > 1 and lower[0] in _TIME_PAIRS:
        start = 2
    if start >= len(lower) or lower[start] not in ("i", "we", "i'm", "we're", "i've", "we've"):
        return None
    body = clause[start : start + 8]
    if len(body) < 2:
        return None
    swapped = _swap(body, subject=True)
    lead = [w.lower() if i == 0 else w for i, w in enumerate(clause[:start])]
    text = " ".join([*lead, *swapped])
    templates = ("Oh, so {}!", "Ah, {}, nice!", "Right, so {}.")
    return Echo(templates[turn % len(templates)].format(text), "past" if _past(swapped) else "any")


def _place(tokens: list[str], turn: int) -> Echo | None:
    """ "I went to Jeju" → "Oh, you went to Jeju, lovely!" (a proper name only)."""
    lower = [t.lower() for t in tokens]
    for i in range(len(lower) - 3):
        if lower[i] in ("i", "we") and lower[i + 1] in ("went", "visited", "traveled", "travelled"):
            j = i + 2 + (lower[i + 2] == "to")
            name: list[str] = []
            while j < len(tokens) and tokens[j][:1].isupper() and tokens[j].isalpha() and len(name) < 3:
                name.append(tokens[j])
                j += 1
            if name:
                verb = "went to" if lower[i + 1] == "went" else lower[i + 1]
                return Echo(f"Oh, you {verb} {' '.join(name)}, lovely!", "past")
    return None


def _liking(tokens: list[str], turn: int) -> Echo | None:
    lower = [t.lower() for t in tokens]
    for i, word in enumerate(lower):
        if word != "i":
            continue
        j = i + 1
        while j < len(lower) and lower[j] in ("really", "also", "just", "do", "still"):
            j += 1
        if j < len(lower) and lower[j] in ("like", "love", "enjoy", "prefer"):
            thing = like_object(tokens[j + 1 :])
            if thing is None:
                return None
            templates = ("You {} {}? That's great!", "Oh, you {} {}, nice!", "So you {} {}, I like that!")
            return Echo(templates[turn % len(templates)].format(lower[j], thing), "liking")
    return None


def _possession(tokens: list[str], turn: int) -> Echo | None:
    lower = [t.lower() for t in tokens]
    for i, word in enumerate(lower):
        if word not in ("my", "our"):
            continue
        body = lower[i + 1 : i + 3]
        if not body or body[0] in _STOP or not body[0].isalpha():
            continue
        if len(body) == 2 and body[0] in _ADJECTIVES and body[1].isalpha() and body[1] not in _STOP:
            phrase = " ".join(tokens[i + 1 : i + 3])
        elif len(body) < 2 or body[1] in _STOP or not body[1].isalpha() or body[1] in _ENDS:
            phrase = tokens[i + 1]
        else:
            continue  # "my friend house": two nouns, one of them perhaps wrong
        templates = ("Oh, your {}, how nice!", "Thanks for telling me about your {}.", "Your {} sounds nice!")
        return Echo(templates[turn % len(templates)].format(phrase), "any")
    return None


# -- helpers ------------------------------------------------------------------------------------


def _until_end(words: list[str], *, limit: int) -> list[str]:
    kept: list[str] = []
    for word in words:
        if word in ",.;:!?" or word.lower() in _ENDS or len(kept) == limit:
            break
        kept.append(word)
    return kept


def _swap(words: list[str], *, subject: bool = False) -> list[str]:
    """My → your, me → you, and after a first-person subject am → are, was → were."""
    swapped: list[str] = []
    for i, word in enumerate(words):
        lower = word.lower()
        if subject and i == 1 and lower in ("am", "was"):
            swapped.append("are" if lower == "am" else "were")
        else:
            swapped.append(_SWAP.get(lower, word))
    return swapped


def _proper(words: list[str]) -> bool:
    """Whether every word is capitalised (a name: "New York", "BTS"), the pronoun I aside."""
    return bool(words) and all(w[:1].isupper() and w != "I" for w in words)


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _past(words: list[str]) -> bool:
    return len(words) > 1 and (words[1].endswith("ed") or words[1] in ("went", "were", "had", "saw", "ate"))
