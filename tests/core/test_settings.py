from __future__ import annotations

from pathlib import Path

import pytest

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings, get_settings


def test_nested_variables_use_the_prefix_and_double_underscore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", "k1")
    monkeypatch.setenv("FRAMECAST_GENAIPRO__BASE_URL", "http://127.0.0.1:9/api/v1")
    monkeypatch.setenv("FRAMECAST_JOBS__LEASE_S", "12.5")
    settings = Settings()
    assert settings.genaipro.api_key is not None
    assert settings.genaipro.api_key.get_secret_value() == "k1"
    assert settings.genaipro.base_url == "http://127.0.0.1:9/api/v1"
    assert settings.jobs.lease_s == 12.5


def test_the_seed_names_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEO_API_KEY", "legacy")
    monkeypatch.setenv("VEO_BASE_URL", "http://legacy/api/v1")
    settings = Settings()
    assert settings.genaipro.api_key is not None
    assert settings.genaipro.api_key.get_secret_value() == "legacy"
    assert settings.genaipro.base_url == "http://legacy/api/v1"


def test_our_names_win_over_the_seed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VEO_API_KEY", "legacy")
    monkeypatch.setenv("FRAMECAST_GENAIPRO__API_KEY", "ours")
    settings = Settings()
    assert settings.genaipro.api_key is not None
    assert settings.genaipro.api_key.get_secret_value() == "ours"


def test_a_dotenv_file_in_the_working_directory_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "FRAMECAST_DEFAULT_PROVIDER=genaipro\nVEO_API_KEY='from-dotenv'\n", encoding="utf-8"
    )
    settings = Settings()
    assert settings.default_provider == "genaipro"
    assert settings.genaipro.api_key is not None
    assert settings.genaipro.api_key.get_secret_value() == "from-dotenv"


def test_the_environment_wins_over_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("FRAMECAST_LOG_LEVEL=DEBUG\n", encoding="utf-8")
    monkeypatch.setenv("FRAMECAST_LOG_LEVEL", "WARNING")
    assert Settings().log_level == "WARNING"


def test_sqlite_in_the_data_dir_is_the_default_database(isolated_env: Path) -> None:
    settings = get_settings()
    assert settings.data_dir == isolated_env
    assert settings.database_url_resolved == f"sqlite:///{isolated_env / 'framecast.db'}"


def test_a_database_url_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECAST_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().database_url_resolved == "postgresql+psycopg://u@h/db"


def test_a_wrong_value_is_refused_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECAST_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings()


def test_a_provider_name_is_read_as_text_and_checked_where_providers_register(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # core/ cannot know which providers exist; providers.registry.check_settings refuses "nope"
    # when the app or a command starts (tests/providers/test_registry.py).
    monkeypatch.setenv("FRAMECAST_DEFAULT_PROVIDER", "nope")
    monkeypatch.setenv("FRAMECAST_TUTOR__STT", "nope")
    settings = Settings()
    assert (settings.default_provider, settings.tutor.stt) == ("nope", "nope")


def test_sign_up_is_closed_unless_a_mode_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().web.signup == "closed"
    monkeypatch.setenv("FRAMECAST_WEB__SIGNUP", " Open ")
    monkeypatch.setenv("FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN", "@School.Example")
    settings = Settings()
    assert (settings.web.signup, settings.web.signup_email_domain) == ("open", "school.example")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FRAMECAST_WEB__SIGNUP": "public"}, "FRAMECAST_WEB__SIGNUP must be closed, invite or open"),
        (
            {"FRAMECAST_WEB__SIGNUP": "open", "FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN": "students at school"},
            "FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN must be a domain such as school.example",
        ),
        (
            {"FRAMECAST_WEB__SIGNUP": "invite", "FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN": "school.example"},
            "FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN applies only when FRAMECAST_WEB__SIGNUP is open",
        ),
        ({"FRAMECAST_WEB__SIGNUP_PER_HOUR": "0"}, "signup_per_hour"),
    ],
)
def test_a_wrong_sign_up_setting_is_refused_with_its_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        Settings()


def test_cors_origins_are_read_comma_separated_or_as_json_and_written_as_browsers_send_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "FRAMECAST_WEB__CORS_ORIGINS", "https://App.School.example:443/, http://localhost:3000"
    )
    assert Settings().web.cors_origins == ["https://app.school.example", "http://localhost:3000"]
    monkeypatch.setenv("FRAMECAST_WEB__CORS_ORIGINS", '["http://[::1]:8080", "http://10.0.0.5:80"]')
    assert Settings().web.cors_origins == ["http://[::1]:8080", "http://10.0.0.5"]
    monkeypatch.setenv("FRAMECAST_WEB__CORS_ORIGINS", "")
    assert Settings().web.cors_origins == []


@pytest.mark.parametrize(
    "value",
    [
        "app.school.example",
        "ftp://app.school.example",
        "https://*.school.example",
        "*",
        "https://app.school.example/app",
        "https://app.school.example?x=1",
        "https://user@app.school.example",
        "https://app.school.example:99999",
        "https://app school.example",
        '["https://app.school.example"',
    ],
)
def test_a_cors_origin_that_is_not_an_origin_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("FRAMECAST_WEB__CORS_ORIGINS", value)
    with pytest.raises(ValueError, match="FRAMECAST_WEB__CORS_ORIGINS: ") as raised:
        Settings()
    assert "https://app.example.com" in str(raised.value) or "JSON" in str(raised.value)


def test_get_settings_refuses_a_wrong_value_in_one_line_naming_each_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRAMECAST_WEB__CORS_ORIGINS", "https://app.school.example, app2.school.example")
    monkeypatch.setenv("FRAMECAST_LOG_FORMAT", "xml")
    get_settings.cache_clear()

    with pytest.raises(ConfigurationError) as raised:
        get_settings()

    message = str(raised.value)
    assert message.startswith("FRAMECAST_LOG_FORMAT: Input should be 'text' or 'json'; ")
    assert "; FRAMECAST_WEB__CORS_ORIGINS: 'app2.school.example' is not an origin" in message
    assert "\n" not in message
