from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from framecast.core.errors import BatchInputError, InvalidInputError
from framecast.providers.base import Aspect
from framecast.studio import batch_output
from framecast.studio.batch_input import (
    COUNT_COLUMNS,
    MAX_FILE_BYTES,
    BatchItem,
    CountColumn,
    read_batch_file,
)
from framecast.studio.batch_output import find_name_clash, from_spreadsheet

# Samples shipped with the original app (reference §6.3), byte for byte.
SAMPLE_AROLL_TXT = (
    "2 AROLL\n"
    "[VISUAL] Capybara looking into camera with exhausted, knowing expression.\n"
    "[VOICE STYLE] Deep, manly, American accent.\n"
    '[CAPYBARA VOICEOVER]: Look, I get it. You\'re out here grinding. Doing everything "right."\n'
    "\n"
    "3 AROLL\n"
    "[VISUAL] Close-up of capybara's face slowly nodding, wise and understanding.\n"
    "[VOICE STYLE] Deep, manly, American accent.\n"
    "[CAPYBARA VOICEOVER]: But here's the truth nobody tells you...\n"
    "\n"
    "4 AROLL\n"
    "[VISUAL] Capybara gesturing with its paws, as if explaining something important.\n"
    "[VOICE STYLE] Deep, manly, American accent.\n"
    "[CAPYBARA VOICEOVER]: The system doesn't reward responsibility. It rewards strategy.\n"
)
SAMPLE_AROLL_CSV = (
    "id,prompt,number_of_videos\n"
    "shot1,Slow zoom in on subject with dramatic lighting,1\n"
    "shot2,Camera pans left revealing the environment,1\n"
    "shot3,Subject moves forward towards camera,1\n"
)
SAMPLE_IMAGES_CSV = "id,prompt,number_of_images\n1,capybara eats grass,1\n2,capybara wears fire helmet,2\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    return path


def videos(path: Path) -> tuple[BatchItem, ...]:
    return read_batch_file(path, count_column="number_of_videos").items


def refusal(path: Path, count_column: CountColumn = "number_of_videos") -> BatchInputError:
    with pytest.raises(BatchInputError) as caught:
        read_batch_file(path, count_column=count_column)
    return caught.value


# --- the original app's samples -----------------------------------------------------------------


def test_the_sample_aroll_txt_gives_three_multi_line_prompts_at_their_lines(tmp_path: Path) -> None:
    batch = read_batch_file(write(tmp_path, "a.txt", SAMPLE_AROLL_TXT), count_column="number_of_videos")

    assert batch.format == "txt"
    assert [(item.key, item.line, item.count) for item in batch.items] == [
        ("2 AROLL", 1, 1),
        ("3 AROLL", 6, 1),
        ("4 AROLL", 11, 1),
    ]
    assert batch.items[1].prompt == (
        "[VISUAL] Close-up of capybara's face slowly nodding, wise and understanding.\n"
        "[VOICE STYLE] Deep, manly, American accent.\n"
        "[CAPYBARA VOICEOVER]: But here's the truth nobody tells you..."
    )


def test_the_sample_aroll_csv_gives_one_item_per_row(tmp_path: Path) -> None:
    batch = read_batch_file(write(tmp_path, "a.csv", SAMPLE_AROLL_CSV), count_column="number_of_videos")

    assert batch.format == "csv"
    assert batch.count_column == "number_of_videos"
    assert batch.items == (
        BatchItem("shot1", "Slow zoom in on subject with dramatic lighting", 1, None, None, 2),
        BatchItem("shot2", "Camera pans left revealing the environment", 1, None, None, 3),
        BatchItem("shot3", "Subject moves forward towards camera", 1, None, None, 4),
    )


