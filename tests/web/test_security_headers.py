"""Every answer carries the security headers; only the real-time page may frame another site."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from framecast.core.settings import Settings, get_settings
from framecast.web.security_headers import content_security_policy
from tests.web.conftest import Account


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("FRAMECAST_WEB__FRAME_SOURCES", '["https://tavus.daily.co"]')
    get_settings.cache_clear()
    return get_settings()


def directives(policy: str) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


def test_a_page_forbids_inline_and_foreign_scripts_and_being_framed(
    client: TestClient, alice: Account
) -> None:
    response = client.get("/login")

    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_api_answers_and_refusals_carry_them_too(client: TestClient, alice: Account) -> None:
    ok = client.get("/api/me", headers=alice.headers)
    refused = client.post("/api/jobs", content=b"x" * 10, headers={"Content-Type": "text/plain"})

    assert refused.status_code == 401
    for response in (ok, refused):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_only_the_real_time_page_may_show_the_configured_frame_sources(client: TestClient) -> None:
    live = client.get("/tutor/live", follow_redirects=False)

    assert directives(live.headers["content-security-policy"])["frame-src"] == "https://tavus.daily.co"


def test_no_template_holds_inline_script_or_style_the_policy_would_block() -> None:
    from pathlib import Path

    import framecast.web

    templates = Path(framecast.web.__file__).parent / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert ' style="' not in text, template.name
        assert " onclick=" not in text, template.name
        assert " onload=" not in text, template.name
        for chunk in text.split("<script")[1:]:
            opening = chunk.split(">", 1)[0]
            assert "src=" in opening or 'type="application/json"' in opening, (template.name, opening)


def test_the_policy_lists_frame_sources_only_when_given() -> None:
    assert "frame-src 'none'" in content_security_policy()
    assert "frame-src https://a.example https://b.example" in content_security_policy(
        ["https://a.example", "https://b.example"]
    )


def test_signed_media_from_the_public_address_may_show_in_a_page_opened_under_another() -> None:
    policy = content_security_policy(media_origins=["https://studio.example.com"])

    assert "media-src 'self' data: blob: https://studio.example.com" in policy
    assert "img-src 'self' data: blob: https://studio.example.com" in policy
    assert "script-src 'self';" in policy
    assert "media-src 'self' data: blob:;" in content_security_policy()
