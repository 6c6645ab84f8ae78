"""``POST /api/auth/stream-token``: a one-use, one-minute token for ``?token=`` on the event stream
and the Tutor socket, and nowhere else."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.websockets import WebSocketDisconnect

from framecast.core.secret import token_hash
from framecast.db.accounts import StreamToken, User
from framecast.db.base import utcnow
from framecast.web.context import WebContext
from tests.web.conftest import PASSWORD, Account
from tests.web.test_auth_login import csrf_of

pytestmark = pytest.mark.timeout(60)


def stream_token(client: TestClient, account: Account) -> str:
    response = client.post("/api/auth/stream-token", headers=account.headers)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def opens_events(client: TestClient, token: str) -> int:
    """The status of ``GET /api/events?token=``; a stream that opens is read up to its snapshot."""
    with client.stream("GET", "/api/events", params={"token": token}) as response:
        if response.status_code == 200:
            for line in response.iter_lines():
                if line.startswith("event: snapshot"):
                    break
        return response.status_code


def socket_answer(client: TestClient, token: str) -> str | int:
    """The first message's type on the Tutor socket opened with ``token``, or the close code.

    A session id that is not the caller's gets an ``error`` message on an accepted socket; refused
    credentials close it with 4401.
    """
    try:
        with client.websocket_connect(f"/ws/conversation/not-a-session?token={token}") as ws:
            kind: str = json.loads(ws.receive_text())["type"]
            return kind
    except WebSocketDisconnect as closed:
        return closed.code


def test_a_stream_token_is_valid_for_a_minute(client: TestClient, bob: Account) -> None:
    response = client.post("/api/auth/stream-token", headers=bob.headers)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    left = datetime.fromisoformat(body["expires_at"]) - utcnow()
    assert timedelta(seconds=50) < left <= timedelta(seconds=60)


def test_a_stream_token_opens_the_event_stream_once(client: TestClient, bob: Account) -> None:
    token = stream_token(client, bob)

    assert opens_events(client, token) == 200
    assert opens_events(client, token) == 401


def test_a_stream_token_opens_the_tutor_socket_once(client: TestClient, bob: Account) -> None:
    token = stream_token(client, bob)

    assert socket_answer(client, token) == "error"  # accepted: the session is just not Bob's
    assert socket_answer(client, token) == 4401


def test_a_stream_token_works_on_no_other_route_nor_as_a_bearer_token(
    client: TestClient, bob: Account
) -> None:
    token = stream_token(client, bob)

    assert client.get("/api/me", params={"token": token}).status_code == 401
    assert client.get("/api/jobs", params={"token": token}).status_code == 401
    assert client.get("/api/events", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert opens_events(client, token) == 200  # refused there, so still unused


def test_an_expired_stream_token_is_refused(client: TestClient, web: WebContext, bob: Account) -> None:
    token = stream_token(client, bob)
    with web.db.session() as session:
        session.execute(update(StreamToken).values(expires_at=utcnow() - timedelta(seconds=1)))

    assert opens_events(client, token) == 401


def test_a_stream_token_of_a_user_disabled_meanwhile_is_refused(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    token = stream_token(client, bob)
    with web.db.session() as session:
        session.execute(update(User).where(User.id == bob.user_id).values(disabled=True))

    assert opens_events(client, token) == 401


def test_only_the_hash_of_a_stream_token_is_stored(client: TestClient, web: WebContext, bob: Account) -> None:
    token = stream_token(client, bob)

    with web.db.session() as session:
        stored = session.scalars(select(StreamToken.token_hash)).all()
    assert stored == [token_hash(token)]


def test_a_browser_session_asks_for_one_with_its_csrf_token(
    client: TestClient, web: WebContext, bob: Account
) -> None:
    client.post("/login", data={"email": bob.email, "password": PASSWORD}, follow_redirects=False)

    missing = client.post("/api/auth/stream-token")
    given = client.post("/api/auth/stream-token", headers={"X-CSRF-Token": csrf_of(web, client)})

    assert missing.status_code == 403
    assert given.status_code == 200


def test_a_stream_token_needs_a_login(client: TestClient) -> None:
    assert client.post("/api/auth/stream-token").status_code == 401


def test_a_long_lived_api_token_still_works_in_the_query_for_api_clients(
    client: TestClient, bob: Account
) -> None:
    assert opens_events(client, bob.token) == 200
    assert opens_events(client, bob.token) == 200
