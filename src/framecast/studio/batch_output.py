"""What a batch leaves on disk: output file names, ``results.csv`` and the re-runnable failed file.

File names
    An item with count 1 is saved as ``<stem>.<ext>``, one with count n > 1 as ``<stem>_1.<ext>`` …
    ``<stem>_<n>.<ext>``, where ``<stem>`` is :func:`safe_stem` of the item's id.

    :func:`safe_stem` returns the id unchanged when it is already a safe name. Otherwise it replaces
    every unsafe character with ``_``, trims outer whitespace, puts ``_`` in front of a leading dot or
    a Windows device name (``CON``, ``nul``, ``COM1`` …), shortens the result and appends ``~`` and
    the first 16 hex digits of the SHA-256 of the original id. Unsafe characters are path separators,
    characters Windows forbids (``:*?"<>|``), ``;`` (it separates names in ``results.csv``), ``~``
    (it marks rewritten names, so a rewritten name can never equal an untouched one) and control,
    format and line-separator characters. A stem has at most 120 characters and 200 bytes of UTF-8,
    leaving room for ``_<n>.<ext>`` under the 255-byte limit of common file systems.

    So different ids get different stems (up to a 64-bit hash collision). Names can still meet when
    one id's stem is another's with ``_<n>`` added (``shot`` with count 2 and ``shot_1``), or when
    they differ only in case or Unicode normalisation, which Windows and macOS ignore;
    :func:`find_name_clash` finds those, and :func:`~framecast.studio.batch_input.read_batch_file`
    refuses such a batch, so within a batch no two items ever write the same file.

Spreadsheet formulas
    A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a
    formula when the CSV is opened in a spreadsheet, so the writers put a ``'`` in front of it, as
    OWASP advises (:func:`spreadsheet_safe`); a cell that starts with ``'`` followed by one of those
    (or by another ``'``) gets one too, so that :func:`from_spreadsheet` — which the batch reader
    applies to ids and prompts — gives back exactly what was written, and ``failed.csv`` re-runs the
    same prompts.

All writers replace their target atomically (a temporary file in the same folder, then
:func:`os.replace`), so a reader never sees half a file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from framecast.core.files import write_text_atomically

if TYPE_CHECKING:
    from framecast.studio.batch_input import BatchItem

# Kept here rather than imported: batch_input imports this module (see find_name_clash).
COUNT_COLUMNS = ("number_of_videos", "number_of_images")

MAX_STEM_CHARS = 120
MAX_STEM_BYTES = 200
_HASH_DIGITS = 16
_UNSAFE_CHARS = frozenset('/\\:*?"<>|;~')
# Cc control, Cf format (bidi overrides can disguise a name), Cs surrogates, Zl/Zp line separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Windows refuses these as the part of a name before its first dot, whatever the extension.
_WINDOWS_DEVICE = re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])", re.IGNORECASE)
_FILES_SEPARATOR = ";"
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*_FORMULA_STARTS, "'")


def spreadsheet_safe(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula (see the module docstring)."""
    if value.startswith(_FORMULA_STARTS) or (value.startswith("'") and value[1:2] in _ESCAPED_STARTS):
        return "'" + value
    return value


def from_spreadsheet(value: str) -> str:
    """The inverse of :func:`spreadsheet_safe`: a leading ``'`` before a formula start is dropped."""
    if value.startswith("'") and value[1:2] != "" and value[1:2] in _ESCAPED_STARTS:
        return value[1:]
    return value


@dataclass(frozen=True)
class ResultRow:
    """One line of ``results.csv``; ``files`` are names relative to the batch's output folder."""

    key: str
    prompt: str
    status: str
    files: tuple[str, ...]
    error: str | None


def safe_stem(key: str) -> str:
    """A file-name stem for ``key``: ``key`` itself when safe, else a rewritten name (see module doc)."""
    cleaned = "".join("_" if _is_unsafe(char) else char for char in key).strip()
    if cleaned.startswith("."):
        cleaned = "_" + cleaned
    if _WINDOWS_DEVICE.fullmatch(cleaned.split(".", 1)[0].rstrip()):
        cleaned = "_" + cleaned
    if cleaned == key and _fits(cleaned):
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:_HASH_DIGITS]
    suffix = "~" + digest
    head = cleaned[: MAX_STEM_CHARS - len(suffix)]
    while len((head + suffix).encode("utf-8", "surrogatepass")) > MAX_STEM_BYTES:
        head = head[:-1]
    return (head or "_") + suffix


