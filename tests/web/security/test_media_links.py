"""Signing and checking media links (``web/security/media_links.py``) on their own: every changed
character of the path, ``exp`` or ``sig`` is refused, an expired link is refused, the key is derived
from the platform secret rather than being it, and without a public address a URL stays a path."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from urllib.parse import parse_qs, urlsplit

import pytest

from framecast.core.errors import ForbiddenError
from framecast.core.secret import secret_bytes
from framecast.core.settings import Settings
from framecast.web.security.media_links import STEP_S, MediaLinks, media_key

PUBLIC = "https://media.example.org"
PATH = "/api/tutor/messages/7f0c2c4e-9d1b-4a57-8f9e-3b1f5b2f0a11/video"
NOW = 1_800_000_000.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def links_at(clock: Clock, *, base_url: str = PUBLIC, ttl_s: float = 3600.0) -> MediaLinks:
    return MediaLinks(media_key(b"the platform secret"), base_url=base_url, ttl_s=ttl_s, clock=clock)


def split(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query, strict_parsing=True)
    assert set(query) == {"exp", "sig"}
    return parts.path, query["exp"][0], query["sig"][0]


def other_char(char: str) -> str:
    """A character of the same alphabet (digits for ``exp``, base64url for ``sig``) that differs."""
    pool = string.digits if char.isdigit() else string.ascii_letters + "-_"
    return next(c for c in pool if c != char)


def test_a_signed_url_is_absolute_and_verifies_until_it_expires() -> None:
    clock = Clock(NOW)
    links = links_at(clock)

    url = links.url(PATH)
    path, exp, sig = split(url)

    assert url.startswith(f"{PUBLIC}{PATH}?")
    assert path == PATH
    assert len(sig) == 43
    links.verify(path, {"exp": exp, "sig": sig})
    clock.now = int(exp) - 1
    links.verify(path, {"exp": exp, "sig": sig})
    clock.now = int(exp)
    with pytest.raises(ForbiddenError, match="expired"):
        links.verify(path, {"exp": exp, "sig": sig})


def test_the_expiry_is_the_ttl_rounded_up_so_a_redrawn_page_gets_the_same_link() -> None:
    clock = Clock(NOW + 1)
    links = links_at(clock, ttl_s=3600.0)

    first = links.url(PATH)
    clock.now += 60
    again = links.url(PATH)

    exp = int(split(first)[1])
    assert first == again
    assert exp % STEP_S == 0
    assert NOW + 1 + 3600 <= exp < NOW + 1 + 3600 + STEP_S


def test_a_short_ttl_is_not_stretched_to_the_rounding_step() -> None:
    links = links_at(Clock(NOW), ttl_s=30.0)

    assert int(split(links.url(PATH))[1]) <= NOW + 60


@pytest.mark.parametrize("part", ["path", "exp", "sig"])
def test_changing_any_single_character_is_refused(part: str) -> None:
    links = links_at(Clock(NOW))
    path, exp, sig = split(links.url(PATH))
    original = {"path": path, "exp": exp, "sig": sig}[part]

    for index, char in enumerate(original):
        changed = original[:index] + other_char(char) + original[index + 1 :]
        values = {"path": path, "exp": exp, "sig": sig, part: changed}
        with pytest.raises(ForbiddenError, match="changed or cut short"):
            links.verify(values["path"], {"exp": values["exp"], "sig": values["sig"]})


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"exp": "1800003600"},
        {"sig": "A" * 43},
        {"exp": "", "sig": ""},
        {"exp": "-1", "sig": "A" * 43},
        {"exp": "١٨٠٠٠٠٣٦٠٠", "sig": "A" * 43},  # Arabic-Indic digits: isdigit() but not ASCII
        {"exp": "9" * 40, "sig": "A" * 43},
        {"exp": "1800003600", "sig": "é" * 43},
    ],
)
def test_a_missing_or_malformed_signature_is_refused(query: dict[str, str]) -> None:
    with pytest.raises(ForbiddenError):
        links_at(Clock(NOW)).verify(PATH, query)


def test_a_link_signed_for_one_file_does_not_open_another() -> None:
    links = links_at(Clock(NOW))
    _, exp, sig = split(links.url("/files/1/content"))

    with pytest.raises(ForbiddenError):
        links.verify("/files/2/content", {"exp": exp, "sig": sig})
    with pytest.raises(ForbiddenError):
        links.verify("/files/1/poster", {"exp": exp, "sig": sig})


def test_another_servers_secret_signs_differently() -> None:
    ours = links_at(Clock(NOW))
    theirs = MediaLinks(media_key(b"another secret"), base_url=PUBLIC, ttl_s=3600.0, clock=Clock(NOW))
    _, exp, sig = split(theirs.url(PATH))

    with pytest.raises(ForbiddenError):
        ours.verify(PATH, {"exp": exp, "sig": sig})


def test_the_key_is_derived_from_the_secret_and_is_not_the_secret(settings: Settings) -> None:
    secret = secret_bytes(settings)
    links = MediaLinks.from_settings(
        settings.model_copy(update={"web": settings.web.model_copy(update={"public_base_url": PUBLIC})})
    )
    path, exp, sig = split(links.url(PATH))
    with_raw_secret = hmac.new(secret, f"{path}\n{exp}".encode(), hashlib.sha256).digest()

    assert media_key(secret) != secret
    assert sig != base64.urlsafe_b64encode(with_raw_secret).rstrip(b"=").decode()
    links.verify(path, {"exp": exp, "sig": sig})


def test_without_a_public_address_a_url_stays_an_unsigned_path() -> None:
    links = links_at(Clock(NOW), base_url="")

    assert not links.signs
    assert links.url(PATH) == PATH
    assert links.origins == []
    assert links_at(Clock(NOW), base_url="https://media.example.org:8443/school/").origins == [
        "https://media.example.org:8443"
    ]


def test_the_public_address_is_the_web_one_else_the_tutors(settings: Settings) -> None:
    tutor = settings.tutor.model_copy(update={"public_base_url": "https://tunnel.example.org/"})
    links = MediaLinks.from_settings(settings.model_copy(update={"tutor": tutor}))

    assert links.url(PATH).startswith(f"https://tunnel.example.org{PATH}?exp=")


def test_a_tutor_message_gets_its_local_media_signed_and_a_remote_url_kept() -> None:
    links = links_at(Clock(NOW))
    remote = "https://d-id-talks-prod.s3.amazonaws.com/talk.mp4?X-Amz-Signature=abc"

    signed = links.message({"text": "Hi", "audio_url": PATH.replace("video", "audio"), "video_url": remote})
    plain = links_at(Clock(NOW), base_url="").message({"audio_url": "/x/audio", "video_url": None})

    assert signed["text"] == "Hi"
    assert signed["audio_url"] == links.url(PATH.replace("video", "audio"))
    assert signed["video_url"] == remote
    assert plain == {"audio_url": "/x/audio", "video_url": None}


def test_a_request_counts_as_signed_when_it_carries_either_part() -> None:
    assert MediaLinks.is_signed({"exp": "1"})
    assert MediaLinks.is_signed({"sig": "x"})
    assert not MediaLinks.is_signed({"download": "1"})
