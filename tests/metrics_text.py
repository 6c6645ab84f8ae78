"""A strict reader of Prometheus' text exposition format (0.0.4), for tests of ``/metrics``.

It fails on any line that is not ``# HELP``, ``# TYPE``, a sample of a family whose ``# TYPE`` came
before it, or empty; on a histogram whose buckets are not cumulative or whose ``+Inf`` bucket is not
its count.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"'
VALUE = r"[-+]?(?:[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?|Inf)|NaN"
HELP_LINE = re.compile(rf"^# HELP ({NAME}) (.*)$")
TYPE_LINE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")
SAMPLE_LINE = re.compile(rf"^({NAME})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? ({VALUE})$")
ONE_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"')
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}

Labels = tuple[tuple[str, str], ...]


@dataclass
class Family:
    name: str
    type: str
    help: str | None = None
    samples: dict[tuple[str, Labels], float] = field(default_factory=dict)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def parse(text: str) -> dict[str, Family]:
    """Every family by name. Raises ``AssertionError`` naming the first line that is not valid."""
    assert text.endswith("\n"), "the exposition must end with a newline"
    families: dict[str, Family] = {}
    helps: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        if match := HELP_LINE.match(line):
            assert match.group(1) not in helps, f"line {number}: a second HELP for {match.group(1)}"
            helps[match.group(1)] = match.group(2)
        elif match := TYPE_LINE.match(line):
            name = match.group(1)
            assert name not in families, f"line {number}: a second TYPE for {name}"
            families[name] = Family(name, match.group(2), helps.get(name))
        elif match := SAMPLE_LINE.match(line):
            name, label_text, value = match.groups()
            family = _family_of(families, name)
            assert family is not None, f"line {number}: sample {name} before its # TYPE"
            labels = tuple(
                (key, _unescape(raw)) for key, raw in ONE_LABEL.findall((label_text or "{}")[1:-1])
            )
            key = (name, labels)
            assert key not in family.samples, f"line {number}: a repeated sample"
            family.samples[key] = float(value.replace("Inf", "inf"))
        else:
            raise AssertionError(f"line {number} is not in the exposition format: {line!r}")
    for family in families.values():
        if family.type == "histogram":
            _check_histogram(family)
    return families


def _family_of(families: dict[str, Family], sample: str) -> Family | None:
    if sample in families and families[sample].type not in SUFFIXES:
        return families[sample]
    for family in families.values():
        for suffix in SUFFIXES.get(family.type, ()):
            if suffix and sample == family.name + suffix:
                return family
    return None


def _check_histogram(family: Family) -> None:
    series: dict[Labels, list[tuple[float, float]]] = {}
    counts: dict[Labels, float] = {}
    for (name, labels), value in family.samples.items():
        plain = tuple(pair for pair in labels if pair[0] != "le")
        if name.endswith("_bucket"):
            le = dict(labels)["le"]
            series.setdefault(plain, []).append((float(le.replace("Inf", "inf")), value))
        elif name.endswith("_count"):
            counts[plain] = value
    for plain, buckets in series.items():
        buckets.sort()
        values = [value for _, value in buckets]
        assert values == sorted(values), f"{family.name}{plain}: buckets are not cumulative"
        assert math.isinf(buckets[-1][0]), f"{family.name}{plain}: no +Inf bucket"
        assert values[-1] == counts[plain], f"{family.name}{plain}: +Inf bucket is not the count"


def value(families: dict[str, Family], sample: str, **labels: str) -> float | None:
    """One sample's value (labels given in full), or None when it is absent."""
    family = _family_of(families, sample)
    if family is None:
        return None
    wanted = sorted(labels.items())
    for (name, have), found in family.samples.items():
        if name == sample and sorted(have) == wanted:
            return found
    return None
