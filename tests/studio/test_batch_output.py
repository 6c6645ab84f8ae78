from __future__ import annotations

import csv
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from framecast.providers.base import Aspect
from framecast.studio.batch_input import BatchItem, read_batch_file
from framecast.studio.batch_output import (
    MAX_STEM_BYTES,
    MAX_STEM_CHARS,
    ResultRow,
    find_name_clash,
    from_spreadsheet,
    output_names,
    safe_stem,
    spreadsheet_safe,
    write_failed_csv,
    write_failed_txt,
    write_results_csv,
)

_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
_WINDOWS_DEVICES = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(10)),
    *(f"lpt{n}" for n in range(10)),
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder of our own (tmp_path also holds the suite's data and work folders)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def looks_safe(stem: str) -> bool:
    return (
        0 < len(stem) <= MAX_STEM_CHARS
        and len(stem.encode("utf-8")) <= MAX_STEM_BYTES
        and not stem.startswith(".")
        and stem == stem.strip()
        and not (_WINDOWS_FORBIDDEN | {";"}) & set(stem)
        and not any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for char in stem)
        and stem.split(".", 1)[0].rstrip().lower() not in _WINDOWS_DEVICES
    )


# --- names ----------------------------------------------------------------------------------------


def test_one_output_is_named_after_the_id() -> None:
    assert output_names("shot1", 1, "mp4") == ["shot1.mp4"]
    assert output_names("2 AROLL", 1, ".png") == ["2 AROLL.png"]


def test_several_outputs_are_numbered_from_one() -> None:
    assert output_names("shot1", 3, "mp4") == ["shot1_1.mp4", "shot1_2.mp4", "shot1_3.mp4"]


def test_an_empty_extension_gives_bare_stems() -> None:
    assert output_names("a", 2, "") == ["a_1", "a_2"]


def test_a_count_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="count must be at least 1"):
        output_names("a", 0, "mp4")


@pytest.mark.parametrize("key", ["shot1", "2 AROLL", "café crème", "a.b", "x-y_z", "鳥", "it's"])
def test_safe_ids_are_kept_as_they_are(key: str) -> None:
    assert safe_stem(key) == key


@pytest.mark.parametrize(
    ("key", "kept"),
    [
        ("../etc/passwd", "_.._etc_passwd"),
        ("a/b\\c", "a_b_c"),
        ("what?: <yes>|no*", "what__ _yes__no_"),
        ("line\nbreak\ttab", "line_break_tab"),
        (".hidden", "_.hidden"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1 ", "_com1"),
        ("a;b", "a_b"),
        ("tilde~", "tilde_"),
        ("  padded ", "padded"),
        ("\u202eevil", "_evil"),
    ],
)
def test_unsafe_ids_are_rewritten_and_marked_with_a_hash(key: str, kept: str) -> None:
    stem = safe_stem(key)

    head, _, digest = stem.rpartition("~")
    assert head == kept
    assert len(digest) == 16
    assert all(char in "0123456789abcdef" for char in digest)
    assert looks_safe(stem)


def test_an_empty_or_dot_only_id_still_gets_a_name() -> None:
    assert looks_safe(safe_stem(""))
    assert safe_stem(".").startswith("_.~")
    assert safe_stem("..") != safe_stem(".")


def test_long_ids_are_shortened_within_both_limits() -> None:
    long_ascii = safe_stem("a" * 500)
    long_wide = safe_stem("鳥" * 100)

    assert len(long_ascii) == MAX_STEM_CHARS
    assert len(long_wide.encode("utf-8")) <= MAX_STEM_BYTES
    assert long_ascii != safe_stem("a" * 501)
    assert safe_stem("a" * MAX_STEM_CHARS) == "a" * MAX_STEM_CHARS


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_every_stem_is_a_safe_file_name(key: str) -> None:
    assert looks_safe(safe_stem(key))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=30))
