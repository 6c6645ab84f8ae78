"""Where invitation and reset links start: the configured public address, else a bare path."""

from __future__ import annotations

import pytest

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.web.security.links import public_link


def with_bases(settings: Settings, web: str = "", tutor: str = "") -> Settings:
    return settings.model_copy(
        update={
            "web": settings.web.model_copy(update={"public_base_url": web}),
            "tutor": settings.tutor.model_copy(update={"public_base_url": tutor}),
        }
    )


def test_with_no_public_address_a_link_is_a_path(settings: Settings) -> None:
    assert public_link(settings, "/invite/abc") == "/invite/abc"


def test_the_web_address_wins_over_the_tutors_and_loses_its_trailing_slash(settings: Settings) -> None:
    both = with_bases(settings, web="https://studio.example.org/", tutor="https://tunnel.example.org")

    assert public_link(both, "/reset/abc") == "https://studio.example.org/reset/abc"
    assert public_link(with_bases(settings, tutor="https://tunnel.example.org/"), "/x") == (
        "https://tunnel.example.org/x"
    )


def test_an_address_without_a_scheme_is_a_configuration_error_naming_the_variable(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match="FRAMECAST_WEB__PUBLIC_BASE_URL must start with https://"):
        public_link(with_bases(settings, web="studio.example.org"), "/invite/abc")
