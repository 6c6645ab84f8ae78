"""The options only some providers take (duration, resolution, negative prompt, people, seed,
audio) as the Studio's forms send them: text fields, empty when left alone.

:func:`parse_options` turns what was sent into ``GenerationRequest`` field values, refusing what is
not even of the right kind with the field's label ("Duration: give a whole number of seconds").
Whether the values are allowed, and whether the provider takes them, is the request's own rule
(``GenerationRequest.validate`` and ``refuse_unsupported_options`` with ``OPTION_TITLES``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from framecast.core.text import text_problem
from framecast.web.field_labels import field_error

_TRUE = frozenset({"true", "on", "yes", "1"})
_FALSE = frozenset({"false", "off", "no", "0"})


def parse_options(sent: Mapping[str, str | None]) -> dict[str, Any]:
    """The options given in ``sent`` (form field -> text), typed; an empty field is not given.

    Raises :class:`InvalidInputError` naming the field by its label for a number that is not one,
    an audio choice that is neither on nor off, or text the prompt would not accept either (NUL,
    broken Unicode).
    """
    options: dict[str, Any] = {}
    for name, raw in sent.items():
        text = (raw or "").strip()
        if not text:
            continue
        if name in ("duration_seconds", "seed"):
            options[name] = _whole_number(name, text)
        elif name == "generate_audio":
            options[name] = _on_or_off(name, text)
        elif name in ("resolution", "person_generation"):
            options[name] = text.lower()
        else:
            problem = text_problem(text)
            if problem is not None:
                raise field_error(name, problem)
            options[name] = text
    return options


def _whole_number(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        unit = " of seconds" if name == "duration_seconds" else ""
        raise field_error(name, f"give a whole number{unit}, got {text!r}") from None


def _on_or_off(name: str, text: str) -> bool:
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise field_error(name, f"use true or false, got {text!r}")
