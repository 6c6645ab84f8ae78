"""The options only some providers take (duration, resolution, negative prompt, people, seed,
audio) on the web: ``POST /api/jobs`` stores what the chosen provider takes and refuses the rest
naming the field by its label, the studio pages offer each provider's own, and ``/api/quote`` and
``/api/balance`` speak dollars, without a balance, for a provider billed in dollars (Google Veo)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from framecast.db.models import Job
from framecast.providers.google_veo.pricing import PRICE_DATE, PRICE_SOURCE
from framecast.providers.registry import ProviderBundle, ProviderTraits, register, unregister
from framecast.web.context import WebContext
from tests.web.conftest import Account
from tests.web.test_pages_routes import log_in
from tests.web.test_uploads import image_bytes

EVERY_OPTION = frozenset(
    {"duration_seconds", "resolution", "negative_prompt", "person_generation", "seed", "generate_audio"}
)


@pytest.fixture
def optcam() -> Iterator[str]:
    """A registered fake provider that takes every option for videos, and only a seed for images."""
    register(
        "optcam",
        lambda context: ProviderBundle(name="optcam"),
        lambda _settings: ProviderTraits(
            label="Opt Cam", options=EVERY_OPTION, image_options=frozenset({"seed"})
        ),
    )
    try:
        yield "optcam"
    finally:
        unregister("optcam")


def create(client: TestClient, account: Account, files: Any = None, **fields: Any) -> Any:
    data = {"prompt": "A heron, at dawn", **{k: str(v) for k, v in fields.items()}}
    return client.post("/api/jobs", data=data, files=files, headers=account.headers)


def stored_requests(web: WebContext) -> list[dict[str, Any]]:
    with web.db.session() as session:
        return [dict(job.request) for job in session.query(Job).all()]


# -- POST /api/jobs ---------------------------------------------------------------------------------


def test_the_options_a_provider_takes_are_stored_in_the_request_and_answered(
    client: TestClient, web: WebContext, alice: Account, optcam: str
) -> None:
    response = create(
        client,
        alice,
        mode="text",
        provider=optcam,
        duration_seconds="6",
        resolution="1080p",
        negative_prompt="  no people  ",
        person_generation="dont_allow",
        seed="42",
        generate_audio="false",
    )

    assert response.status_code == 201, response.text
    expected = {
        "duration_seconds": 6,
        "resolution": "1080p",
        "negative_prompt": "no people",
        "person_generation": "dont_allow",
        "seed": 42,
        "generate_audio": False,
    }
    assert response.json()["options"] == expected
    (request,) = stored_requests(web)
    assert {name: request[name] for name in expected} == expected


def test_empty_option_fields_count_as_not_given(client: TestClient, web: WebContext, alice: Account) -> None:
    response = create(
        client,
        alice,
        mode="text",
        provider="offline",
        duration_seconds="",
        resolution="",
        negative_prompt=" ",
        person_generation="",
        seed="",
        generate_audio="",
    )

    assert response.status_code == 201, response.text
    assert response.json()["options"] == {}
    (request,) = stored_requests(web)
    assert "duration_seconds" not in request


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"duration_seconds": "6"},
            "duration_seconds",
            "Offline renderer (local, free) does not support Duration;",
        ),
        ({"seed": "7"}, "seed", "Offline renderer (local, free) does not support Seed;"),
        (
            {"generate_audio": "true"},
            "generate_audio",
            "Offline renderer (local, free) does not support Audio;",
        ),
    ],
)
def test_an_option_the_provider_does_not_take_is_refused_by_its_label_and_nothing_is_queued(
    client: TestClient, web: WebContext, alice: Account, fields: dict[str, str], field: str, message: str
) -> None:
    response = create(client, alice, mode="text", provider="offline", **fields)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["message"].startswith(message)
    assert "--" not in error["message"]  # the page's label, not the CLI option
    assert error["details"] == {"field": field}
    assert stored_requests(web) == []


def test_google_veo_on_the_gemini_api_refuses_a_seed_naming_it(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = create(client, alice, mode="text", provider="google-veo", seed="7")

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith("Google Veo (Gemini API) does not support Seed;")
    assert stored_requests(web) == []


def test_google_veo_keeps_a_duration_and_a_resolution(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    response = create(
        client, alice, mode="text", provider="google-veo", duration_seconds="4", resolution="720p"
    )

    assert response.status_code == 201, response.text
    assert response.json()["options"] == {"duration_seconds": 4, "resolution": "720p"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"duration_seconds": "six"},
            "duration_seconds",
            "Duration: give a whole number of seconds, got 'six'",
        ),
        ({"duration_seconds": "99"}, "duration_seconds", "Duration must be between 1 and 60 seconds, got 99"),
        ({"seed": "1.5"}, "seed", "Seed: give a whole number, got '1.5'"),
        ({"generate_audio": "loud"}, "generate_audio", "Audio: use true or false, got 'loud'"),
        ({"resolution": "8k"}, "resolution", "Resolution must be one of 720p, 1080p, 4k, got '8k'"),
        ({"person_generation": "everyone"}, "person_generation", "People must be one of allow_all,"),
        ({"negative_prompt": "no\x00people"}, "negative_prompt", "Negative prompt: "),
    ],
)
def test_a_bad_option_value_is_refused_naming_the_field_by_its_label(
    client: TestClient,
    web: WebContext,
    alice: Account,
    optcam: str,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = create(client, alice, mode="text", provider=optcam, **fields)

    assert response.status_code == 400, response.text
    assert response.json()["error"]["message"].startswith(message)
    assert response.json()["error"]["details"] == {"field": field}
    assert stored_requests(web) == []


def test_an_image_takes_only_the_options_the_provider_has_for_images(
    client: TestClient, web: WebContext, alice: Account, optcam: str
) -> None:
    duration = create(client, alice, mode="image", provider=optcam, duration_seconds="6")
    people = create(client, alice, mode="image", provider=optcam, person_generation="allow_all")
    seed = create(client, alice, mode="image", provider=optcam, seed="3")

    assert duration.status_code == 400
    assert duration.json()["error"]["message"] == "Duration is for videos, not images"
    assert people.status_code == 400
    assert people.json()["error"]["message"].startswith("Opt Cam does not support People;")
    assert seed.status_code == 201, seed.text
    assert seed.json()["options"] == {"seed": 3}


def test_a_refused_option_leaves_no_upload_behind(
    client: TestClient, web: WebContext, alice: Account
) -> None:
    frame = [("start_image", ("start.png", image_bytes("PNG"), "image/png"))]

    response = create(client, alice, files=frame, mode="frames", provider="offline", duration_seconds="5")

    assert response.status_code == 400, response.text
    folder = web.upload_root / str(alice.user_id)
    assert not (folder.exists() and any(folder.iterdir()))


# -- the studio pages -----------------------------------------------------------------------------


def provider_options(page: str) -> dict[str, list[str]]:
    match = re.search(r"data-provider-options='([^']*)'", page)
    assert match, "the studio form has no provider options map"
    result: dict[str, list[str]] = json.loads(match.group(1))
    return result


def test_the_studio_page_offers_each_providers_own_options_with_their_labels(
    client: TestClient, bob: Account, optcam: str
) -> None:
    log_in(client, bob.email)

    text = client.get("/studio/text").text
    image = client.get("/studio/image").text

    assert provider_options(text)["optcam"] == sorted(EVERY_OPTION)
    assert provider_options(text)["offline"] == []
    assert provider_options(text)["google-veo"] == [
        "duration_seconds",
        "negative_prompt",
        "person_generation",
        "resolution",
    ]
    assert provider_options(image)["optcam"] == ["seed"]
    assert provider_options(image)["google-veo"] == ["person_generation"]
    # Every option has its field, labelled as OPTION_TITLES says; hidden while offline is chosen.
    for name, shown in (("duration_seconds", "Duration"), ("seed", "Seed"), ("generate_audio", "Audio")):
        assert re.search(rf'<label for="{name}">{shown} <span', text)
        assert re.search(rf'data-option="{name}" hidden', text)
    # An image has no duration, resolution or audio to set.
    assert 'data-option="duration_seconds"' not in image
    assert 'data-option="seed"' in image


# -- what it costs ------------------------------------------------------------------------------


def test_a_quote_on_google_veo_is_a_dollar_estimate_taking_the_duration_into_account(
    client: TestClient, alice: Account
) -> None:
    default = client.get(
        "/api/quote", params={"provider": "google-veo", "mode": "text"}, headers=alice.headers
    )
    two_short = client.get(
        "/api/quote",
        params={"provider": "google-veo", "mode": "text", "count": 2, "duration": 4},
        headers=alice.headers,
    )

    assert default.status_code == 200, default.text
    body = default.json()
    # veo-3.1-generate-preview: $0.40 a second, 8 seconds by default.
    assert body == {
        "provider": "google-veo",
        "label": "Google Veo (Gemini API)",
        "paid": True,
        "unit": "USD",
        "credits": 0,
        "estimate": 3.2,
        "price_source": PRICE_SOURCE,
        "price_date": PRICE_DATE,
        "available": None,
        "left": None,
        "enough": None,
        "error": None,
        "text": f"about $3.20 (estimate, price table of {PRICE_DATE})",
    }
    assert two_short.json()["estimate"] == 3.2
    assert "left" not in two_short.json()["text"]
    assert "balance" not in two_short.json()["text"]


def test_a_quote_on_google_veo_is_priced_at_the_resolution_asked(client: TestClient, alice: Account) -> None:
    def estimate(**params: object) -> float:
        response = client.get(
            "/api/quote", params={"provider": "google-veo", "mode": "text", **params}, headers=alice.headers
        )
        assert response.status_code == 200, response.text
        return float(response.json()["estimate"])

    # veo-3.1-generate-preview: $0.40 a second at 720p (the default) and 1080p, $0.60 at 4k.
    assert estimate() == estimate(resolution="1080p") == 3.2
    assert estimate(resolution="4k", duration=4) == 2.4
    bad = client.get(
        "/api/quote",
        params={"provider": "google-veo", "mode": "text", "resolution": "8k"},
        headers=alice.headers,
    )
    assert bad.status_code == 400
    assert "Resolution" in bad.text


def test_a_quote_on_google_imagen_counts_images(client: TestClient, alice: Account) -> None:
    body = client.get(
        "/api/quote", params={"provider": "google-veo", "mode": "image", "count": 3}, headers=alice.headers
    ).json()

    assert (body["unit"], body["estimate"]) == ("USD", 0.12)


def test_a_quote_in_credits_says_so_and_has_no_estimate(client: TestClient, alice: Account) -> None:
    body = client.get(
        "/api/quote", params={"provider": "offline", "mode": "text", "duration": 6}, headers=alice.headers
    ).json()

    assert (body["unit"], body["estimate"], body["price_source"], body["credits"]) == ("credits", None, "", 0)


def test_a_quote_names_a_bad_duration_by_its_label(client: TestClient, alice: Account) -> None:
    response = client.get(
        "/api/quote", params={"provider": "google-veo", "mode": "text", "duration": 0}, headers=alice.headers
    )

    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("Duration: ")


def test_google_veo_claims_no_balance(client: TestClient, alice: Account) -> None:
    body = client.get("/api/balance", params={"provider": "google-veo"}, headers=alice.headers).json()

    assert (body["paid"], body["unit"]) == (True, "USD")
    assert (body["available"], body["used"], body["total"], body["error"]) == (None, None, None, None)
