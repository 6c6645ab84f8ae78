"""The GenAIPro event decoder (bytes -> events) and interpreter (event -> message)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from framecast.providers.base import HistoryStatus, MediaItem
from framecast.providers.genaipro.sse import (
    Completed,
    CompletedItem,
    Failed,
    Malformed,
    SSEDecoder,
    SSEEvent,
    Status,
    decode_events,
    history_status,
    interpret,
    normalise_status,
    parse_timestamp,
)

DOC_EXAMPLE = (
    b"event: video_generation_status\n"
    b'data: "starting"\n'
    b"\n"
    b"event: video_generation_status\n"
    b'data: "processing"\n'
    b"\n"
    b"event: video_generation_complete\n"
    b'data: [{"id":"abc123","prompt":"A cat playing with a ball in a garden",'
    b'"file_url":"https://example.com/video1.mp4","status":"completed",'
    b'"created_at":"2026-03-30T10:00:00+07:00"}]\n'
    b"\n"
)


def decode(*chunks: bytes) -> list[SSEEvent]:
    return list(decode_events(chunks))


# --- decoding ----------------------------------------------------------------------------------


def test_the_documented_example_decodes_to_three_events() -> None:
    events = decode(DOC_EXAMPLE)
    assert [event.event for event in events] == [
        "video_generation_status",
        "video_generation_status",
        "video_generation_complete",
    ]
    assert events[0].data == '"starting"'
    assert events[2].data.startswith('[{"id":"abc123"')


def test_fields_without_a_space_after_the_colon_are_read() -> None:
    assert decode(b"event:video_generation_status\ndata:processing\n\n") == [
        SSEEvent("video_generation_status", "processing")
    ]


def test_only_one_space_after_the_colon_is_removed() -> None:
    assert decode(b"data:  two spaces\n\n") == [SSEEvent("message", " two spaces")]


@pytest.mark.parametrize("newline", [b"\n", b"\r", b"\r\n"])
def test_every_line_ending_is_accepted(newline: bytes) -> None:
    body = newline.join([b"event:a", b"data:1", b"", b"event:b", b"data:2", b"", b""])
    assert decode(body) == [SSEEvent("a", "1"), SSEEvent("b", "2")]


def test_a_crlf_split_across_chunks_is_one_line_end() -> None:
    # Were the LF read as a second line end, the blank line would dispatch too early and the
    # second data line would become an event of its own.
    assert decode(b"data:one\r", b"\ndata:two\r", b"\n\r", b"\n") == [SSEEvent("message", "one\ntwo")]


def test_a_lone_cr_at_a_chunk_end_still_ends_the_line() -> None:
    assert decode(b"data:one\r", b"\r") == [SSEEvent("message", "one")]


def test_comments_are_ignored() -> None:
    assert decode(b": keep-alive\nevent:x\n:another\ndata:1\n\n:\n\n") == [SSEEvent("x", "1")]


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode(b'data:{\ndata:  "a": 1\ndata:}\n\n') == [SSEEvent("message", '{\n "a": 1\n}')]


def test_the_event_name_resets_after_each_dispatch() -> None:
    assert decode(b"event:error\ndata:x\n\ndata:y\n\n") == [SSEEvent("error", "x"), SSEEvent("message", "y")]


def test_a_final_event_without_a_blank_line_is_still_dispatched() -> None:
    body = b'event:video_generation_complete\ndata:[{"id":"1","file_url":"u"}]\n'
    assert decode(body) == [SSEEvent("video_generation_complete", '[{"id":"1","file_url":"u"}]')]


def test_a_final_line_without_any_line_end_is_still_dispatched() -> None:
    assert decode(b"event:done\ndata:last") == [SSEEvent("done", "last")]


def test_an_event_without_data_is_not_dispatched() -> None:
    assert decode(b"event:video_generation_status\n\nid:7\nretry:10\n\n") == []


def test_an_empty_data_field_is_dispatched_as_empty_data() -> None:
    assert decode(b"data\n\n") == [SSEEvent("message", "")]


def test_a_leading_byte_order_mark_is_dropped() -> None:
    assert decode(b"\xef\xbb\xbfevent:x\ndata:1\n\n") == [SSEEvent("x", "1")]


def test_a_multibyte_character_split_across_chunks_is_kept_whole() -> None:
    text = "data:Mèo con\n\n".encode()
    cut = text.index(b"\xc3") + 1
    assert decode(text[:cut], text[cut:]) == [SSEEvent("message", "Mèo con")]


def test_unicode_line_separators_do_not_split_lines() -> None:
    assert decode("data:a\u2028b\u0085c\n\n".encode()) == [SSEEvent("message", "a\u2028b\u0085c")]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert decode(b"data:\xff\n\n") == [SSEEvent("message", "\ufffd")]


def test_feed_returns_events_as_soon_as_they_are_complete() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event:a\ndata:1") == []
    assert decoder.feed(b"\n\n") == [SSEEvent("a", "1")]
    assert decoder.close() == []


# --- the round-trip property -------------------------------------------------------------------

_text = st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=12)
_names = st.one_of(st.none(), _text.filter(lambda name: not name.startswith(" ")))
_events = st.lists(st.tuples(_names, st.lists(_text, min_size=1, max_size=3)), max_size=6)


@st.composite
def _encoded_streams(draw: st.DrawFn) -> tuple[list[SSEEvent], bytes]:
    events = draw(_events)
    lines: list[str] = []
    for name, data_lines in events:
        if draw(st.booleans()):
            lines.append(":" + draw(_text))
        if name is not None:
            lines.append(("event: " if draw(st.booleans()) else "event:") + name)
        for line in data_lines:
            # Without the space a line starting with a space would lose it: that is the protocol.
            spaced = line.startswith(" ") or draw(st.booleans())
            lines.append(("data: " if spaced else "data:") + line)
        lines.append("")
    if lines and draw(st.booleans()):
        lines.pop()  # the server may omit the final blank line
    encoded = ""
    previous = ""
    for line in lines:
        choices = ["\n", "\r", "\r\n"]
        if previous == "\r" and line == "":
            choices = ["\r", "\r\n"]  # CR then a bare LF would read as one CRLF line end
        previous = draw(st.sampled_from(choices))
        encoded += line + previous
    expected = [SSEEvent(name or "message", "\n".join(data)) for name, data in events]
    return expected, encoded.encode()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(stream=_encoded_streams(), cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8))
def test_any_encoding_and_any_chunking_decode_to_the_same_events(
    stream: tuple[list[SSEEvent], bytes], cuts: list[int]
) -> None:
    expected, body = stream
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    chunks = [body[start:end] for start, end in zip([0, *points], [*points, len(body)], strict=True)]
    assert decode(*chunks) == expected


# --- interpreting ------------------------------------------------------------------------------


def test_the_documented_example_means_starting_processing_then_one_video() -> None:
    messages = [interpret(event) for event in decode(DOC_EXAMPLE)]
    assert messages[:2] == [Status("starting"), Status("processing")]
    done = messages[2]
    assert isinstance(done, Completed)
    item = done.items[0]
    assert item == CompletedItem(
        id="abc123",
        prompt="A cat playing with a ball in a garden",
        file_urls=("https://example.com/video1.mp4",),
        created_at=datetime(2026, 3, 30, 3, 0, tzinfo=UTC),
    )
    assert item.created_at is not None
    assert item.created_at.utcoffset() == timedelta(hours=7)
    assert done.provider_ids == ("abc123",)


@pytest.mark.parametrize("data", ["processing", '"processing"', ' "processing" '])
def test_a_status_may_be_a_bare_word_or_a_json_string(data: str) -> None:
    assert interpret(SSEEvent("video_generation_status", data)) == Status("processing")


def test_a_status_object_carries_its_percentage() -> None:
    event = SSEEvent("video_generation_status", '{"status":"processing","process_percentage":45}')
    assert interpret(event) == Status("processing", 45)


def test_a_percentage_written_as_text_is_read_and_clamped() -> None:
    assert interpret(SSEEvent("x", '{"status":"processing","process_percentage":"45.6%"}')) == Status(
        "processing", 46
    )
    assert interpret(SSEEvent("x", '{"status":"processing","process_percentage":140}')) == Status(
        "processing", 100
    )


def test_a_status_object_with_an_id_reports_it() -> None:
    assert interpret(SSEEvent("x", '{"id":"h1","status":"MEDIA_GENERATION_STATUS_ACTIVE"}')) == Status(
        "processing", None, ("h1",)
    )


@pytest.mark.parametrize(
    ("word", "plain"),
    [
        ("MEDIA_GENERATION_STATUS_PENDING", "processing"),
        ("MEDIA_GENERATION_STATUS_ACTIVE", "processing"),
        ("MEDIA_GENERATION_STATUS_QUEUED", "processing"),
        ("MEDIA_GENERATION_STATUS_SUCCESSFUL", "completed"),
        ("MEDIA_GENERATION_STATUS_FAILED", "failed"),
        ("pending", "processing"),
        ("Uploading_Images", "uploading_images"),
        ("generating", "generating"),
    ],
)
def test_status_words_are_normalised_to_the_plain_spelling(word: str, plain: str) -> None:
    assert normalise_status(word) == plain


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("completed", HistoryStatus.COMPLETED),
        ("MEDIA_GENERATION_STATUS_SUCCESSFUL", HistoryStatus.COMPLETED),
        ("failed", HistoryStatus.FAILED),
        ("MEDIA_GENERATION_STATUS_FAILED", HistoryStatus.FAILED),
        ("processing", HistoryStatus.PROCESSING),
        ("pending", HistoryStatus.PROCESSING),
        ("MEDIA_GENERATION_STATUS_QUEUED", HistoryStatus.PROCESSING),
        (None, HistoryStatus.PROCESSING),
    ],
)
def test_history_statuses_map_to_three_states(word: str | None, status: HistoryStatus) -> None:
    assert history_status(word) is status


def test_a_completion_without_a_status_field_is_still_a_completion() -> None:
    # The payload observed on the wire: an array of objects with no status at all.
    message = interpret(SSEEvent("video_generation_complete", '[{"id":"v1","prompt":"p","file_url":"u1"}]'))
    assert message == Completed((CompletedItem(id="v1", prompt="p", file_urls=("u1",)),))


def test_any_array_is_a_completion_whatever_the_event_name() -> None:
    message = interpret(SSEEvent("message", '[{"id":"v1","file_url":"u1"},{"id":"v2","file_url":"u2"}]'))
    assert isinstance(message, Completed)
    assert message.provider_ids == ("v1", "v2")


def test_an_image_completion_object_with_file_urls_gives_one_media_item_per_url() -> None:
    data = (
        '{"id":"img9","prompt":"a fox","file_urls":["https://files.genaipro.vn/image_1.png",'
        '"https://files.genaipro.vn/image_2.png"],"created_at":"2026-03-30T10:00:00Z"}'
    )
    message = interpret(SSEEvent("image_generation_complete", data))
    assert isinstance(message, Completed)
    when = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
    assert message.items[0].media_items() == [
        MediaItem("img9", url="https://files.genaipro.vn/image_1.png", prompt="a fox", created_at=when),
        MediaItem("img9", url="https://files.genaipro.vn/image_2.png", prompt="a fox", created_at=when),
    ]


@pytest.mark.parametrize("status", ["completed", "MEDIA_GENERATION_STATUS_SUCCESSFUL"])
def test_an_object_with_a_completed_status_is_a_completion_on_any_event(status: str) -> None:
    message = interpret(
        SSEEvent("video_generation_status", f'{{"id":"v","status":"{status}","file_url":"u"}}')
    )
    assert message == Completed((CompletedItem(id="v", file_urls=("u",)),))


def test_an_object_with_a_file_url_but_no_status_is_a_completion() -> None:
    assert interpret(SSEEvent("message", '{"id":7,"file_urls":["u"]}')) == Completed(
        (CompletedItem(id="7", file_urls=("u",)),)
    )


def test_file_url_and_file_urls_are_merged_without_repeats() -> None:
    message = interpret(SSEEvent("x_complete", '{"id":"a","file_url":"u1","file_urls":["u1","u2"]}'))
    assert isinstance(message, Completed)
    assert message.items[0].file_urls == ("u1", "u2")


def test_a_completion_event_without_urls_is_a_completion_without_urls() -> None:
    message = interpret(SSEEvent("video_generation_complete", '[{"id":"v1","prompt":"p"}]'))
    assert message == Completed((CompletedItem(id="v1", prompt="p"),))


def test_a_completion_event_with_a_bare_url_carries_it() -> None:
    assert interpret(SSEEvent("video_generation_complete", "https://x/v.mp4")) == Completed(
        (CompletedItem(id=None, file_urls=("https://x/v.mp4",)),)
    )


def test_a_bare_completed_status_word_is_only_progress() -> None:
    # The real completion (with URLs) may follow; ending here would lose it.
    assert interpret(SSEEvent("video_generation_status", "completed")) == Status("completed")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ('{"error":"reCAPTCHA evaluation failed","code":403}', Failed("reCAPTCHA evaluation failed", 403)),
        ('{"message":"Create video error","code":"500"}', Failed("Create video error", 500)),
        ('{"code":"UNSAFE_GENERATION","error":"unsafe"}', Failed("unsafe", "UNSAFE_GENERATION")),
        ('{"error":{"message":"nested","code":402}}', Failed("nested", 402)),
        ('"Create video failed"', Failed("Create video failed")),
        ("Create video failed", Failed("Create video failed")),
        ("{not json", Failed("{not json")),
        ("", Failed("unknown error")),
    ],
)
def test_error_events_become_failures(data: str, expected: Failed) -> None:
    assert interpret(SSEEvent("error", data)) == expected


def test_a_generation_error_event_is_a_failure() -> None:
    assert interpret(SSEEvent("generation_error", '{"error":"boom"}')) == Failed("boom")


@pytest.mark.parametrize("status", ["failed", "MEDIA_GENERATION_STATUS_FAILED"])
def test_an_object_with_a_failed_status_is_a_failure(status: str) -> None:
    data = f'{{"id":"v1","status":"{status}","error":"UNSAFE_GENERATION"}}'
    assert interpret(SSEEvent("video_generation_status", data)) == Failed("UNSAFE_GENERATION")


def test_an_object_with_only_an_error_is_a_failure() -> None:
    assert interpret(
        SSEEvent("video_generation_status", '{"error":"Create video error","code":500}')
    ) == Failed("Create video error", 500)


def test_a_processing_object_that_mentions_an_error_is_still_progress() -> None:
    data = '{"status":"processing","error":"upstream busy, retrying","process_percentage":10}'
    assert interpret(SSEEvent("video_generation_status", data)) == Status("processing", 10)


def test_a_completion_array_whose_items_all_failed_is_a_failure() -> None:
    data = '[{"id":"v1","status":"failed","error":"quota"},{"id":"v2","status":"failed"}]'
    assert interpret(SSEEvent("video_generation_complete", data)) == Failed("quota")


def test_a_bare_failed_status_is_a_failure() -> None:
    assert interpret(SSEEvent("video_generation_status", "MEDIA_GENERATION_STATUS_FAILED")) == Failed(
        "the generation failed"
    )


@pytest.mark.parametrize("data", ['{"status": "processing"', "[1, 2", '"unterminated'])
def test_undecodable_json_is_malformed_not_fatal(data: str) -> None:
    assert interpret(SSEEvent("video_generation_status", data)) == Malformed(data)


def test_empty_status_data_is_malformed() -> None:
    message = interpret(SSEEvent("video_generation_status", "  "))
    assert isinstance(message, Malformed)
    assert message.reason == "empty data"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-30T10:00:00Z", datetime(2026, 3, 30, 10, tzinfo=UTC)),
        ("2026-03-30T10:00:00+07:00", datetime(2026, 3, 30, 10, tzinfo=timezone(timedelta(hours=7)))),
        ("2026-03-30T10:00:00.123456Z", datetime(2026, 3, 30, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2026-03-30T10:00:00", datetime(2026, 3, 30, 10, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
        (1711792800, None),
    ],
)
def test_timestamps_are_parsed_with_their_zone(text: object, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected
