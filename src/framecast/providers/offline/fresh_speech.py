"""Reproducible espeak-ng speech: the same text, voice and rate give the same samples every time.

espeak-ng keeps state from one utterance to the next that no call resets (the phase of its pitch
flutter, for one), so in one process the same sentence spoken twice comes out different, and what a
test or a bench hears would depend on everything spoken before it. Here every utterance is spoken by
a fresh fork of a small process that loaded espeak-ng and has never spoken, with espeak-ng's noise
generator seeded alike, so each utterance starts from the same state. Tests, benches and evaluation
data use it; the Tutor's replies use :func:`framecast.providers.offline.tts.speak_pcm` directly.

The speaker process starts on first use and lives as long as this process; forking it costs a few
milliseconds an utterance.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import struct
import subprocess
import sys
import threading
from typing import IO, Final

from framecast.core.errors import InvalidInputError, PermanentError
from framecast.providers.offline.tts import DEFAULT_RATE_WPM, DEFAULT_VOICE, PROVIDER_NAME

# Each answer: status (0 spoken, 1 refused), sample rate, payload length; then the payload
# (16-bit PCM, or the message of a refusal or a failure in UTF-8).
_HEADER: Final = struct.Struct("<iII")
_SPOKEN: Final = 0
_REFUSED: Final = 1
_FAILED: Final = 2


class _Speaker:
    """The client of one speaker process; utterances are asked for one at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def speak(self, text: str, voice: str, rate_wpm: int) -> tuple[bytes, int]:
        request = json.dumps({"text": text, "voice": voice, "rate_wpm": rate_wpm}).encode() + b"\n"
        with self._lock:
            process = self._started()
            assert process.stdin is not None
            assert process.stdout is not None
            process.stdin.write(request)
            process.stdin.flush()
            status, rate, length = _HEADER.unpack(_read_exactly(process.stdout, _HEADER.size))
            payload = _read_exactly(process.stdout, length)
        if status == _REFUSED:
            raise InvalidInputError(payload.decode())
        if status == _FAILED:
            raise PermanentError(payload.decode(), provider=PROVIDER_NAME)
        return payload, rate

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            atexit.register(_stop, self._process)
        return self._process


def _stop(process: subprocess.Popen[bytes]) -> None:
    """At exit: end the speaker process and collect it, its pipes closed (no "still running")."""
    process.kill()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
    process.wait()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size) if size else b""
    if len(data) != size:
        raise PermanentError("the speech process stopped", provider=PROVIDER_NAME)
    return data


_speaker = _Speaker()


@functools.lru_cache(maxsize=1024)
def speak_fresh_pcm(
    text: str, *, voice: str = DEFAULT_VOICE, rate_wpm: int = DEFAULT_RATE_WPM
) -> tuple[bytes, int]:
    """Blocking: ``text`` spoken by espeak-ng from its starting state, as mono 16-bit PCM with its
    sample rate; the same arguments always give the same samples.

    Raises ``InvalidInputError`` for a voice espeak-ng does not know.
    """
    return _speaker.speak(text, voice, rate_wpm)


def _serve() -> None:
    """The speaker process: load espeak-ng, then fork a child to speak each request."""
    from framecast.providers.offline import tts

    tts.prepare()  # loaded before the first fork, so every child starts from this state
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(reading)
            _speak_into(writing, request)
            os._exit(0)
        os.close(writing)
        with os.fdopen(reading, "rb") as answer:
            spoken = answer.read()
        os.waitpid(child, 0)
        if len(spoken) < _HEADER.size:  # the child died before answering
            message = b"espeak-ng stopped while speaking"
            spoken = _HEADER.pack(_FAILED, 0, len(message)) + message
        out.write(spoken)
        out.flush()


def _speak_into(fd: int, request: dict[str, object]) -> None:
    from framecast.providers.offline import tts

    try:
        pcm, rate = tts.speak_pcm(
            str(request["text"]), voice=str(request["voice"]), rate_wpm=int(str(request["rate_wpm"]))
        )
        answer = _HEADER.pack(_SPOKEN, rate, len(pcm)) + pcm
    except InvalidInputError as refusal:
        message = str(refusal).encode()
        answer = _HEADER.pack(_REFUSED, 0, len(message)) + message
    with os.fdopen(fd, "wb") as channel:
        channel.write(answer)


if __name__ == "__main__":
    _serve()
