"""Counters, gauges and histograms, and the text they render."""

from __future__ import annotations

import math
import threading

import pytest
from tests.metrics_text import parse, value

from framecast.core import metrics
from framecast.core.metrics import Registry, format_value


def test_a_counter_renders_help_type_and_one_sample_per_label_set() -> None:
    registry = Registry()
    done = registry.counter("demo_done_total", "Things done.", ("provider",))
    done.inc(provider="offline")
    done.inc(2, provider="genaipro")

    text = registry.render()

    assert text == (
        "# HELP demo_done_total Things done.\n"
        "# TYPE demo_done_total counter\n"
        'demo_done_total{provider="genaipro"} 2\n'
        'demo_done_total{provider="offline"} 1\n'
    )


def test_a_counter_refuses_to_go_down_and_wrong_labels() -> None:
    counter = Registry().counter("demo_total", "Demo.", ("provider",))

    with pytest.raises(ValueError, match="only goes up"):
        counter.inc(-1, provider="x")
    with pytest.raises(ValueError, match="takes the labels"):
        counter.inc(state="x")
    with pytest.raises(ValueError, match="takes the labels"):
        counter.inc()


def test_label_values_and_help_are_escaped() -> None:
    registry = Registry()
    gauge = registry.gauge("demo_gauge", 'Back\\slash and\nnewline "quoted".', ("name",))
    gauge.set(1.5, name='a "b"\\c\nd')

    families = parse(registry.render())

    assert families["demo_gauge"].help == 'Back\\\\slash and\\nnewline "quoted".'
    assert value(families, "demo_gauge", name='a "b"\\c\nd') == 1.5


def test_a_gauge_is_set_removed_and_replaced_whole() -> None:
    gauge = Registry().gauge("demo_jobs", "Jobs.", ("state", "provider"))
    gauge.set(3, state="queued", provider="offline")
    gauge.set(1, state="running", provider="offline")
    gauge.remove(state="running", provider="offline")

    assert gauge.value(state="queued", provider="offline") == 3
    assert gauge.value(state="running", provider="offline") is None
    gauge.replace({("failed", "genaipro"): 2})
    assert gauge.value(state="queued", provider="offline") is None
    assert gauge.value(state="failed", provider="genaipro") == 2
    with pytest.raises(ValueError, match="takes the labels"):
        gauge.replace({("failed",): 1})


def test_a_histogram_counts_cumulative_buckets_with_sum_and_count() -> None:
    registry = Registry()
    histogram = registry.histogram("demo_seconds", "Latency.", ("kind",), buckets=(0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 3.0):
        histogram.observe(seconds, kind="text")

    families = parse(registry.render())

    assert value(families, "demo_seconds_bucket", kind="text", le="0.1") == 2  # le is inclusive
    assert value(families, "demo_seconds_bucket", kind="text", le="1") == 3
    assert value(families, "demo_seconds_bucket", kind="text", le="+Inf") == 4
    assert value(families, "demo_seconds_count", kind="text") == 4
    assert value(families, "demo_seconds_sum", kind="text") == pytest.approx(3.65)


def test_timing_a_block_observes_it_even_when_it_raises() -> None:
    histogram = Registry().histogram("demo_seconds", "Latency.", ("kind",))

    with histogram.time(kind="text"):
        pass
    with pytest.raises(RuntimeError), histogram.time(kind="text"):
        raise RuntimeError("boom")

    assert histogram.count(kind="text") == 2


def test_a_histogram_refuses_an_le_label_and_unsorted_buckets() -> None:
    with pytest.raises(ValueError, match="'le'"):
        Registry().histogram("demo_seconds", "Latency.", ("le",))
    with pytest.raises(ValueError, match="increasing"):
        Registry().histogram("demo_seconds", "Latency.", buckets=(1.0, 0.5))


def test_registering_a_name_again_returns_the_same_metric_unless_it_differs() -> None:
    registry = Registry()
    first = registry.counter("demo_total", "Demo.", ("provider",))

    assert registry.counter("demo_total", "Demo.", ("provider",)) is first
    with pytest.raises(ValueError, match="already registered"):
        registry.gauge("demo_total", "Demo.", ("provider",))
    with pytest.raises(ValueError, match="already registered"):
        registry.counter("demo_total", "Demo.", ("state",))


def test_collectors_run_before_each_rendering_until_removed() -> None:
    registry = Registry()
    gauge = registry.gauge("demo_limit", "A limit.")
    readings = iter([5.0, 7.0])
    remove = registry.add_collector(lambda: gauge.set(next(readings)))

    assert value(parse(registry.render()), "demo_limit") == 5
    assert value(parse(registry.render()), "demo_limit") == 7
    remove()
    assert value(parse(registry.render()), "demo_limit") == 7


def test_counting_from_many_threads_loses_nothing() -> None:
    counter = Registry().counter("demo_total", "Demo.")

    def count() -> None:
        for _ in range(10_000):
            counter.inc()

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert counter.value() == 80_000


def test_values_are_written_as_the_format_spells_them() -> None:
    assert [format_value(v) for v in (3.0, 0.25, math.inf, -math.inf, math.nan, 1e20)] == [
        "3",
        "0.25",
        "+Inf",
        "-Inf",
        "NaN",
        "1e+20",
    ]


def test_framecasts_own_metrics_render_as_valid_exposition_text() -> None:
    families = parse(metrics.REGISTRY.render())

    assert {
        "framecast_jobs",
        "framecast_job_claims_total",
        "framecast_provider_requests_total",
        "framecast_provider_rate_limited_total",
        "framecast_provider_concurrency_limit",
        "framecast_provider_rate_per_minute",
        "framecast_tutor_turn_seconds",
        "framecast_avatar_render_queue_depth",
    } <= set(families)
    assert all(family.help for family in families.values())
