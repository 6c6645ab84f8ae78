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
    build,
    check_settings,
    key_hosts,
    key_missing,
    key_provider_names,
    label,
    paid_provider_names,
    platform_key,
    register,
    traits,
    unregister,
)
from framecast.providers.tutor_registry import (
    TutorContext,
    TutorTraits,
    build_tutor,
    choose_tutor,
    register_tutor,
    tutor_missing,
    tutor_provider_names,
    tutor_traits,
    unregister_tutor,
)


class FakeSpeech:
    name = "fake"


def test_tutor_providers_are_built_by_capability_and_name(settings: Settings) -> None:
    context = TutorContext(settings)
    assert isinstance(build_tutor("stt", "offline", context), OfflineSpeechToTextProvider)
    assert tutor_provider_names("avatar") == ["did", "none", "offline"]
    assert tutor_provider_names("chat") == ["offline", "openrouter"]
    assert tutor_provider_names("realtime") == ["tavus"]


def test_the_offline_chat_and_no_avatar_build_nothing(settings: Settings) -> None:
    # No chat model: the Tutor answers with its scripted mind; no renderer: replies come without video.
    assert build_tutor("chat", "offline", TutorContext(settings)) is None
    assert build_tutor("avatar", "none", TutorContext(settings)) is None


def test_an_unknown_name_says_which_names_exist(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="unknown tts provider 'nope'; known: elevenlabs, offline"):
        build_tutor("tts", "nope", TutorContext(settings))


def test_a_fake_registers_like_a_built_in_provider(settings: Settings) -> None:
    register_tutor("tts", "fake", lambda _: FakeSpeech())  # type: ignore[arg-type,return-value]
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
    assert paid_provider_names(settings) == ["genaipro", "google-veo"]
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


# -- keys and the other settings a provider needs ---------------------------------------------------


def test_a_studio_provider_says_where_its_key_is_set_and_whether_one_is_missing(settings: Settings) -> None:
    assert key_provider_names(settings) == ["genaipro", "google-veo"]
    assert key_missing("genaipro", settings)
    assert not key_missing("genaipro", settings, own_key="users-key")
    assert not key_missing("offline", settings)  # it takes none
    settings.genaipro.api_key = SecretStr(" pk ")
    assert platform_key("genaipro", settings) == "pk"
    assert not key_missing("genaipro", settings)
    assert platform_key("offline", settings) is None


def test_a_tutor_provider_names_the_variables_it_still_needs(settings: Settings) -> None:
    assert tutor_missing("avatar", "did", settings) == [
        "FRAMECAST_DID__API_KEY",
        "FRAMECAST_TUTOR__PUBLIC_BASE_URL",
    ]
    assert tutor_missing("realtime", "tavus", settings) == [
        "FRAMECAST_TAVUS__API_KEY",
        "FRAMECAST_TAVUS__PERSONA_ID",
    ]
    settings.tavus.replica_id = "r1"  # a replica of its own needs no persona
    assert tutor_missing("realtime", "tavus", settings) == ["FRAMECAST_TAVUS__API_KEY"]
    assert tutor_missing("chat", "openrouter", settings) == []  # a local server takes no key
    assert tutor_missing("stt", "offline", settings) == []


def test_auto_takes_a_provider_whose_key_is_set_and_nothing_else_is_missing(settings: Settings) -> None:
    assert choose_tutor("chat", "auto", settings) == "offline"  # a keyless remote is never guessed
    settings.did.api_key = SecretStr("did-key")
    assert choose_tutor("avatar", "auto", settings) == "offline"  # no public URL yet
    settings.tutor.public_base_url = "https://tutor.example.com"
    assert choose_tutor("avatar", "auto", settings) == "did"
    assert choose_tutor("avatar", "none", settings) == "none"


def test_only_calls_that_cost_money_are_billed(settings: Settings) -> None:
    assert tutor_traits("tts", "elevenlabs", settings).billed
    assert not tutor_traits("tts", "offline", settings).billed


# -- settings name registered providers -------------------------------------------------------------


def test_an_unknown_default_provider_names_the_variable_and_the_known_providers(settings: Settings) -> None:
    settings.default_provider = "genaipr0"

    with pytest.raises(ConfigurationError) as raised:
        check_settings(settings)

    assert str(raised.value) == (
        "FRAMECAST_DEFAULT_PROVIDER='genaipr0' names no provider; "
        "choose one of: genaipro, google-veo, offline"
    )


def test_an_unknown_tutor_provider_names_its_variable_and_the_choices(settings: Settings) -> None:
    settings.tutor.stt = "whisper"
    settings.tutor.avatar = "off"

    with pytest.raises(ConfigurationError) as raised:
        check_settings(settings)

    assert str(raised.value) == (
        "FRAMECAST_TUTOR__STT='whisper' names no stt provider; choose one of: auto, elevenlabs, offline; "
        "FRAMECAST_TUTOR__AVATAR='off' names no avatar provider; choose one of: auto, did, none, offline"
    )


def test_the_default_settings_name_registered_providers(settings: Settings) -> None:
    check_settings(settings)


def test_a_registered_fake_is_accepted_in_settings_until_it_is_unregistered(settings: Settings) -> None:
    settings.default_provider = "fakecam"
    settings.tutor.stt = "fake-ears"
    register("fakecam", lambda context: ProviderBundle(name="fakecam"))
    register_tutor("stt", "fake-ears", lambda _: FakeSpeech(), lambda _: TutorTraits(label="Fake ears"))  # type: ignore[arg-type,return-value]
    try:
        check_settings(settings)
    finally:
        unregister("fakecam")
        unregister_tutor("stt", "fake-ears")

    with pytest.raises(
        ConfigurationError, match=r"FRAMECAST_DEFAULT_PROVIDER='fakecam'.*FRAMECAST_TUTOR__STT"
    ):
        check_settings(settings)


def test_a_provider_takes_for_images_its_video_options_less_the_video_only_ones_unless_it_says() -> None:
    video = frozenset({"duration_seconds", "resolution", "seed", "generate_audio"})
    plain = ProviderTraits(options=video)
    own = ProviderTraits(options=video, image_options=frozenset({"negative_prompt"}))

    assert plain.options_for(Mode.TEXT) == plain.options_for(Mode.FRAMES) == video
    assert plain.options_for(Mode.IMAGE) == {"seed"}
    assert own.options_for(Mode.IMAGE) == {"negative_prompt"}


def test_google_veo_is_billed_in_dollars_from_a_dated_price_table(settings: Settings) -> None:
    veo = traits("google-veo", settings)

    assert (veo.unit, veo.price_date) == ("USD", "2026-12-04")
    assert veo.price_date in veo.price_source
    # veo-3.1-generate-preview: $0.40 a second at 720p (the default) and 1080p, $0.60 at 4k.
    assert veo.dollars_per_video_second == 0.40
    assert dict(veo.dollars_per_video_second_at) == {"720p": 0.40, "1080p": 0.40, "4k": 0.60}
    assert veo.options_for(Mode.IMAGE) == {"person_generation"}
    assert traits("genaipro", settings).unit == "credits"
