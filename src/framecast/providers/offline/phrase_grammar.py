"""Hearing a recording against the phrase it should hold: a grammar of the phrase and its sound-alikes.

The recogniser's language model "fixes" a learner's mistakes (it prefers *I'll be late* however
*late* was said), so a practice attempt is decoded with a grammar of the expected words instead, in
which every scored word may be itself, one of its sound-alikes (``sound_alikes.py``), or nothing,
and every unscored word (a function word) itself or nothing::

    public <phrase> = <w0> <w1> <w2> <w3> <w4> <w5> ;
    <w0> = i'll | nothing~ ;
    <w2> = late | rate | lake | lay | ... | nothing~ ;

(``nothing~`` is a word made of one silence phone: the place skipped.) Whichever path wins says what
was heard in each place. How sure that is, is the word's **margin**: the score of the best path with
the word itself in its place, minus that of the best path with anything else there (a sound-alike or
nothing), per 10 ms frame of the word. Positive: the word itself fits the sound better; negative: a
sound-alike or the skip does. Each scored word costs one more decode of the recording.

Two things make the scores of different decodes comparable, which pocketsphinx does not promise:

- the decoder scores every senone in every frame (``compallsen``) and keeps the Viterbi path
  (``bestpath`` off): otherwise each frame is normalised by the best senone *the grammar made
  active*, and the lattice pass rescores the path, so two grammars' scores differ by more than the
  words they differ in;
- the three grammars of a margin (free, the word held to itself, the word held to anything else)
  give each place the same number of choices (a held place repeats its choices to fill them), so
  each path pays the same grammar weights.

What is left is the beams' pruning: about 10 units (of base 1.0001, after pocketsphinx's 10-bit
senone shift) against margins of hundreds. Words the dictionary lacks (names such as *Minji*) match
any run of phones and are never scored. Everything here is blocking and runs in the recogniser's
worker process, on a decoder of its own (:func:`grammar_decoder`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import cycle, islice
from typing import TYPE_CHECKING, Final

from framecast.providers.offline.phone_goodness import PhoneGoodness, phone_goodness
from framecast.providers.offline.sound_alikes import CONSONANTS, VOWELS, Lexicon, SoundAlike, sound_alikes

if TYPE_CHECKING:
    from pocketsphinx import Decoder  # type: ignore[import-untyped]

FRAMES_PER_SECOND: Final = 100
# Dictionary neighbours that compete with a scored word (besides its Korean-learner variants). Each
# one more is one more chance that a word espeak-ng (or a learner) says almost alike wins over a
# correct reading by a few units: on 22 correct readings of the first tuning phrases, 6 neighbours
# (flag margin -3) flagged 12 of 74 content words and 3 (flag margin -7) none, while the swapped
# words, mostly Korean-learner variants, were found as often.
DEFAULT_NEIGHBOURS: Final = 3
# The word that fills a skipped place: one silence phone.
NOTHING: Final = "nothing~"
_SEARCH: Final = "framecast_phrase"
# Pseudo-words, one per phone, that spell out a word the dictionary lacks.
_PHONE_WORD: Final = "phone~"
# Segments that fill no place: silence, noise, the sentence bounds and null transitions "(NULL)".
_FILLERS: Final = ("<", "[", "+", "(")
# Names in the Tutor's phrases that the US dictionary lacks, as a Korean says them.
EXTRA_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "minji": ("M IH N JH IY",),
    "jisoo": ("JH IY S UW",),
    "busan": ("B UW S AA N",),
}


def grammar_decoder(sample_rate: int) -> Decoder:
    """A decoder for :class:`PhraseListener`: the bundled acoustic model and dictionary, no language
    model (about 30 MB), every senone scored, Viterbi paths (see the module docstring)."""
    from pocketsphinx import Decoder

    return Decoder(samprate=sample_rate, lm=None, compallsen=True, bestpath=False, loglevel="FATAL")


@dataclass(frozen=True)
class ExpectedWord:
    """A word of the phrase, as the dictionary spells it (lower case).

    ``scored``: it competes with its sound-alikes and gets a margin; otherwise (a function word) it
    may only be itself or nothing.
    """

    text: str
    scored: bool = True


@dataclass(frozen=True)
class HeardWord:
    """What was heard in the place of one expected word.

    ``heard`` is the spelling of what won there (the word itself, a sound-alike), or None when
    nothing did (the word was not heard); ``margin`` is the word's margin (see the module
    docstring), None for an unscored word; ``change`` the (meant, said) sounds when a
    Korean-learner variant won; ``start``/``end`` in seconds (both 0.0 when nothing was heard);
    ``phones`` the word's own phones force-aligned with their goodness (``phone_goodness.py``),
    when asked for and the word could be aligned, else empty.
    """

    word: str
    heard: str | None
    margin: float | None
    change: tuple[str, str] | None = None
    start: float = 0.0
    end: float = 0.0
    phones: tuple[PhoneGoodness, ...] = ()


@dataclass(frozen=True)
class _Place:
    word: str
    scored: bool
    alikes: tuple[SoundAlike, ...]
    spell_out: bool = False  # a word the dictionary lacks: any run of phones

    @property
    def choices(self) -> tuple[str, ...]:
        if self.spell_out:
            return ()
        return (self.word, *(alike.name for alike in self.alikes), NOTHING)

    def held(self, itself: bool) -> tuple[str, ...]:
        """The choices of this place held to the word itself, or to anything else, repeated to as
        many as it has when free."""
        kept = self.choices[:1] if itself else self.choices[1:]
        return tuple(islice(cycle(kept), len(self.choices)))

    def alike(self, name: str | None) -> SoundAlike | None:
        return next((alike for alike in self.alikes if alike.name == name), None)


@dataclass(frozen=True)
class _Path:
    """One decode: what filled each place (None: nothing, or spelled-out phones) and its frames."""

    names: tuple[str | None, ...]
    frames: tuple[tuple[int, int] | None, ...]
    score: int  # the path's score, base 1.0001


class PhraseListener:
    """Decodes recordings against phrases with one pocketsphinx decoder (not thread-safe), made
    by :func:`grammar_decoder`; ``frequency`` ranks dictionary neighbours (higher: more common).

    Sound-alikes the dictionary lacks are added to the decoder's dictionary the first time a word
    needs them: it grows with the vocabulary of the phrases heard, by a few entries per word.
    """

    def __init__(
        self,
        decoder: Decoder,
        lexicon: Lexicon,
        *,
        frequency: Callable[[str], float],
        neighbours: int = DEFAULT_NEIGHBOURS,
    ) -> None:
        self.decoder = decoder
        self.lexicon = lexicon
        self.neighbours = neighbours
        self._frequency = frequency
        self._alikes: dict[str, tuple[SoundAlike, ...]] = {}
        self._added = 0
        self._teach(NOTHING, ("SIL",))
        for word, pronunciations in EXTRA_WORDS.items():
            for phones in pronunciations:
                self._teach(word, phones.split())
        for phone in sorted(VOWELS | CONSONANTS):
            self._teach(_PHONE_WORD + phone.lower(), (phone,))

    @property
    def added_words(self) -> int:
        """Pronunciations taught to the decoder so far."""
        return self._added

    def alikes(self, word: str) -> tuple[SoundAlike, ...]:
        """The competitors of ``word`` (cached); the decoder is taught the variants among them."""
        found = self._alikes.get(word)
        if found is None:
            found = sound_alikes(word, self.lexicon, frequency=self._frequency, neighbours=self.neighbours)
            for alike in found:
                if alike.is_variant:
                    self._teach(alike.name, alike.phones)
            self._alikes[word] = found
        return found

    def listen(
        self,
        pcm: bytes,
        words: Sequence[ExpectedWord],
        *,
        every_margin: bool = True,
        goodness: bool = False,
    ) -> tuple[HeardWord, ...]:
        """What was heard of each of ``words`` in mono 16-bit ``pcm`` at the decoder's rate.

        Without ``every_margin`` only the words a rival won get a margin (one decode each): a word
        heard as itself gets ``inf``, which saves a decode per such word. With ``goodness``, each
        scored word also gets its phones' goodness (``phone_goodness.py``: two decodes more).

        Raises ``ValueError`` for an empty phrase.
        """
        if not words:
            raise ValueError("the phrase has no words")
        places = [self._place(word) for word in words]
        free = self._decode(pcm, places, None)
        aligned: Sequence[tuple[PhoneGoodness, ...]] = ()
        if goodness and free is not None:
            aligned = phone_goodness(self.decoder, pcm, [place.word for place in places])
        heard: list[HeardWord] = []
        for index, place in enumerate(places):
            if free is None:  # audio too short to hold the phrase's path
                heard.append(HeardWord(place.word, None, float("-inf") if place.scored else None))
                continue
            chosen = free.names[index]
            margin: float | None = None
            span = free.frames[index]
            if place.scored and chosen == place.word and not every_margin:
                margin = float("inf")
            elif place.scored:
                ours: _Path | None = free
                rival: _Path | None = free
                if chosen == place.word:
                    rival = self._decode(pcm, places, (index, False))
                else:
                    ours = self._decode(pcm, places, (index, True))
                margin = _margin(ours, rival, index)
            alike = place.alike(chosen)
            if place.spell_out:
                said: str | None = place.word if span else None
            elif chosen in (None, NOTHING):
                said, span = None, None
            else:
                said = alike.spelling if alike else place.word
            heard.append(
                HeardWord(
                    word=place.word,
                    heard=said,
                    margin=margin,
                    change=alike.change if alike else None,
                    start=span[0] / FRAMES_PER_SECOND if span else 0.0,
                    end=(span[1] + 1) / FRAMES_PER_SECOND if span else 0.0,
                    phones=aligned[index] if aligned and place.scored else (),
                )
            )
        return tuple(heard)

    # -- the grammar ----------------------------------------------------------------------------

    def _teach(self, name: str, phones: Sequence[str]) -> None:
        if self.decoder.lookup_word(name) is None:
            # update=False: only grammar searches made from now on need the word, and updating
            # rebuilds the active search (0.1 s a word).
            self.decoder.add_word(name, " ".join(phones), False)
            self._added += 1

    def _place(self, word: ExpectedWord) -> _Place:
        if self.decoder.lookup_word(word.text) is None:
            return _Place(word.text, scored=False, alikes=(), spell_out=True)
        if not word.scored:
            return _Place(word.text, scored=False, alikes=())
        return _Place(word.text, scored=True, alikes=self.alikes(word.text))

    def _decode(self, pcm: bytes, places: Sequence[_Place], held: tuple[int, bool] | None) -> _Path | None:
        """The best path, with place ``held[0]`` held to the word itself (``held[1]``) or to
        anything else; None when no path reaches the end of the recording."""
        self.decoder.add_jsgf_string(_SEARCH, _jsgf(places, held))
        self.decoder.activate_search(_SEARCH)
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hypothesis = self.decoder.hyp()
        if hypothesis is None or hypothesis.score <= 0:
            return None
        said = [
            (segment.word.split("(", 1)[0], segment.start_frame, segment.end_frame)
            for segment in self.decoder.seg() or ()
            if not segment.word.startswith(_FILLERS)
        ]
        names, frames = _fill(said, places)
        return _Path(names, frames, int(self.decoder.logmath.log(hypothesis.score)))


def _margin(ours: _Path | None, rival: _Path | None, index: int) -> float:
    if ours is None:
        return float("-inf")
    if rival is None:
        return float("inf")
    span = ours.frames[index]
    frames = span[1] - span[0] + 1 if span else 1
    return (ours.score - rival.score) / frames


def _jsgf(places: Sequence[_Place], held: tuple[int, bool] | None) -> str:
    phones = " | ".join(_PHONE_WORD + phone.lower() for phone in sorted(VOWELS | CONSONANTS))
    rules: list[str] = []
    for index, place in enumerate(places):
        if place.spell_out:
            rules.append(f"<w{index}> = ( {phones} )+ ;")
            continue
        choices = place.held(held[1]) if held is not None and held[0] == index else place.choices
        rules.append(f"<w{index}> = {' | '.join(choices)} ;")
    body = " ".join(f"<w{index}>" for index in range(len(places)))
    return f"#JSGF V1.0;\ngrammar phrase;\npublic <phrase> = {body} ;\n" + "\n".join(rules) + "\n"


def _fill(
    said: Sequence[tuple[str, int, int]], places: Sequence[_Place]
) -> tuple[tuple[str | None, ...], tuple[tuple[int, int] | None, ...]]:
    """Which word filled each place: the grammar puts exactly one word in each place, in order, but
    a run of phone pseudo-words in a spelled-out one."""
    names: list[str | None] = []
    frames: list[tuple[int, int] | None] = []
    at = 0
    for place in places:
        if place.spell_out:
            first = at
            while at < len(said) and said[at][0].startswith(_PHONE_WORD):
                at += 1
            names.append(None)
            frames.append((said[first][1], said[at - 1][2]) if at > first else None)
            continue
        if at < len(said):
            names.append(said[at][0])
            frames.append((said[at][1], said[at][2]))
            at += 1
        else:  # pragma: no cover - the grammar has no shorter path
            names.append(None)
            frames.append(None)
    return tuple(names), tuple(frames)
