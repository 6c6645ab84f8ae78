from __future__ import annotations

import io
import wave

import pytest
from tests.speech_audio import in_a_room, spoken_wav

from framecast.core.errors import InvalidInputError
from framecast.providers.base import SpeechToText, TextToSpeech
from framecast.providers.offline.audio import decode_to_pcm, encode_pcm, pcm_to_wav
from framecast.providers.offline.stt import OfflineSpeechToTextProvider, word_error_rate
from framecast.providers.offline.tts import OfflineTextToSpeechProvider, speak_pcm

SENTENCE = "Yesterday I went to the park and I saw a dog."
# Measured on clean speech: en-us+f2 at 160 wpm comes back word for word from WAV, webm/opus,
# ogg/opus and MP3, and with one word wrong (WER 0.09) through AAC; the bound leaves room for
# another engine build. Every recording here is heard over a quiet room's noise floor.
MAX_WER = 0.3


@pytest.fixture(scope="module")
def stt() -> OfflineSpeechToTextProvider:
    return OfflineSpeechToTextProvider()


@pytest.fixture(scope="module")
def sentence_pcm() -> bytes:
    """The sentence spoken by en-us+f2 in a quiet room, resampled to the 16 kHz PCM the recogniser
    uses."""
    return decode_to_pcm(spoken_wav(SENTENCE))


def test_the_providers_satisfy_the_speech_protocols(stt: OfflineSpeechToTextProvider) -> None:
    assert isinstance(stt, SpeechToText)
    assert isinstance(OfflineTextToSpeechProvider(), TextToSpeech)


async def test_espeak_speaks_the_sentence_as_a_valid_wav() -> None:
    speech = await OfflineTextToSpeechProvider().synthesize(SENTENCE, voice="en-us+f2", audio_format="wav")

    assert speech.mime == "audio/wav"
    with wave.open(io.BytesIO(speech.data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth()) == (1, 2)
        assert reader.getframerate() == speech.sample_rate
        seconds = reader.getnframes() / reader.getframerate()
    assert 1.5 < seconds < 6


async def test_pocketsphinx_hears_most_words_of_the_spoken_wav(stt: OfflineSpeechToTextProvider) -> None:
    speech = await OfflineTextToSpeechProvider().synthesize(SENTENCE, audio_format="wav")
    rate = speech.sample_rate or 22050
    heard_in_a_room = pcm_to_wav(in_a_room(decode_to_pcm(speech.data, sample_rate=rate), rate), rate)

    transcript = await stt.transcribe(heard_in_a_room, mime="audio/wav")

    assert word_error_rate(SENTENCE, transcript.text) <= MAX_WER
    assert transcript.words
    assert [w.word for w in transcript.words] == transcript.text.split()
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert all(w.start < w.end for w in transcript.words)
    assert transcript.words[-1].end <= 6
    assert all(w.confidence is not None and 0 <= w.confidence <= 1 for w in transcript.words)


async def test_the_default_mp3_is_mpeg_audio_that_transcribes(stt: OfflineSpeechToTextProvider) -> None:
    speech = await OfflineTextToSpeechProvider().synthesize(SENTENCE)

    assert speech.mime == "audio/mpeg"
    assert speech.data[:3] == b"ID3" or speech.data[:2] == b"\xff\xfb"
    rate = speech.sample_rate or 22050
    heard_in_a_room = encode_pcm(
        in_a_room(decode_to_pcm(speech.data, sample_rate=rate), rate),
        rate,
        codec="libmp3lame",
        container="mp3",
    )
    assert word_error_rate(SENTENCE, (await stt.transcribe(heard_in_a_room)).text) <= MAX_WER


@pytest.mark.parametrize(
    ("codec", "container"),
    [("libopus", "webm"), ("libopus", "ogg"), ("aac", "mp4")],
    ids=["webm-opus", "ogg-opus", "mp4-aac"],
)
async def test_browser_recordings_decode_and_transcribe(
    stt: OfflineSpeechToTextProvider, sentence_pcm: bytes, codec: str, container: str
) -> None:
    recording = encode_pcm(sentence_pcm, 16_000, codec=codec, container=container)

    transcript = await stt.transcribe(recording, mime=f"audio/{container}")

    assert word_error_rate(SENTENCE, transcript.text) <= MAX_WER


@pytest.mark.parametrize(
    ("garbage", "problem"),
    [
        (b"", "the audio could not be decoded: it is empty"),
        (b"\x00" * 10, "not a recording: it starts with 00 00 00"),
        (b"not audio at all, just some text" * 50, "not a recording: it looks like plain text"),
        (b"OggS" + b"\x00" * 60, "the audio could not be decoded"),
    ],
)
async def test_bytes_that_are_not_audio_are_invalid_input(
    stt: OfflineSpeechToTextProvider, garbage: bytes, problem: str
) -> None:
    with pytest.raises(InvalidInputError, match=problem):
        await stt.transcribe(garbage)


async def test_an_unknown_voice_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="no voice"):
        await OfflineTextToSpeechProvider().synthesize("hello", voice="xx-nowhere")


async def test_empty_text_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="no text"):
        await OfflineTextToSpeechProvider().synthesize("   ")


async def test_only_english_is_understood(stt: OfflineSpeechToTextProvider, sentence_pcm: bytes) -> None:
    with pytest.raises(InvalidInputError, match="English only"):
        await stt.transcribe(sentence_pcm, language="ko")


def test_the_british_voice_is_found_by_its_usual_tag() -> None:
    pcm, rate = speak_pcm("hello", voice="en-gb")

    assert len(pcm) > rate // 2  # more than a quarter second of 16-bit samples


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("I saw a dog.", "i saw a dog", 0.0),
        ("I saw a dog", "", 1.0),
        ("I saw a dog", "i saw the dog", 0.25),
        ("I saw a dog", "i saw a big dog", 0.25),
        ("I saw a dog", "saw a dog", 0.25),
    ],
)
def test_word_error_rate_counts_edits_per_reference_word(
    reference: str, hypothesis: str, expected: float
) -> None:
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)
