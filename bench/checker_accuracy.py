"""Bench: edit-level precision and recall of the offline English checker on learner sentences.

The evaluation set (``bench/data/checker_eval.tsv``) holds learner sentences, each with its fully
corrected form (identical when the sentence is already correct) and the error family it shows.

Expected edits are the token-level diff between a sentence and its correction. A predicted edit (the
span a checker replaces and its replacement) is a true positive when it has the same effect on the same
words as the expected edits it touches, compared case-insensitively: "an dog" → "a dog" matches the
expected "an" → "a", and "you are" → "are you" matches the diff's insertion and deletion around "you".
Precision is true positives over predicted edits; recall is expected edits matched over expected edits.

The baseline, measured in the same run, is the naive checker a learner tool starts from: "a"/"an" by
the first letter of the next word, and every word missing from the shipped word list replaced by its
most frequent listed word one edit away.

A held-out set (``bench/data/checker_holdout.tsv``), written after the rules were tuned on the first
set, is scored the same way to show how far the figures generalise.

Run with ``python -m bench.checker_accuracy`` (``--verbose`` lists every miss and false alarm).
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from framecast.tutor.checker import spelling
from framecast.tutor.checker.engine import find_all

DATA = Path(__file__).resolve().parent / "data" / "checker_eval.tsv"
# Written after the rules were tuned on DATA and never tuned on: a check that they generalise.
HOLDOUT = DATA.with_name("checker_holdout.tsv")
CORRECT = "correct"

_TOKEN = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*|\d+(?:[.,]\d+)*|[^\sA-Za-z\d]")

# A checker under test: text → the character spans it replaces, each with its replacement.
CharEdit = tuple[int, int, str]
Checker = Callable[[str], list[CharEdit]]


@dataclass(frozen=True, slots=True)
class Case:
    sentence: str
    expected: str
    family: str


@dataclass(frozen=True, slots=True)
class Edit:
    """Tokens ``start:end`` of the sentence replaced by ``tokens`` (an insertion when start == end)."""

    start: int
    end: int
    tokens: tuple[str, ...]


@dataclass(slots=True)
class Metrics:
    predicted: int = 0
    true_positives: int = 0
    expected: int = 0
    recalled: int = 0
    correct_sentences: int = 0
    false_alarm_sentences: int = 0
    false_alarm_edits: int = 0
    sentences: int = 0
    exact: int = 0
    family_expected: dict[str, int] = field(default_factory=dict)
    family_recalled: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.expected if self.expected else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarm_sentences / self.correct_sentences if self.correct_sentences else 0.0

    @property
    def exact_rate(self) -> float:
        return self.exact / self.sentences if self.sentences else 0.0

    def family_recall(self, family: str) -> float:
        total = self.family_expected.get(family, 0)
        return self.family_recalled.get(family, 0) / total if total else 1.0


def load_cases(path: Path = DATA) -> list[Case]:
    cases: list[Case] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path.name}:{number}: expected 3 tab-separated columns, got {len(parts)}")
        cases.append(Case(*(p.strip() for p in parts)))
    return cases


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_TOKEN.finditer(text))


def _lower(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(w.lower().replace("\u2019", "'") for w in words)


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.5


def align(a: Sequence[str], b: Sequence[str]) -> list[Edit]:
    """One edit per changed token of ``a`` (and per inserted run), by a word-level Levenshtein alignment.

    Changing a word into a similar one ("go" → "went" is not, "watch" → "watching" is) costs 1, into a
    dissimilar one 1.6, so "to watch" → "watching" reads as "to" deleted and "watch" changed.
    """
    n, m = len(a), len(b)
    cost = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        cost[i][0] = float(i)
    for j in range(1, m + 1):
        cost[0][j] = float(j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            change = 0.0 if a[i - 1] == b[j - 1] else 1.0 if _similar(a[i - 1], b[j - 1]) else 1.6
            cost[i][j] = min(cost[i - 1][j - 1] + change, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    edits: list[Edit] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            change = 0.0 if a[i - 1] == b[j - 1] else 1.0 if _similar(a[i - 1], b[j - 1]) else 1.6
            if cost[i][j] == cost[i - 1][j - 1] + change:
                if change:
                    edits.append(Edit(i - 1, i, (b[j - 1],)))
                i, j = i - 1, j - 1
                continue
        if i > 0 and cost[i][j] == cost[i - 1][j] + 1:
            edits.append(Edit(i - 1, i, ()))
            i -= 1
        else:
            edits.append(Edit(i, i, (b[j - 1],)))
            j -= 1
    edits.reverse()
    # Consecutive insertions at one place are one edit ("waiting" + "for" "you" → one insertion).
    merged: list[Edit] = []
    for edit in edits:
        last = merged[-1] if merged else None
        if last is not None and last.start == last.end == edit.start == edit.end:
            merged[-1] = Edit(last.start, last.end, last.tokens + edit.tokens)
        else:
            merged.append(edit)
    return merged


def expected_edits(sentence: str, expected: str) -> list[Edit]:
    """The token-level diff from ``sentence`` to ``expected``, case-insensitive."""
    return align(_lower(m.group() for m in _tokens(sentence)), _lower(m.group() for m in _tokens(expected)))


def _token_edit(sentence: str, edit: CharEdit) -> Edit:
    """A character-span edit as token indices of ``sentence`` (spans cover whole tokens)."""
    start, end, replacement = edit
    spans = [(m.start(), m.end()) for m in _tokens(sentence)]
    first = next((i for i, (s, e) in enumerate(spans) if e > start), len(spans))
    last = next((i for i, (s, e) in reversed(list(enumerate(spans))) if s < end), first - 1)
    return Edit(first, max(first, last + 1), _lower(m.group() for m in _tokens(replacement)))


def _apply(words: Sequence[str], start: int, end: int, edits: Iterable[Edit]) -> tuple[str, ...]:
    out: list[str] = []
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    i = start
    for edit in ordered:
        out += words[i : edit.start]
        out += edit.tokens
        i = max(i, edit.end)
    out += words[i:end]
    return tuple(out)


def _matches(words: Sequence[str], edit: Edit, expected: list[Edit]) -> list[Edit] | None:
    """The expected edits ``edit`` carries out exactly, or None when it does something else."""

    def touches(x: Edit, inclusive: bool) -> bool:
        if x.start == x.end:  # an insertion: inside the span, or at its edges when asked
            return edit.start <= x.start <= edit.end if inclusive else edit.start < x.start < edit.end
        return x.start < edit.end and x.end > edit.start

    for inclusive in (True, False):
        group = [x for x in expected if touches(x, inclusive)]
        if not group:
            continue
        lo = min(edit.start, *(x.start for x in group))
        hi = max(edit.end, *(x.end for x in group))
        if _apply(words, lo, hi, [edit]) == _apply(words, lo, hi, group):
            return group
    return None


def framecast_checker(text: str) -> list[CharEdit]:
    return [(f.start, f.end, f.corrected) for f in find_all(text)]


def baseline_checker(text: str) -> list[CharEdit]:
    """The naive checker: a/an by the next word's first letter, nearest listed word for unknown words."""
    edits: list[CharEdit] = []
    tokens = _tokens(text)
    known = spelling.lexicon()
    for i, m in enumerate(tokens):
        word = m.group()
        nxt = tokens[i + 1].group() if i + 1 < len(tokens) else ""
        if word.lower() in {"a", "an"} and nxt[:1].isalpha():
            right = "an" if nxt[0].lower() in "aeiou" else "a"
            if word.lower() != right:
                edits.append((m.start(), m.end(), right))
        elif word.isalpha() and len(word) > 2 and word.lower() not in known:
            best = _nearest(word.lower(), known)
            if best is not None:
                edits.append((m.start(), m.end(), best))
    return edits


