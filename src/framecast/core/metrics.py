"""Counters, gauges and histograms with labels, rendered in Prometheus' text exposition format.

Any layer counts by importing this module (it imports nothing of Framecast's); ``GET /metrics``
(``web/routes/metrics.py``) renders :data:`REGISTRY`. Every metric Framecast keeps is declared at
the bottom of this file, so they are listed in one place. Values live in the process that counts
them: a ``framecast worker`` process counts its own claims and requests, not the server's. So that
any server's ``/metrics`` shows every process's counts, each process publishes its counters' and
histograms' cumulative values (:meth:`Registry.snapshot`) to the database every few seconds
(``db/metric_totals.py``), and a scrape adds what the other processes published
(:meth:`Registry.absorb`) to this process's live values.

Each metric is safe to update from any thread. A collector (:meth:`Registry.add_collector`) runs
just before each rendering, for gauges read from something live (a worker's limiters) rather than
counted as they change. ::

    JOBS_DONE = REGISTRY.counter("framecast_jobs_done_total", "Jobs finished.", ("provider",))
    JOBS_DONE.inc(provider="offline")
    REGISTRY.render()  # '# HELP framecast_jobs_done_total Jobs finished.\\n# TYPE ...'
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

LabelValues = tuple[str, ...]

# Latency buckets in seconds, from a fast text turn to a slow spoken one.
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def format_value(value: float) -> str:
    """A sample value as the exposition format writes it (``+Inf``, ``NaN``, integers without ``.0``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _label_text(names: Sequence[str], values: Sequence[str]) -> str:
    if not names:
        return ""
    pairs = ",".join(f'{name}="{_escape_label(value)}"' for name, value in zip(names, values, strict=True))
    return "{" + pairs + "}"


class Metric:
    """What every kind shares: a name, a help text, label names, a lock."""

    kind = "untyped"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(labels)
        self._lock = threading.Lock()

    def _key(self, labels: Mapping[str, object]) -> LabelValues:
        """The label values in declaration order. Raises ``ValueError`` for a missing or unknown label."""
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name} takes the labels {list(self.label_names)}, got {sorted(labels)}")
        return tuple(str(labels[name]) for name in self.label_names)

    def samples(self) -> Iterator[tuple[str, str, float]]:
        """``(sample name, label text, value)`` for every sample, in a stable order."""
        raise NotImplementedError

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]
        lines += [f"{name}{labels} {format_value(value)}" for name, labels, value in self.samples()]
        return lines


class Shared(Metric):
    """A metric whose values every process publishes and every scrape sums: counters, histograms.

    Its values are *parts*: ``(part, label values) → value``, each cumulative in the process that
    counts it, so the sum over processes of every part is again a metric of the same kind.
    """

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._others: dict[tuple[str, LabelValues], float] = {}  # other processes', summed

    def parts(self) -> dict[tuple[str, LabelValues], float]:
        """This process's own values, as parts (see the class docstring)."""
        raise NotImplementedError

    def absorb(self, others: Mapping[tuple[str, LabelValues], float]) -> None:
        """Replace what other processes counted (added to this process's values when rendered)."""
        with self._lock:
            self._others = {
                (part, tuple(key)): float(value)
                for (part, key), value in others.items()
                if len(key) == len(self.label_names)
            }

    def _merged(self) -> dict[tuple[str, LabelValues], float]:
        merged = self.parts()
        with self._lock:
            others = dict(self._others)
        for part, value in others.items():
            merged[part] = merged.get(part, 0.0) + value
        return merged


class Counter(Shared):
    """A count that only goes up (its name ends in ``_total``)."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[LabelValues, float] = {}

    def inc(self, amount: float = 1.0, **labels: object) -> None:
        """Add ``amount``. Raises ``ValueError`` for a negative amount or the wrong labels."""
        if amount < 0:
            raise ValueError("a counter only goes up")
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: object) -> float:
        """This process's own count (what other processes counted is not included)."""
        key = self._key(labels)
        with self._lock:
            return self._values.get(key, 0.0)

    def parts(self) -> dict[tuple[str, LabelValues], float]:
        with self._lock:
            return {("", key): value for key, value in self._values.items()}

    def samples(self) -> Iterator[tuple[str, str, float]]:
        for (_, key), value in sorted(self._merged().items()):
            yield self.name, _label_text(self.label_names, key), value