@pytest.mark.parametrize("count_column", COUNT_COLUMNS)
def test_either_count_column_is_read_as_the_count(tmp_path: Path, count_column: CountColumn) -> None:
    items = read_batch_file(write(tmp_path, "b.csv", SAMPLE_IMAGES_CSV), count_column=count_column).items

    assert [(item.key, item.count) for item in items] == [("1", 1), ("2", 2)]


def test_lines_without_blank_separators_are_one_block(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", "capybara eating grass\ncute cat sleeping\nenergetic dog\n")

    assert videos(path) == (BatchItem("capybara eating grass", "cute cat sleeping\nenergetic dog", line=1),)


# --- TXT details ------------------------------------------------------------------------------------


def test_a_one_line_block_is_both_id_and_prompt(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", "a red fox\n\nbig sky\n")

    assert [(item.key, item.prompt) for item in videos(path)] == [
        ("a red fox", "a red fox"),
        ("big sky", "big sky"),
    ]


def test_whitespace_lines_separate_blocks_and_ids_are_trimmed(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", "\n \n  one  \n   indented prompt\n  second line  \n\t\n\n two\n")

    assert videos(path) == (
        BatchItem("one", "indented prompt\n  second line", line=3),
        BatchItem("two", "two", line=8),
    )


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_line_ends_and_a_bom_are_accepted(tmp_path: Path, newline: str) -> None:
    text = "\ufeffa\nfirst\nsecond\n\nb\n".replace("\n", newline)

    assert videos(write(tmp_path, "p.txt", text)) == (
        BatchItem("a", "first\nsecond", line=1),
        BatchItem("b", "b", line=5),
    )


def test_the_extension_is_compared_without_case(tmp_path: Path) -> None:
    assert read_batch_file(write(tmp_path, "P.TXT", "x\n"), count_column="number_of_images").format == "txt"
    assert (
        read_batch_file(write(tmp_path, "P.Csv", "id,prompt\nx,y\n"), count_column="number_of_images").format
        == "csv"
    )


# --- CSV details ------------------------------------------------------------------------------------


def test_column_names_ignore_case_and_spaces_and_extra_columns_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.csv",
        " Notes , PROMPT ,Id, Number_Of_Videos ,Image_Number,ASPECT_RATIO\nx,a cat,c1,2,7,9:16\n",
    )

    assert videos(path) == (BatchItem("c1", "a cat", 2, 7, Aspect.PORTRAIT, 2),)


def test_quoted_fields_hold_commas_quotes_and_newlines(tmp_path: Path) -> None:
    path = write(
        tmp_path, "b.csv", 'id,prompt,number_of_videos\n"a,1","say ""hi"", then\r\nwave",1\nb,plain,1\n'
    )

    assert videos(path) == (
        BatchItem("a,1", 'say "hi", then\nwave', 1, None, None, 2),
        BatchItem("b", "plain", 1, None, None, 4),
    )


def test_blank_rows_are_skipped_and_lines_stay_physical(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "\nid,prompt,number_of_videos\n\n,,\na,x,1\n  \nb,y,\n")

    assert [(item.key, item.line, item.count) for item in videos(path)] == [("a", 5, 1), ("b", 7, 1)]


def test_optional_columns_may_be_missing_or_short_rows_left_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "id,prompt,number_of_videos,image_number,aspect_ratio\na,x\nb,y,,,\n")

    assert videos(path) == (BatchItem("a", "x", line=2), BatchItem("b", "y", line=3))


def test_whole_numbers_written_as_floats_by_spreadsheets_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "id,prompt,number_of_videos,image_number\na,x,2.0,3.0\n")

    assert videos(path) == (BatchItem("a", "x", 2, 3, None, 2),)


def test_aspect_ratios_accept_provider_enums_and_square_images(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b.csv",
        "id,prompt,aspect_ratio\na,x,VIDEO_ASPECT_RATIO_LANDSCAPE\nb,y,IMAGE_ASPECT_RATIO_SQUARE\n",
    )

    items = read_batch_file(path, count_column="number_of_images").items
    assert [item.aspect for item in items] == [Aspect.LANDSCAPE, Aspect.SQUARE]


