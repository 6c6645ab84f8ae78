"""Build ``data/english_words.txt``, the spell checker's word list, from pocketsphinx's US English model.

The list is every plain lower-case word of the CMU pronouncing dictionary shipped in pocketsphinx's
wheel (BSD-style licence), ordered by frequency: first the words of the bundled conversational
language model by unigram probability, most frequent first, then the rest alphabetically. A word's
line number is its frequency rank. The file is shipped, so nothing is read from pocketsphinx or
downloaded at run time; rebuild it with ``python -m framecast.tutor.checker.wordlist``.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

_PLAIN = re.compile(r"[a-z]+")
_VARIANT = re.compile(r"\(\d+\)$")
_UNKNOWN = -(10**8)
HEADER = (
    "# English words, most frequent first (the line order is the frequency rank).\n"
    "# Derived from the CMU Pronouncing Dictionary and the CMU Sphinx US English language model\n"
    "# shipped with pocketsphinx (BSD-style licences); rebuild: python -m framecast.tutor.checker.wordlist\n"
)


def dictionary_words(path: Path) -> set[str]:
    """The plain lower-case headwords of a CMU dictionary file, without "(2)" variants."""
    words: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word = _VARIANT.sub("", line.split(" ", 1)[0])
            if _PLAIN.fullmatch(word):
                words.add(word)
    return words


def ordered(words: set[str], probs: dict[str, float]) -> list[str]:
    """Words by falling probability, then the words the model lacks, alphabetically."""
    ranked = sorted((w for w in words if w in probs), key=lambda w: (-probs[w], w))
    return ranked + sorted(w for w in words if w not in probs)


def build(target: Path) -> int:  # pragma: no cover - a maintenance tool that needs pocketsphinx's model
    import pocketsphinx  # type: ignore[import-untyped]

    model = Path(pocketsphinx.get_model_path()) / "en-us"
    words = dictionary_words(model / "cmudict-en-us.dict")
    lm = pocketsphinx.NGramModel.readfile(str(model / "en-us.lm.bin"))
    # NGramModel.prob answers in the model's log base (1.0001); words it lacks get a huge negative.
    scores = {w: lm.prob([w]) for w in words}
    probs = {w: s * math.log10(1.0001) for w, s in scores.items() if s > _UNKNOWN}
    listed = ordered(words, probs)
    target.write_text(HEADER + "\n".join(listed) + "\n", encoding="utf-8")
    return len(listed)


if __name__ == "__main__":  # pragma: no cover
    out = Path(__file__).with_name("data") / "english_words.txt"
    print(f"{build(out)} words written to {out}", file=sys.stderr)