class Gauge(Metric):
    """A value that goes up and down: set as things change, or replaced whole by a collector."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labels)
        self._values: dict[LabelValues, float] = {}

    def set(self, value: float, **labels: object) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = float(value)

    def remove(self, **labels: object) -> None:
        """Forget one series (a worker that stopped)."""
        key = self._key(labels)
        with self._lock:
            self._values.pop(key, None)

    def replace(self, values: Mapping[LabelValues, float]) -> None:
        """Every series at once, keyed by label values in declaration order (the rest are dropped)."""
        for key in values:
            if len(key) != len(self.label_names):
                raise ValueError(f"{self.name} takes the labels {list(self.label_names)}, got {key}")
        with self._lock:
            self._values = {tuple(key): float(value) for key, value in values.items()}

    def value(self, **labels: object) -> float | None:
        key = self._key(labels)
        with self._lock:
            return self._values.get(key)

    def samples(self) -> Iterator[tuple[str, str, float]]:
        with self._lock:
            items = sorted(self._values.items())
        for key, value in items:
            yield self.name, _label_text(self.label_names, key), value


class Histogram(Shared):
    """Observations counted in cumulative buckets, with their sum and count."""

    kind = "histogram"

    def __init__(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> None:
        if "le" in labels:
            raise ValueError("'le' is the bucket label of a histogram")
        if list(buckets) != sorted(set(buckets)) or not buckets:
            raise ValueError("buckets must be distinct and increasing")
        super().__init__(name, help_text, labels)
        self.buckets = tuple(float(b) for b in buckets)
        # Per series: a count per bucket (not cumulative; the last one is +Inf), the sum.
        self._series: dict[LabelValues, tuple[list[int], list[float]]] = {}

    def observe(self, value: float, **labels: object) -> None:
        key = self._key(labels)
        index = bisect.bisect_left(self.buckets, value)  # le is inclusive
        with self._lock:
            counts, total = self._series.setdefault(key, ([0] * (len(self.buckets) + 1), [0.0]))
            counts[index] += 1
            total[0] += value

    @contextmanager
    def time(self, **labels: object) -> Iterator[None]:
        """Observe how long the block took, in seconds, whether or not it raised."""
        self._key(labels)  # wrong labels fail before the work, not after it
        started = time.perf_counter()
        try:
            yield
        finally:
            self.observe(time.perf_counter() - started, **labels)

    def count(self, **labels: object) -> int:
        """Observations this process made (what other processes observed is not included)."""
        key = self._key(labels)
        with self._lock:
            series = self._series.get(key)
            return sum(series[0]) if series else 0

    def parts(self) -> dict[tuple[str, LabelValues], float]:
        """Per series, a part ``le=<bound>`` per bucket (its own count, not cumulative) and ``sum``."""
        bounds = [f"le={format_value(bound)}" for bound in (*self.buckets, math.inf)]
        parts: dict[tuple[str, LabelValues], float] = {}
        with self._lock:
            for key, (counts, total) in self._series.items():
                for bound, count in zip(bounds, counts, strict=True):
                    parts[(bound, key)] = float(count)
                parts[("sum", key)] = total[0]
        return parts

    def samples(self) -> Iterator[tuple[str, str, float]]:
        bounds = [f"le={format_value(bound)}" for bound in (*self.buckets, math.inf)]
        merged = self._merged()
        series: dict[LabelValues, tuple[list[float], list[float]]] = {}
        for (part, key), value in merged.items():
            counts, total = series.setdefault(key, ([0.0] * len(bounds), [0.0]))
            if part == "sum":
                total[0] += value
            elif part in bounds:  # a bucket another version of Framecast had is left out
                counts[bounds.index(part)] += value
        names = (*self.label_names, "le")
        for key, (counts, total) in sorted(series.items()):
            running = 0.0
            for bound, count in zip((*self.buckets, math.inf), counts, strict=True):
                running += count
                yield f"{self.name}_bucket", _label_text(names, (*key, format_value(bound))), running
            plain = _label_text(self.label_names, key)
            yield f"{self.name}_sum", plain, total[0]
            yield f"{self.name}_count", plain, running


class Registry:
    """The metrics of one process, by name, and the collectors that refresh gauges before rendering."""

    def __init__(self) -> None:
        self._metrics: dict[str, Metric] = {}
        self._collectors: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def _add(self, metric: Metric) -> Metric:
        with self._lock:
            existing = self._metrics.get(metric.name)
            if existing is not None:
                if type(existing) is not type(metric) or existing.label_names != metric.label_names:
                    raise ValueError(f"{metric.name} is already registered with other labels or type")
                return existing
            self._metrics[metric.name] = metric
            return metric

    def counter(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Counter:
        metric = self._add(Counter(name, help_text, labels))
        assert isinstance(metric, Counter)
        return metric

    def gauge(self, name: str, help_text: str, labels: Sequence[str] = ()) -> Gauge:
        metric = self._add(Gauge(name, help_text, labels))
        assert isinstance(metric, Gauge)
        return metric

    def histogram(
        self,
        name: str,
        help_text: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = LATENCY_BUCKETS,
    ) -> Histogram:
        metric = self._add(Histogram(name, help_text, labels, buckets))
        assert isinstance(metric, Histogram)
        return metric

    def add_collector(self, collect: Callable[[], None]) -> Callable[[], None]:
        """Run ``collect`` before every rendering; returns the function that removes it again."""
        with self._lock:
            self._collectors.append(collect)

        def remove() -> None:
            with self._lock:
                if collect in self._collectors:
                    self._collectors.remove(collect)

        return remove

    def render(self) -> str:
        """Every metric in the text exposition format (version 0.0.4), ending with a newline."""
        with self._lock:
            collectors = list(self._collectors)
            metrics = sorted(self._metrics.values(), key=lambda m: m.name)
        for collect in collectors:
            collect()
        return "".join(line + "\n" for metric in metrics for line in metric.render())

    def snapshot(self) -> dict[tuple[str, str, LabelValues], float]:
        """This process's own values of every counter and histogram: ``(metric, part, label values)
        → value`` (see :class:`Shared`), what a process publishes for the others to add."""
        with self._lock:
            shared = [metric for metric in self._metrics.values() if isinstance(metric, Shared)]
        return {
            (metric.name, part, key): value
            for metric in shared
            for (part, key), value in metric.parts().items()
        }

    def absorb(self, others: Mapping[tuple[str, str, LabelValues], float]) -> None:
        """Replace, for every counter and histogram, what the other processes counted (summed over
        them); metrics this process does not declare are ignored."""
        by_metric: dict[str, dict[tuple[str, LabelValues], float]] = {}
        for (name, part, key), value in others.items():
            by_metric.setdefault(name, {})[(part, key)] = value
        with self._lock:
            shared = [metric for metric in self._metrics.values() if isinstance(metric, Shared)]
        for metric in shared:
            metric.absorb(by_metric.get(metric.name, {}))


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REGISTRY = Registry()

# -- Framecast's metrics ---------------------------------------------------------------------------
# Read from the database when /metrics is scraped (the same figure whichever process answers):

JOBS = REGISTRY.gauge(
    "framecast_jobs", "Jobs in the queue, by state, kind and provider.", ("state", "kind", "provider")
)
DATABASE_UP = REGISTRY.gauge(
    "framecast_database_up", "1 when the database answered this scrape, else 0 (and no figures from it)."
)
WORKERS = REGISTRY.gauge("framecast_workers", "Workers (any process, any host) whose heartbeat is recent.")
AVATAR_RENDER_QUEUE = REGISTRY.gauge(
    "framecast_avatar_render_queue_depth",
    "Tutor avatar videos waiting to be rendered (pending) or being rendered (rendering).",
    ("state",),
)
SHARED_IN_FLIGHT = REGISTRY.gauge(
    "framecast_account_in_flight",
    "Requests in flight now with a provider account whose limits every worker shares (slots held "
    "under a live lease, by any worker on any host).",
    ("account",),
)
SHARED_CONCURRENCY = REGISTRY.gauge(
    "framecast_account_concurrency_limit",
    "Slots of a provider account whose limits every worker shares.",
    ("account",),
)
SHARED_RATE = REGISTRY.gauge(
    "framecast_account_rate_per_minute",
    "The request rate every worker shares with a provider account now (lowered after a 429, "
    "probed back up to the ceiling).",
    ("account",),
)
SHARED_RATE_LIMITED = REGISTRY.gauge(
    "framecast_account_rate_limited",
    "429s answered to any worker by a provider account whose limits are shared, since it was first "
    "limited (a gauge read from the database: it survives the workers' restarts).",
    ("account",),
)

# Counted by the process that does the work, published to the database by every process and summed
# over all of them at each scrape (``db/metric_totals.py``):

CLAIMS = REGISTRY.counter(
    "framecast_job_claims_total",
    "Jobs claimed by workers (any process, any host), by provider.",
    ("provider",),
)
PROVIDER_REQUESTS = REGISTRY.counter(
    "framecast_provider_requests_total",
    "Generation requests workers (any process, any host) made to a provider, by outcome: ok, "
    "generation_failed (accepted, then failed), or the error's category (rate_limit, refused, "
    "not_sent, ambiguous, server, auth, quota, invalid_input, unsafe_content).",
    ("provider", "outcome"),
)
RATE_LIMITED = REGISTRY.counter(
    "framecast_provider_rate_limited_total",
    "Rate-limit answers (429) workers (any process, any host) got from a provider.",
    ("provider",),
)
LIMIT_CONCURRENCY = REGISTRY.gauge(
    "framecast_provider_concurrency_limit",
    "Generations a worker of this process may have in flight with a provider.",
    ("provider", "worker"),
)
LIMIT_RATE = REGISTRY.gauge(
    "framecast_provider_rate_per_minute",
    "Requests per minute a worker of this process currently allows itself with a provider "
    "(lowered after a 429, probed back up to the ceiling).",
    ("provider", "worker"),
)
LIMIT_RATE_CEILING = REGISTRY.gauge(
    "framecast_provider_rate_ceiling_per_minute",
    "The configured ceiling of framecast_provider_rate_per_minute.",
    ("provider", "worker"),
)
LIMIT_IN_FLIGHT = REGISTRY.gauge(
    "framecast_provider_in_flight",
    "Generations a worker of this process has in flight with a provider now.",
    ("provider", "worker"),
)
TUTOR_TURN_SECONDS = REGISTRY.histogram(
    "framecast_tutor_turn_seconds",
    "Tutor turns over the WebSocket (any server process), from the message parsed to the reply sent "
    "(a turn refused for a limit or bad input is counted too, briefly), by kind (text, audio).",
    ("kind",),
)
