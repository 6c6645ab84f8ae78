"""Reading batch files: TXT blocks and CSV rows become :class:`BatchItem` values.

TXT
    Blocks separated by blank lines (a line of only whitespace counts as blank). The first line of a
    block is the id, the remaining lines are the prompt; a one-line block is both id and prompt. Every
    TXT item has count 1.

CSV
    A header row, then one row per item. Column names are trimmed and compared without case. ``id`` and
    ``prompt`` are required; the count column (``number_of_videos`` or ``number_of_images``, each
    accepted in place of the other), ``image_number`` and ``aspect_ratio`` are optional; other columns
    are ignored. Quoted fields may hold commas, quotes and line breaks. Blank rows are skipped.

Both formats are UTF-8 with or without a BOM, with CRLF, LF or CR line ends (line breaks inside a
prompt become ``"\\n"``). Every problem raises :class:`BatchInputError`, whose message names the file
and the physical line where the offending item starts.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from framecast.core.errors import BatchInputError, InvalidInputError
from framecast.providers.base import MAX_COUNT, Aspect
from framecast.studio.batch_output import find_name_clash, from_spreadsheet

CountColumn = Literal["number_of_videos", "number_of_images"]
COUNT_COLUMNS: tuple[CountColumn, ...] = ("number_of_videos", "number_of_images")

# Far beyond any real batch; stops a mistaken upload (a video renamed .csv) from filling memory.
MAX_FILE_BYTES = 64 * 1024 * 1024

# Nine digits keep int() away from Python's limit on huge digit strings; "3.0" is how pandas writes
# an integer column that has gaps, and such files are common re-run inputs.
_WHOLE_NUMBER = re.compile(r"([0-9]{1,9})(?:\.0+)?")
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_LINE_BREAK_TEXT = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class BatchItem:
    """One entry of a batch: what to generate and where in the file it was written.

    ``key`` is the user's id, unique within its batch; output files are named after it (see
    :func:`framecast.studio.batch_output.output_names`). ``line`` is the 1-based physical line where
    the item starts in its file, or 0 for an item that did not come from a file.
    """

    key: str
    prompt: str
    count: int = 1
    image_number: int | None = None
    aspect: Aspect | None = None
    line: int = 0


@dataclass(frozen=True)
class BatchFile:
    """A batch file that passed validation; ``items`` keep the file's order."""

    path: Path
    format: Literal["txt", "csv"]
    items: tuple[BatchItem, ...]
    count_column: CountColumn


def read_batch_file(
    path: Path,
    *,
    count_column: CountColumn,
    max_items: int = 10_000,
) -> BatchFile:
    """Read and validate a ``.txt`` or ``.csv`` batch file (extension compared without case).

    ``count_column`` names the CSV count column this batch wants; the other count column is accepted
    as a synonym. Raises :class:`BatchInputError` on the first problem: unsupported extension, a file
    that cannot be read, is not UTF-8 or holds NUL characters, a malformed CSV, a missing column, an
    empty id or prompt, a count outside 1..4, a bad ``image_number`` or ``aspect_ratio``, a duplicate
    id, two ids whose output files would share a name, no items, or more than ``max_items`` items.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".csv"):
        shown = f"'{path.suffix}'" if path.suffix else "without an extension"
        raise BatchInputError(path, None, f"unsupported file type {shown}; use a .txt or .csv file")
    lines = _physical_lines(_read_text(path))
    collected = _Collector(path, max_items)
    if suffix == ".txt":
        _parse_txt(path, lines, collected)
        file_format: Literal["txt", "csv"] = "txt"
    else:
        _parse_csv(path, lines, count_column, collected)
        file_format = "csv"
    if not collected.items:
        raise BatchInputError(path, None, "the file has no items")
    _refuse_name_clashes(path, collected.items)
    return BatchFile(path, file_format, tuple(collected.items), count_column)


class _Collector:
    """Accepts items in file order, refusing duplicates and too many items as they arrive."""

    def __init__(self, path: Path, max_items: int) -> None:
        self.path = path
        self.max_items = max_items
        self.items: list[BatchItem] = []
        self.first_line: dict[str, int] = {}

    def add(self, item: BatchItem) -> None:
        if item.key in self.first_line:
            first = self.first_line[item.key]
            raise BatchInputError(self.path, item.line, f"duplicate id {item.key!r} (first on line {first})")
        if len(self.items) >= self.max_items:
            raise BatchInputError(
                self.path, item.line, f"the file has more than {self.max_items} items; split it"
            )
        self.first_line[item.key] = item.line
        self.items.append(item)


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BatchInputError(path, None, "the file does not exist") from None
    except IsADirectoryError:
        raise BatchInputError(path, None, "this is a folder, not a file") from None
    except OSError as error:
        raise BatchInputError(path, None, f"the file cannot be read ({error.strerror or error})") from error
    if len(data) > MAX_FILE_BYTES:
        raise BatchInputError(path, None, f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BatchInputError(path, None, "the file is UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(_LINE_BREAK.findall(data, 0, error.start)) + 1
        problem = f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"
        raise BatchInputError(path, line, problem) from None
    if "\x00" in text:
        line = _physical_line_of(text, text.index("\x00"))
        raise BatchInputError(path, line, "the file contains a NUL character; is it really a text file?")
    return text


def _physical_line_of(text: str, offset: int) -> int:
    return len(_LINE_BREAK_TEXT.findall(text, 0, offset)) + 1


def _physical_lines(text: str) -> list[str]:
    """Split on CRLF, LF and CR only: other Unicode line separators stay inside prompts."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _check_key(path: Path, line: int, key: str) -> None:
    if not key:
        raise BatchInputError(path, line, "id is empty")
    if any(unicodedata.category(char) == "Cc" for char in key):
        raise BatchInputError(path, line, f"id {key!r} contains a line break or control character")