def _is_unsafe(char: str) -> bool:
    return char in _UNSAFE_CHARS or unicodedata.category(char) in _UNSAFE_CATEGORIES


def _fits(stem: str) -> bool:
    return 0 < len(stem) <= MAX_STEM_CHARS and len(stem.encode("utf-8")) <= MAX_STEM_BYTES


def output_names(key: str, count: int, ext: str) -> list[str]:
    """The names of an item's output files: ``<stem>.<ext>``, or ``<stem>_<n>.<ext>`` for n = 1..count.

    ``ext`` may be given with or without its dot; an empty ``ext`` gives bare stems. Raises
    :class:`ValueError` when ``count`` is below 1.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    ext = ext.lstrip(".")
    suffix = f".{ext}" if ext else ""
    stem = safe_stem(key)
    if count == 1:
        return [stem + suffix]
    return [f"{stem}_{number}{suffix}" for number in range(1, count + 1)]


def find_name_clash(items: Iterable[BatchItem]) -> tuple[BatchItem, BatchItem, str] | None:
    """The first two items whose output files would share a name, with that name (without extension).

    Names are compared after NFC normalisation and case folding, as Windows and macOS compare them.
    Returns ``None`` when every item's files are distinct.
    """
    owners: dict[str, BatchItem] = {}
    for item in items:
        for name in output_names(item.key, item.count, ""):
            folded = unicodedata.normalize("NFC", name).casefold()
            owner = owners.setdefault(folded, item)
            if owner is not item:
                return owner, item, name
    return None


def write_results_csv(path: Path, rows: Iterable[ResultRow]) -> None:
    """Write ``results.csv``: id, prompt, status, files (``;``-joined), error.

    Raises :class:`ValueError` when a file name contains ``;`` (names from :func:`output_names` never do).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "prompt", "status", "files", "error"])
    for row in rows:
        for name in row.files:
            if _FILES_SEPARATOR in name:
                raise ValueError(f"file name {name!r} contains {_FILES_SEPARATOR!r}")
        files = _FILES_SEPARATOR.join(row.files)
        cells = [row.key, row.prompt, row.status, files, row.error or ""]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    write_text_atomically(Path(path), buffer.getvalue())


def write_failed_csv(
    path: Path,
    items: Iterable[BatchItem],
    count_column: str,
    include_image_number: bool,
) -> None:
    """Write the items to retry as a CSV that ``read_batch_file`` reads back to the same items.

    Columns: id, prompt, ``count_column``, then ``image_number`` when asked for (empty where an item
    has none, so it is matched by numeric id again), then ``aspect_ratio`` when any item has one.
    With no items only the header is written; such a file is refused as input ("no items").
    Raises :class:`ValueError` when ``count_column`` is not one of ``COUNT_COLUMNS``.
    """
    if count_column not in COUNT_COLUMNS:
        raise ValueError(f"count_column must be one of {COUNT_COLUMNS}, got {count_column!r}")
    items = list(items)
    with_aspect = any(item.aspect is not None for item in items)
    header = ["id", "prompt", count_column]
    if include_image_number:
        header.append("image_number")
    if with_aspect:
        header.append("aspect_ratio")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for item in items:
        row = [spreadsheet_safe(item.key), spreadsheet_safe(item.prompt), str(item.count)]
        if include_image_number:
            row.append("" if item.image_number is None else str(item.image_number))
        if with_aspect:
            row.append("" if item.aspect is None else item.aspect.value)
        writer.writerow(row)
    write_text_atomically(Path(path), buffer.getvalue())


def write_failed_txt(path: Path, items: Iterable[BatchItem]) -> None:
    """Write the items to retry in TXT form, for batches that came from a TXT file.

    Raises :class:`ValueError` for an item TXT cannot express: a count other than 1, an image number
    or aspect ratio, a multi-line id, or a prompt with a blank line (the block would split in two).
    """
    blocks: list[str] = []
    for item in items:
        if item.count != 1 or item.image_number is not None or item.aspect is not None:
            raise ValueError(f"item {item.key!r} has settings TXT cannot hold; write CSV instead")
        if "\n" in item.key or "\r" in item.key:
            raise ValueError(f"item {item.key!r} has a multi-line id; write CSV instead")
        if any(not line.strip() for line in item.prompt.split("\n")):
            raise ValueError(f"item {item.key!r} has a blank line in its prompt; write CSV instead")
        blocks.append(item.key if item.prompt == item.key else f"{item.key}\n{item.prompt}")
    write_text_atomically(Path(path), "\n\n".join(blocks) + "\n" if blocks else "")