def test_a_space_after_a_comma_does_not_break_quoting(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", 'id, prompt, number_of_videos\na, "x, y", 2\n')

    assert videos(path) == (BatchItem("a", "x, y", 2, None, None, 2),)


# --- errors -----------------------------------------------------------------------------------------


def test_a_count_of_9_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "id,prompt,number_of_videos\na,fine,1\nb,too many,9\n")

    error = refusal(path)

    assert (error.line, error.problem) == (3, "count must be a whole number from 1 to 4, got '9'")
    assert str(error) == f"{path}, line 3: count must be a whole number from 1 to 4, got '9'"


def test_an_empty_prompt_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", "id,prompt,number_of_videos\na,fine,1\nb,  ,1\n")

    error = refusal(path)

    assert (error.line, error.problem) == (3, "the prompt is empty")


def test_the_line_is_the_physical_line_after_quoted_newlines(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", 'id,prompt,number_of_videos\na,"one\ntwo\nthree",1\nb,x,0\n')

    assert refusal(path).line == 5


@pytest.mark.parametrize("raw", ["0", "5", "-1", "two", "1.5", "1e3", "99999999999999999999"])
def test_counts_outside_one_to_four_are_refused(tmp_path: Path, raw: str) -> None:
    path = write(tmp_path, "b.csv", f"id,prompt,number_of_images\na,x,{raw}\n")

    assert refusal(path, "number_of_images").problem == (
        f"count must be a whole number from 1 to 4, got '{raw}'"
    )


@pytest.mark.parametrize("raw", ["0", "x", "-2", "1.5"])
def test_bad_image_numbers_are_refused(tmp_path: Path, raw: str) -> None:
    path = write(tmp_path, "b.csv", f"id,prompt,image_number\na,x,{raw}\n")

    error = refusal(path)

    assert (error.line, error.problem) == (
        2,
        f"image_number must be a whole number of 1 or more, got '{raw}'",
    )


def test_an_unknown_aspect_ratio_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt,aspect_ratio\na,x,wide\n"))

    assert error.line == 2
    assert "unknown aspect ratio 'wide'" in error.problem


def test_a_square_video_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt,aspect_ratio\na,x,1:1\n"))

    assert (error.line, error.problem) == (2, "aspect_ratio: video can be landscape or portrait, not square")


@pytest.mark.parametrize("missing", ["id", "prompt"])
def test_a_missing_required_column_is_named(tmp_path: Path, missing: str) -> None:
    header = ",".join(name for name in ("id", "prompt", "number_of_videos") if name != missing)
    error = refusal(write(tmp_path, "b.csv", f"{header}\na,1\n"))

    assert error.line == 1
    assert error.problem.startswith(f"missing column '{missing}';")


def test_a_headerless_csv_is_refused_at_line_one(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "shot1,Slow zoom,1\n"))

    assert (error.line, error.problem.split(";")[0]) == (1, "missing column 'id'")


def test_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt,ID\na,x,y\n"))

    assert (error.line, error.problem) == (1, "column 'id' appears twice in the header")


def test_an_empty_id_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt\na,x\n  ,y\n"))

    assert (error.line, error.problem) == (3, "id is empty")


def test_an_id_with_a_control_character_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", 'id,prompt\n"a\nb",y\n'))

    assert error.line == 2
    assert error.problem == "id 'a\\nb' contains a line break or control character"


def test_a_duplicate_id_names_the_first_line(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt\nx,a\ny,b\nx,c\n"))

    assert (error.line, error.problem) == (4, "duplicate id 'x' (first on line 2)")


def test_a_duplicate_id_in_txt_names_the_first_line(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "p.txt", "x\none\n\ny\n\n x \ntwo\n"))

    assert (error.line, error.problem) == (6, "duplicate id 'x' (first on line 1)")


