"""Offline text to speech with espeak-ng, the library and voice data shipped in the
``espeakng-loader`` wheel, driven through ctypes.

espeak-ng keeps its voice, rate and output callback in process-wide state, so every synthesis
holds one lock; the work runs in a worker thread so the event loop never waits on it.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Final

import anyio

from framecast.core.errors import ConfigurationError, InvalidInputError, PermanentError
from framecast.providers.base import AudioFormat, SpeechAudio
from framecast.providers.offline.audio import encode_pcm, pcm_to_wav

PROVIDER_NAME: Final = "offline"
DEFAULT_VOICE: Final = "en-us+f2"  # pocketsphinx hears this voice best of espeak's English ones
DEFAULT_RATE_WPM: Final = 160
MAX_TEXT_CHARS: Final = 5_000

# espeak_AUDIO_OUTPUT: the callback receives the samples, synchronously, inside espeak_Synth.
_AUDIO_OUTPUT_SYNCHRONOUS: Final = 2
# espeakINITIALIZE_DONT_EXIT: report a missing data directory instead of calling exit().
_INITIALIZE_DONT_EXIT: Final = 0x8000
_ESPEAK_RATE: Final = 1
_ESPEAK_CHARS_UTF8: Final = 1
_EE_OK: Final = 0
_NOISE_SEED: Final = 1
# espeak-ng names its British English voice file "en"; the usual tag "en-gb" does not find it.
_VOICE_ALIASES: Final = {"en-gb": "en", "en-uk": "en"}

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Espeak:
    """The one espeak-ng instance of this process."""

    def __init__(self) -> None:
        try:
            import espeakng_loader  # type: ignore[import-untyped]
        except ImportError as error:  # pragma: no cover - depends on the installation
            raise ConfigurationError(
                "offline text to speech needs espeak-ng: pip install espeakng-loader"
            ) from error
        self.lock = threading.Lock()
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        self._lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        rate = self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise ConfigurationError(f"espeak-ng could not start with its data at {data_path.decode()}")
        self.sample_rate: int = rate
        self._chunks: list[bytes] = []
        # Kept on the instance: ctypes frees a callback whose Python object is collected.
        self._callback = _SynthCallback(self._receive)
        self._lib.espeak_SetSynthCallback(self._callback)

    def _receive(self, samples: ctypes._Pointer[ctypes.c_short], count: int, _events: int | None) -> int:
        if samples and count > 0:
            self._chunks.append(ctypes.string_at(samples, count * 2))
        return 0  # 0 = go on synthesizing

    def speak(self, text: str, voice: str, rate_wpm: int) -> bytes:
        """Mono 16-bit PCM at ``sample_rate``; the caller holds ``lock``.

        Raises ``InvalidInputError`` for a voice espeak-ng does not know.
        """
        base, plus, variant = voice.partition("+")
        name = _VOICE_ALIASES.get(base.lower(), base) + plus + variant
        if self._lib.espeak_SetVoiceByName(name.encode()) != _EE_OK:
            raise InvalidInputError(f"espeak-ng has no voice {voice!r} (try en-us, en-gb or en-us+f2)")
        self._lib.espeak_SetParameter(_ESPEAK_RATE, rate_wpm, 0)
        self._chunks = []
        # Breath and aspiration noise from the same seed each time; the rest of espeak-ng's state
        # (its pitch flutter's phase) still runs on from the last utterance (see fresh_speech.py).
        self._lib.espeak_ng_SetRandSeed(_NOISE_SEED)
        encoded = text.encode() + b"\0"
        status = self._lib.espeak_Synth(encoded, len(encoded), 0, 0, 0, _ESPEAK_CHARS_UTF8, None, None)
        if status != _EE_OK:
            raise PermanentError(f"espeak-ng failed with status {status}", provider=PROVIDER_NAME)
        return b"".join(self._chunks)


_engine: _Espeak | None = None
_engine_lock = threading.Lock()


def _espeak() -> _Espeak:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = _Espeak()
        return _engine


def prepare() -> None:
    """Load espeak-ng and its voice data now rather than on the first utterance.

    Raises ``ConfigurationError`` when espeak-ng is missing.
    """
    _espeak()


def speak_pcm(
    text: str, *, voice: str = DEFAULT_VOICE, rate_wpm: int = DEFAULT_RATE_WPM
) -> tuple[bytes, int]:
    """Blocking: ``text`` spoken by espeak-ng as mono 16-bit PCM, with its sample rate.

    Raises ``InvalidInputError`` for an unknown voice, ``ConfigurationError`` when espeak-ng is
    missing.
    """
    engine = _espeak()
    with engine.lock:
        return engine.speak(text, voice, rate_wpm), engine.sample_rate


class OfflineTextToSpeechProvider:
    """``TextToSpeech`` with espeak-ng; voices are espeak-ng names such as ``en-us+f2`` or ``en-gb``."""

    name = PROVIDER_NAME

    def __init__(self, *, default_voice: str = DEFAULT_VOICE, rate_wpm: int = DEFAULT_RATE_WPM) -> None:
        self.default_voice = default_voice
        self.rate_wpm = rate_wpm

    async def synthesize(
        self, text: str, *, voice: str | None = None, audio_format: AudioFormat = "mp3"
    ) -> SpeechAudio:
        """Speech for ``text`` as WAV (``audio/wav``) or MP3 (``audio/mpeg``).

        Raises ``InvalidInputError`` when the text is empty or longer than ``MAX_TEXT_CHARS``, or
        the voice is unknown.
        """
        if not text.strip():
            raise InvalidInputError("there is no text to speak")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInputError(f"the text to speak is longer than {MAX_TEXT_CHARS} characters")
        return await anyio.to_thread.run_sync(
            self._synthesize, text, voice or self.default_voice, audio_format
        )

    def _synthesize(self, text: str, voice: str, audio_format: AudioFormat) -> SpeechAudio:
        pcm, sample_rate = speak_pcm(text, voice=voice, rate_wpm=self.rate_wpm)
        if audio_format == "wav":
            return SpeechAudio(data=pcm_to_wav(pcm, sample_rate), mime="audio/wav", sample_rate=sample_rate)
        codec = "libmp3lame" if "libmp3lame" in _encoders() else "mp3"
        data = encode_pcm(pcm, sample_rate, codec=codec, container="mp3")
        return SpeechAudio(data=data, mime="audio/mpeg", sample_rate=sample_rate)


def _encoders() -> set[str]:
    import av

    return set(av.codecs_available)