# --- TXT ---------------------------------------------------------------------------------------


def _parse_txt(path: Path, lines: list[str], collected: _Collector) -> None:
    block: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            block.append((number, line))
        elif block:
            collected.add(_txt_item(path, block))
            block = []
    if block:
        collected.add(_txt_item(path, block))


def _txt_item(path: Path, block: list[tuple[int, str]]) -> BatchItem:
    line, first = block[0]
    key = first.strip()
    _check_key(path, line, key)
    # Only the prompt's outer whitespace goes: indentation and spacing inside it may be deliberate.
    prompt = "\n".join(text for _, text in block[1:]).strip() or key
    return BatchItem(key=key, prompt=prompt, line=line)


# --- CSV ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    width: int
    key: int
    prompt: int
    count: int | None
    image_number: int | None
    aspect: int | None


def _parse_csv(path: Path, lines: list[str], count_column: CountColumn, collected: _Collector) -> None:
    # Feeding physical lines one by one lets reader.line_num tell where each row ends, so the next
    # row's first line is known even when quoted fields span several lines.
    reader = csv.reader(_with_newlines(lines), strict=True, skipinitialspace=True)
    columns: _Columns | None = None
    row_start = 1
    try:
        for row in reader:
            start, row_start = row_start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _parse_header(path, start, row, count_column)
            else:
                collected.add(_csv_item(path, start, row, columns, count_column))
    except csv.Error as error:
        problem = f"malformed CSV ({error}); a field holding commas, quotes or line breaks must be quoted"
        raise BatchInputError(path, row_start, problem + ' and its quotes doubled ("")') from None


def _with_newlines(lines: list[str]) -> Iterator[str]:
    for line in lines:
        yield line + "\n"


def _parse_header(path: Path, line: int, row: list[str], count_column: CountColumn) -> _Columns:
    names = [cell.strip().lower() for cell in row]
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in index and name:
            raise BatchInputError(path, line, f"column {name!r} appears twice in the header")
        index[name] = position
    for required in ("id", "prompt"):
        if required not in index:
            raise BatchInputError(
                path,
                line,
                f"missing column {required!r}; the first row must be a header such as "
                f"id,prompt,{count_column}",
            )
    synonym = next(name for name in COUNT_COLUMNS if name != count_column)
    count = index.get(count_column, index.get(synonym))
    return _Columns(
        width=len(row),
        key=index["id"],
        prompt=index["prompt"],
        count=count,
        image_number=index.get("image_number"),
        aspect=index.get("aspect_ratio"),
    )


def _csv_item(
    path: Path, line: int, row: list[str], columns: _Columns, count_column: CountColumn
) -> BatchItem:
    if len(row) > columns.width and any(cell.strip() for cell in row[columns.width :]):
        raise BatchInputError(
            path,
            line,
            f"the row has {len(row)} fields but the header has {columns.width}; "
            "put a prompt that contains commas in double quotes",
        )

    def cell(position: int | None) -> str:
        return row[position].strip() if position is not None and position < len(row) else ""

    # Ids and prompts a Framecast CSV neutralised against spreadsheet formulas read back as written.
    key = from_spreadsheet(cell(columns.key))
    _check_key(path, line, key)
    prompt = from_spreadsheet(cell(columns.prompt))
    if not prompt:
        raise BatchInputError(path, line, "the prompt is empty")
    return BatchItem(
        key=key,
        prompt=prompt,
        count=_count(path, line, cell(columns.count)),
        image_number=_image_number(path, line, cell(columns.image_number)),
        aspect=_aspect(path, line, cell(columns.aspect), count_column),
        line=line,
    )


def _count(path: Path, line: int, raw: str) -> int:
    if not raw:
        return 1
    match = _WHOLE_NUMBER.fullmatch(raw)
    if match is None or not 1 <= int(match.group(1)) <= MAX_COUNT:
        raise BatchInputError(path, line, f"count must be a whole number from 1 to {MAX_COUNT}, got {raw!r}")
    return int(match.group(1))


def _image_number(path: Path, line: int, raw: str) -> int | None:
    if not raw:
        return None
    match = _WHOLE_NUMBER.fullmatch(raw)
    if match is None or int(match.group(1)) < 1:
        raise BatchInputError(path, line, f"image_number must be a whole number of 1 or more, got {raw!r}")
    return int(match.group(1))


def _aspect(path: Path, line: int, raw: str, count_column: CountColumn) -> Aspect | None:
    if not raw:
        return None
    try:
        aspect = Aspect.parse(raw)
    except InvalidInputError as error:
        raise BatchInputError(path, line, str(error)) from None
    if aspect is Aspect.SQUARE and count_column == "number_of_videos":
        raise BatchInputError(path, line, "aspect_ratio: video can be landscape or portrait, not square")
    return aspect


def _refuse_name_clashes(path: Path, items: list[BatchItem]) -> None:
    clash = find_name_clash(items)
    if clash is not None:
        earlier, later, name = clash
        raise BatchInputError(
            path,
            later.line,
            f"id {later.key!r} and id {earlier.key!r} (line {earlier.line}) would both save files "
            f"named '{name}' (file names ignore case on Windows and macOS); rename one of them",
        )