def test_ids_whose_files_would_collide_are_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt,number_of_videos\nshot,a,2\nshot_1,b,1\n"))

    assert error.line == 3
    assert error.problem.startswith("id 'shot_1' and id 'shot' (line 2) would both save files named 'shot_1'")


def test_ids_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "p.txt", "Fox\n\nfox\n"))

    assert error.line == 3
    assert "'fox' and id 'Fox' (line 1)" in error.problem


def test_a_row_with_more_fields_than_the_header_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt,number_of_videos\na,a cat, running,1\n"))

    assert error.line == 2
    assert error.problem.startswith("the row has 4 fields but the header has 3;")


def test_an_unclosed_quote_is_refused_at_the_row_where_it_opens(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", 'id,prompt\na,x\nb,"never closed\nc,y\nd,z\n'))

    assert error.line == 3
    assert error.problem.startswith("malformed CSV")


def test_text_after_a_closing_quote_is_refused(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", 'id,prompt\na,"x"y\n'))

    assert error.line == 2
    assert error.problem.startswith("malformed CSV")


@pytest.mark.parametrize(
    ("name", "content"),
    [("e.txt", ""), ("e.txt", "\n \n\t\n"), ("e.csv", ""), ("e.csv", "id,prompt,number_of_videos\n\n")],
)
def test_a_file_without_items_is_refused(tmp_path: Path, name: str, content: str) -> None:
    error = refusal(write(tmp_path, name, content))

    assert (error.line, error.problem) == (None, "the file has no items")
    assert str(error) == f"{tmp_path / name}: the file has no items"


def test_more_items_than_allowed_are_refused_at_the_first_extra_item(tmp_path: Path) -> None:
    path = write(tmp_path, "p.txt", "a\n\nb\n\nc\n")

    with pytest.raises(BatchInputError) as caught:
        read_batch_file(path, count_column="number_of_videos", max_items=2)

    assert (caught.value.line, caught.value.problem) == (5, "the file has more than 2 items; split it")


@pytest.mark.parametrize("name", ["batch.xlsx", "batch", "batch.tsv"])
def test_other_extensions_are_refused(tmp_path: Path, name: str) -> None:
    error = refusal(write(tmp_path, name, "id,prompt\na,b\n"))

    assert error.line is None
    assert error.problem.startswith("unsupported file type")
    assert error.problem.endswith("use a .txt or .csv file")


def test_invalid_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", b"id,prompt\r\na,caf\xe9\r\n"))

    assert (error.line, error.problem) == (2, "the file is not valid UTF-8 (byte 0xe9); save it as UTF-8")


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "b.csv", "id,prompt\na,b\n".encode("utf-16")))

    assert error.problem == "the file is UTF-16; save it as UTF-8"


def test_a_nul_character_is_refused_with_its_line(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "p.txt", "a\nb\n\x00\n"))

    assert error.line == 3
    assert "NUL" in error.problem


def test_a_missing_file_and_a_folder_are_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path / "nope.csv").problem == "the file does not exist"
    (tmp_path / "dir.txt").mkdir()
    assert refusal(tmp_path / "dir.txt").problem == "this is a folder, not a file"


def test_an_oversized_file_is_refused_without_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)

    assert refusal(path).problem == f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB"


def test_batch_errors_are_invalid_input_with_exit_code_2(tmp_path: Path) -> None:
    error = refusal(write(tmp_path, "e.txt", ""))

    assert isinstance(error, InvalidInputError)
    assert error.exit_code == 2


def test_both_modules_agree_on_the_count_columns() -> None:
    assert tuple(batch_output.COUNT_COLUMNS) == COUNT_COLUMNS


# --- round trips ----------------------------------------------------------------------------------

