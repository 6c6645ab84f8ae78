"""The registry builds providers by name (Studio) and by capability and name (Tutor); fakes register
the same way; a Studio provider's traits are known without building it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.providers.base import Mode
from framecast.providers.offline.stt import OfflineSpeechToTextProvider
from framecast.providers.registry import (
    BuildContext,
    DownloadAuth,
    ProviderBundle,
    ProviderTraits,
    TutorContext,
    build,
    build_tutor,
    key_hosts,
    label,
    paid_provider_names,
    register,
    register_tutor,
    traits,
    tutor_provider_names,
    unregister,
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


# -- Studio providers: traits known without building ------------------------------------------------


def test_each_provider_says_what_it_costs_and_whether_it_is_paid(settings: Settings) -> None:
    genaipro = traits("genaipro", settings)
    offline = traits("offline", settings)

    assert (genaipro.label, genaipro.paid, genaipro.refunds_failures) == ("GenAIPro · Veo", True, False)
    assert genaipro.credits_for(Mode.TEXT, 4) == 4
    assert genaipro.credits_for(Mode.IMAGE, 3) == 3
    assert (offline.paid, offline.credits_for(Mode.TEXT, 4)) == (False, 0)
    assert paid_provider_names(settings) == ["genaipro"]
    assert label("nope", settings) == "nope"


def test_genaipro_traits_follow_its_settings(settings: Settings) -> None:
    settings.genaipro.credits_per_video = 2
    settings.genaipro.refunds_failed_generations = True

    genaipro = traits("genaipro", settings)

    assert genaipro.credits_for(Mode.FRAMES, 3) == 6
    assert genaipro.refunds_failures is True


def test_a_provider_registered_without_traits_is_free_and_labelled_by_name(settings: Settings) -> None:
    register("fake-free", lambda context: ProviderBundle(name="fake-free"))
    try:
        assert traits("fake-free", settings) == ProviderTraits(label="fake-free")
    finally:
        unregister("fake-free")
    with pytest.raises(ConfigurationError, match="unknown provider 'fake-free'"):
        traits("fake-free", settings)


def test_the_download_key_goes_only_to_the_providers_own_hosts() -> None:
    hosts = key_hosts("https://genaipro.vn/api/v1", ["genaipro.io"])
    auth = DownloadAuth("Bearer k", hosts)

    assert hosts == frozenset({"genaipro.vn", "genaipro.io"})
    assert auth.for_url("https://files.genaipro.vn/video_1.mp4") == "Bearer k"
    assert auth.for_url("https://genaipro.io/files/x.mp4") == "Bearer k"
    assert auth.for_url("https://cdn.example.com/video_1.mp4") is None
    assert auth.for_url("https://evilgenaipro.vn/x.mp4") is None
    assert auth.for_url("not a url") is None


def test_an_address_base_url_lends_its_key_to_that_address_only() -> None:
    assert key_hosts("http://127.0.0.1:8787/api/v1") == frozenset({"127.0.0.1"})


def test_a_genaipro_bundle_downloads_with_the_users_key_else_the_platforms(
    settings: Settings, tmp_path: Path
) -> None:
    settings.genaipro.api_key = SecretStr("platform-key")
    own = build("genaipro", BuildContext(settings=settings, work_dir=tmp_path, api_key="users-key"))
    platform = build("genaipro", BuildContext(settings=settings, work_dir=tmp_path))
    settings.genaipro.api_key = None
    none = build("genaipro", BuildContext(settings=settings, work_dir=tmp_path))

    assert own.download_auth is not None
    assert own.download_auth.header == "Bearer users-key"
    assert platform.download_auth is not None
    assert platform.download_auth.header == "Bearer platform-key"
    assert none.download_auth is None
    assert own.paid