def test_different_ids_never_get_the_same_stem(first: str, second: str) -> None:
    assume(first != second)

    assert safe_stem(first) != safe_stem(second)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "a_1", "A", "b/", "b_", "b~", ".c", "_.c", "é", "e\u0301"]),
            st.integers(1, 4),
        ),
        min_size=2,
        max_size=5,
        unique_by=lambda pair: pair[0],
    )
)
def test_a_batch_without_a_reported_clash_writes_distinct_files(pairs: list[tuple[str, int]]) -> None:
    items = [BatchItem(key, "p", count) for key, count in pairs]
    names = [
        unicodedata.normalize("NFC", name).casefold()
        for key, count in pairs
        for name in output_names(key, count, "mp4")
    ]

    assert (find_name_clash(items) is None) == (len(set(names)) == len(names))


def test_a_clash_names_both_items_and_the_shared_name() -> None:
    first, second = BatchItem("shot", "p", 2, line=2), BatchItem("shot_2", "p", 1, line=3)

    assert find_name_clash([first, second]) == (first, second, "shot_2")


def test_names_equal_after_unicode_normalisation_clash() -> None:
    composed, decomposed = BatchItem("caf\u00e9", "p"), BatchItem("cafe\u0301", "p")

    assert find_name_clash([composed, decomposed]) == (composed, decomposed, "cafe\u0301")


# --- results.csv ----------------------------------------------------------------------------------


def test_results_csv_has_one_row_per_item_with_files_joined(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    write_results_csv(
        path,
        [
            ResultRow("a", 'say "hi",\nthen go', "succeeded", ("a_1.mp4", "a_2.mp4"), None),
            ResultRow("b", "x", "failed", (), "provider: quota exhausted"),
        ],
    )

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["id", "prompt", "status", "files", "error"],
        ["a", 'say "hi",\nthen go', "succeeded", "a_1.mp4;a_2.mp4", ""],
        ["b", "x", "failed", "", "provider: quota exhausted"],
    ]


def test_results_csv_refuses_a_file_name_with_the_separator(folder: Path) -> None:
    with pytest.raises(ValueError, match="contains ';'"):
        write_results_csv(folder / "results.csv", [ResultRow("a", "x", "succeeded", ("a;b.mp4",), None)])
    assert list(folder.iterdir()) == []


# --- failed.csv / failed.txt ----------------------------------------------------------------------

_ITEMS = (
    BatchItem("shot1", 'a "quoted", multi\nline prompt', 2, 7, Aspect.PORTRAIT, 2),
    BatchItem("2", "plain", 1, None, None, 3),
    BatchItem("café, 3", "inner  spacing\n  kept", 4, 1, Aspect.LANDSCAPE, 4),
)


def _ignoring_lines(items: tuple[BatchItem, ...]) -> list[tuple[object, ...]]:
    return [(i.key, i.prompt, i.count, i.image_number, i.aspect) for i in items]


def test_failed_csv_reads_back_as_the_same_items(tmp_path: Path) -> None:
    path = tmp_path / "failed.csv"
    write_failed_csv(path, _ITEMS, "number_of_videos", include_image_number=True)

    batch = read_batch_file(path, count_column="number_of_videos")

    assert (
        path.read_text(encoding="utf-8").splitlines()[0]
        == "id,prompt,number_of_videos,image_number,aspect_ratio"
    )
    assert _ignoring_lines(batch.items) == _ignoring_lines(_ITEMS)


def test_failed_csv_has_only_the_columns_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "failed.csv"
    write_failed_csv(path, [BatchItem("1", "x", 3)], "number_of_images", include_image_number=False)

    assert path.read_text(encoding="utf-8") == "id,prompt,number_of_images\n1,x,3\n"


def test_failed_csv_leaves_image_number_empty_for_items_matched_by_id(tmp_path: Path) -> None:
    path = tmp_path / "failed.csv"
    write_failed_csv(path, [BatchItem("4", "x")], "number_of_videos", include_image_number=True)

    assert path.read_text(encoding="utf-8") == "id,prompt,number_of_videos,image_number\n4,x,1,\n"
    assert read_batch_file(path, count_column="number_of_videos").items[0].image_number is None


