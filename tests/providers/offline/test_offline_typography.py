"""Fitting a prompt into a box: wrapping, shrinking, and cutting with an ellipsis when it must."""

from __future__ import annotations

from framecast.providers.offline.typography import ELLIPSIS, fit_text, font, text_width, wrap


def test_wrapped_lines_fit_the_width_and_keep_every_word() -> None:
    text = "a golden retriever surfing a huge wave at sunset, cinematic drone shot, warm tones"
    face = font(20)

    lines = wrap(text, face, 180)

    assert len(lines) > 1
    assert all(text_width(line, face) <= 180 for line in lines)
    assert " ".join(lines) == text


def test_a_word_longer_than_a_line_is_broken_by_characters() -> None:
    face = font(20)
    lines = wrap("x" * 80, face, 100)

    assert len(lines) > 1
    assert "".join(lines) == "x" * 80
    assert all(text_width(line, face) <= 100 for line in lines)


def test_a_short_prompt_gets_the_largest_size() -> None:
    block = fit_text("A lighthouse at dawn", 600, 300, largest=48, smallest=16)

    assert block.size == 48
    assert block.lines == ("A lighthouse at dawn",)


def test_a_long_prompt_shrinks_until_it_fits() -> None:
    prompt = " ".join(["a slow dolly shot through a misty pine forest"] * 4)
    block = fit_text(prompt, 400, 200, largest=48, smallest=12)

    assert block.size < 48
    assert block.height <= 200
    assert not block.lines[-1].endswith(ELLIPSIS)


def test_a_prompt_too_long_even_at_the_smallest_size_ends_with_an_ellipsis() -> None:
    prompt = "word " * 2000
    block = fit_text(prompt, 300, 100, largest=30, smallest=14)

    assert block.size == 14
    assert block.height <= 100
    assert block.lines[-1].endswith(ELLIPSIS)
    assert all(text_width(line, block.face) <= 300 for line in block.lines)
