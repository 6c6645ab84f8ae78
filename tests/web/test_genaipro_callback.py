"""``POST /api/callbacks/genaipro/{token}``: the right token wakes this process's GenAIPro v2
pollers without a login; any other token is an unknown path."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from framecast.core.settings import GenAIProSettings, Settings
from framecast.providers.genaipro.callbacks import callback_token, callback_url
from framecast.providers.genaipro.tasks import TaskPoller, v2_client


async def test_the_signed_callback_wakes_the_pollers_and_a_wrong_token_is_404(
    client: TestClient, settings: Settings
) -> None:
    async with httpx.AsyncClient() as http:
        poller = TaskPoller(v2_client(http, GenAIProSettings(), None), GenAIProSettings())
        token = callback_token(settings)

        good = client.post(f"/api/callbacks/genaipro/{token}", json={"id": "x", "status": "completed"})
        bad = client.post("/api/callbacks/genaipro/not-the-token", json={})

        assert good.status_code == 202
        assert good.json()["woken"] >= 1
        assert bad.status_code == 404
        del poller


def test_the_callback_url_needs_a_public_address(settings: Settings) -> None:
    assert callback_url(settings) is None
    configured = settings.model_copy(
        update={"genaipro": GenAIProSettings(callback_base_url="https://studio.example.com/")}
    )
    assert callback_url(configured) == (
        f"https://studio.example.com/api/callbacks/genaipro/{callback_token(configured)}"
    )