_NO_CONTROL = st.characters(exclude_categories=("Cc", "Cs"))
_KEYS = st.text(_NO_CONTROL, min_size=1, max_size=12).map(str.strip).filter(bool)
_TXT_PROMPT_LINES = st.lists(
    st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\x00"), min_size=1, max_size=20
    ).filter(str.strip),
    max_size=3,
)
_CSV_PROMPTS = (
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\x00"), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
_BLANK_LINES = st.lists(st.sampled_from(["", " ", "\t", "  \t "]), min_size=1, max_size=3)
_NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])
_FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _distinct(keys: list[str]) -> bool:
    folded = [unicodedata.normalize("NFC", key).casefold() for key in keys]
    return len(set(folded)) == len(folded)


@_FAST
@given(
    entries=st.lists(
        st.tuples(_KEYS, _TXT_PROMPT_LINES, _BLANK_LINES, st.sampled_from(["", " ", "\t"])),
        min_size=1,
        max_size=6,
    ),
    leading=st.lists(st.sampled_from(["", " "]), max_size=2),
    newline=_NEWLINES,
    bom=st.booleans(),
    final_newline=st.booleans(),
)
def test_txt_items_read_back_equal(
    entries: list[tuple[str, list[str], list[str], str]],
    leading: list[str],
    newline: str,
    bom: bool,
    final_newline: bool,
) -> None:
    assume(_distinct([key for key, *_ in entries]))
    lines = list(leading)
    expected = []
    for key, prompt_lines, separator, padding in entries:
        expected.append(BatchItem(key, "\n".join(prompt_lines).strip() or key, line=len(lines) + 1))
        lines += [padding + key + padding, *prompt_lines, *separator]
    assume(find_name_clash(expected) is None)
    text = newline.join(lines) + (newline if final_newline else "")

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "batch.txt", ("\ufeff" if bom else "") + text)
        assert videos(path) == tuple(expected)


@_FAST
@given(
    rows=st.lists(
        st.tuples(
            _KEYS,
            _CSV_PROMPTS,
            st.integers(1, 4),
            st.none() | st.integers(1, 10**6),
            st.none() | st.sampled_from(list(Aspect)),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
    count_column=st.sampled_from(COUNT_COLUMNS),
    order=st.permutations(["id", "prompt", "count", "image_number", "aspect_ratio", "notes"]),
    header_case=st.sampled_from([str.lower, str.upper, str.title]),
    crlf=st.booleans(),
    bom=st.booleans(),
)
def test_csv_items_read_back_equal(
    rows: list[tuple[str, str, int, int | None, Aspect | None, bool]],
    count_column: CountColumn,
    order: list[str],
    header_case: Callable[[str], str],
    crlf: bool,
    bom: bool,
) -> None:
    assume(_distinct([row[0] for row in rows]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = {"count": count_column}
    writer.writerow([" " + header_case(names.get(column, column)) + " " for column in order])
    expected = []
    for key, prompt, count, image_number, aspect, blank_before in rows:
        if aspect is Aspect.SQUARE and count_column == "number_of_videos":
            aspect = Aspect.PORTRAIT
        if blank_before:
            buffer.write(",,\n")
        line = buffer.getvalue().count("\n") + 1
        # A cell that starts with "'" before a formula start reads as a Framecast CSV neutralised it
        # (batch_output.from_spreadsheet): "''" is read as "'", "'=1" as "=1".
        read = BatchItem(from_spreadsheet(key), from_spreadsheet(prompt), count, image_number, aspect, line)
        expected.append(read)
        cells = {
            "id": key,
            "prompt": prompt,
            "count": str(count),
            "image_number": "" if image_number is None else str(image_number),
            "aspect_ratio": "" if aspect is None else aspect.value,
            "notes": "ignored, really",
        }
        writer.writerow([cells[column] for column in order])
    assume(find_name_clash(expected) is None)
    text = buffer.getvalue()
    if crlf:
        text = text.replace("\n", "\r\n")

    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "batch.csv", ("\ufeff" if bom else "") + text)
        assert read_batch_file(path, count_column=count_column).items == tuple(expected)