def test_failed_csv_refuses_an_unknown_count_column(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="count_column"):
        write_failed_csv(tmp_path / "failed.csv", _ITEMS, "videos", include_image_number=False)


_FAILED_KEYS = (
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=10)
    .map(str.strip)
    .filter(bool)
)
_FAILED_PROMPTS = (
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00"), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            BatchItem,
            key=_FAILED_KEYS,
            prompt=_FAILED_PROMPTS,
            count=st.integers(1, 4),
            image_number=st.none() | st.integers(1, 999),
            aspect=st.none() | st.sampled_from([Aspect.LANDSCAPE, Aspect.PORTRAIT]),
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda item: unicodedata.normalize("NFC", item.key).casefold(),
    )
)
def test_any_failed_csv_round_trips_through_the_reader(items: list[BatchItem]) -> None:
    assume(find_name_clash(items) is None)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "failed.csv"
        write_failed_csv(path, items, "number_of_videos", include_image_number=True)

        batch = read_batch_file(path, count_column="number_of_videos")

    assert _ignoring_lines(batch.items) == _ignoring_lines(tuple(items))


def test_failed_txt_reads_back_as_the_same_items(tmp_path: Path) -> None:
    items = (BatchItem("2 AROLL", "[VISUAL] a\n  [VOICE] b"), BatchItem("same", "same"))
    path = tmp_path / "failed.txt"
    write_failed_txt(path, items)

    assert path.read_text(encoding="utf-8") == "2 AROLL\n[VISUAL] a\n  [VOICE] b\n\nsame\n"
    assert _ignoring_lines(read_batch_file(path, count_column="number_of_videos").items) == _ignoring_lines(
        items
    )


@pytest.mark.parametrize(
    "item",
    [BatchItem("a", "x", count=2), BatchItem("a", "x", image_number=1), BatchItem("a", "one\n\ntwo")],
)
def test_failed_txt_refuses_what_txt_cannot_hold(tmp_path: Path, item: BatchItem) -> None:
    with pytest.raises(ValueError, match="write CSV instead"):
        write_failed_txt(tmp_path / "failed.txt", [item])


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "'=already quoted", "''two quotes", "plain"],
)
def test_a_formula_in_a_csv_cell_is_neutralised_and_reads_back_as_written(text: str) -> None:
    shown = spreadsheet_safe(text)

    assert not shown.startswith(("=", "+", "-", "@"))
    assert from_spreadsheet(shown) == text


def test_an_ordinary_leading_quote_is_left_alone() -> None:
    assert spreadsheet_safe("'Twas the night") == "'Twas the night"
    assert from_spreadsheet("'Twas the night") == "'Twas the night"


def test_results_and_failed_csv_hold_no_live_formula_and_failed_csv_reruns_the_same_prompts(
    tmp_path: Path,
) -> None:
    items = [
        BatchItem(key="=cmd|' /C calc'!A0", prompt='=HYPERLINK("http://evil","x")', count=1, line=2),
        BatchItem(key="-intro", prompt="+a heron at dawn", count=2, line=3),
        BatchItem(key="@owl", prompt="'=quoted on purpose", count=1, line=4),
    ]
    write_results_csv(
        tmp_path / "results.csv",
        [ResultRow(item.key, item.prompt, "failed", (), "=1+1") for item in items],
    )
    write_failed_csv(tmp_path / "failed.csv", items, "number_of_videos", include_image_number=False)

    for name in ("results.csv", "failed.csv"):
        rows = list(csv.reader((tmp_path / name).read_text(encoding="utf-8").splitlines()))
        cells = [cell for row in rows[1:] for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), (name, cells)
    again = read_batch_file(tmp_path / "failed.csv", count_column="number_of_videos")
    assert [(item.key, item.prompt, item.count) for item in again.items] == [
        (item.key, item.prompt, item.count) for item in items
    ]