def _nearest(word: str, known: frozenset[str]) -> str | None:
    """The most frequent listed word one edit away (the list is in frequency order)."""
    ranks = spelling.ranks()
    candidates = [c for c in spelling.one_edit(word) if c in known]
    return min(candidates, key=ranks.__getitem__) if candidates else None


def _apply_text(text: str, edits: list[CharEdit]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def evaluate(checker: Checker = framecast_checker, cases: Sequence[Case] | None = None) -> Metrics:
    """Run ``checker`` over the evaluation set (or ``cases``) and count edits and sentences."""
    metrics = Metrics()
    for case in load_cases() if cases is None else cases:
        words = _lower(m.group() for m in _tokens(case.sentence))
        expected = expected_edits(case.sentence, case.expected)
        char_edits = checker(case.sentence)
        recalled: set[Edit] = set()
        for char_edit in char_edits:
            edit = _token_edit(case.sentence, char_edit)
            group = _matches(words, edit, expected)
            metrics.predicted += 1
            if group is None:
                shown = case.sentence[char_edit[0] : char_edit[1]]
                metrics.false_positives.append(f"{case.sentence!r}: {shown!r} -> {char_edit[2]!r}")
            else:
                metrics.true_positives += 1
                recalled.update(group)
        metrics.expected += len(expected)
        metrics.recalled += len(recalled)
        metrics.family_expected[case.family] = metrics.family_expected.get(case.family, 0) + len(expected)
        metrics.family_recalled[case.family] = metrics.family_recalled.get(case.family, 0) + len(recalled)
        metrics.sentences += 1
        fixed = _apply_text(case.sentence, char_edits)
        metrics.exact += fixed.lower() == case.expected.lower()
        if len(recalled) < len(expected):
            metrics.misses.append(f"{case.sentence!r} -> {fixed!r} (want {case.expected!r})")
        if case.family == CORRECT:
            metrics.correct_sentences += 1
            metrics.false_alarm_sentences += bool(char_edits)
            metrics.false_alarm_edits += len(char_edits)
    return metrics


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "n/a"


def _timing(cases: Sequence[Case], rounds: int) -> tuple[float, float]:
    """p50 and p95 of ``check_english`` per sentence, in milliseconds, after one warm-up pass."""
    from framecast.tutor.checker import check_english

    for case in cases:
        check_english(case.sentence)
    samples: list[float] = []
    for _ in range(rounds):
        for case in cases:
            t0 = time.perf_counter()
            check_english(case.sentence, language="ko")
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def report(verbose: bool = False, rounds: int = 5) -> None:
    cases = load_cases()
    t0 = time.perf_counter()
    ours = evaluate(framecast_checker, cases)
    base = evaluate(baseline_checker, cases)
    errors = len(cases) - ours.correct_sentences
    print(
        f"{len(cases)} sentences ({errors} with mistakes, {ours.correct_sentences} correct), "
        f"{ours.expected} expected edits; evaluated in {time.perf_counter() - t0:.1f}s"
    )
    print(f"{'':26} {'framecast':>10} {'baseline':>10} {'ratio':>7}")
    rows = [
        ("precision", ours.precision, base.precision),
        ("recall", ours.recall, base.recall),
        ("exact sentences", ours.exact_rate, base.exact_rate),
        ("false-alarm rate", ours.false_alarm_rate, base.false_alarm_rate),
    ]
    for name, value, baseline in rows:
        print(f"{name:26} {value:10.3f} {baseline:10.3f} {_ratio(value, baseline):>7}")
    print(
        f"{'predicted edits (TP)':26} {f'{ours.predicted} ({ours.true_positives})':>10} "
        f"{f'{base.predicted} ({base.true_positives})':>10}"
    )
    print(
        f"{'false alarms (sentences)':26} {f'{ours.false_alarm_sentences}/{ours.correct_sentences}':>10} "
        f"{f'{base.false_alarm_sentences}/{base.correct_sentences}':>10}"
    )
    print("recall per family:")
    for family in sorted(f for f in ours.family_expected if f != CORRECT):
        print(
            f"  {family:24} {ours.family_recall(family):10.3f} {base.family_recall(family):10.3f}"
            f"   ({ours.family_recalled.get(family, 0)}/{ours.family_expected[family]} edits)"
        )
    held = load_cases(HOLDOUT)
    ours_h, base_h = evaluate(framecast_checker, held), evaluate(baseline_checker, held)
    print(
        f"held-out set ({len(held)} sentences, {ours_h.expected} edits): precision {ours_h.precision:.3f} "
        f"(baseline {base_h.precision:.3f})  recall {ours_h.recall:.3f} (baseline {base_h.recall:.3f})  "
        f"false alarms {ours_h.false_alarm_sentences}/{ours_h.correct_sentences} "
        f"(baseline {base_h.false_alarm_sentences})"
    )
    p50, p95 = _timing(cases, rounds)
    print(f"check_english per sentence: p50 {p50:.3f} ms  p95 {p95:.3f} ms  (hot-path budget 150 ms)")
    print("targets: precision >= 0.85, recall >= 0.60, no false alarm on correct sentences")
    if verbose:
        print("\nmisses:", *ours.misses, *ours_h.misses, sep="\n  ")
        print("\nfalse positives:", *ours.false_positives, *ours_h.false_positives, sep="\n  ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="list every miss and false positive")
    parser.add_argument("--rounds", type=int, default=5, help="timing passes over the set")
    args = parser.parse_args()
    report(args.verbose, args.rounds)


if __name__ == "__main__":
    main()
