"""The registry builds Tutor providers by capability and name; fakes register the same way."""

from __future__ import annotations

import pytest

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.providers.offline.stt import OfflineSpeechToTextProvider
from framecast.providers.registry import (
    TutorContext,
    build_tutor,
    register_tutor,
    tutor_provider_names,
    unregister_tutor,
)


class FakeSpeech:
    name = "fake"


def test_tutor_providers_are_built_by_capability_and_name(settings: Settings) -> None:
    context = TutorContext(settings)
    assert isinstance(build_tutor("stt", "offline", context), OfflineSpeechToTextProvider)
    assert tutor_provider_names("avatar") == ["did", "offline"]
    assert tutor_provider_names("chat") == ["openrouter"]


def test_an_unknown_name_says_which_names_exist(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="unknown tts provider 'nope'; known: elevenlabs, offline"):
        build_tutor("tts", "nope", TutorContext(settings))


def test_a_fake_registers_like_a_built_in_provider(settings: Settings) -> None:
    register_tutor("tts", "fake", lambda _: FakeSpeech())
    try:
        assert isinstance(build_tutor("tts", "fake", TutorContext(settings)), FakeSpeech)
    finally:
        unregister_tutor("tts", "fake")
    assert "fake" not in tutor_provider_names("tts")
