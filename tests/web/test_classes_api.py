"""``/api/classes`` and ``/api/teacher``: the issue's acceptance (an open sign-up, a class joined by
code, a session held, the teacher sees it, another teacher sees nothing), and the isolation of a
learner, another class's teacher and an administrator; invitations, the join limit, CSRF, pages."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD as ACCOUNT_PASSWORD
from tests.web.conftest import Account, make_account
from tests.web.signup_server import Server, StartServer
from tests.web.test_tutor_ws import receive, receive_until

SENTENCE = "Yesterday I go to the park and I see an dog."
HTML = {"Accept": "text/html"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def school(signup_server: StartServer, monkeypatch: pytest.MonkeyPatch) -> Server:
    """An open sign-up server without avatar videos (the conversation is what matters here)."""
    monkeypatch.setenv("FRAMECAST_TUTOR__AVATAR", "none")
    return signup_server(signup="open")


def make_teacher(server: Server, email: str, name: str) -> Account:
    """An account made a teacher by the administrator, through the admin API."""
    assert server.admin is not None
    account = make_account(server.web, email, name=name)
    changed = server.client.patch(
        f"/api/users/{account.user_id}", json={"role": "teacher"}, headers=server.admin.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["role"] == "teacher"
    return account


def new_class(client: TestClient, teacher: Account, name: str = "Monday evening") -> dict[str, Any]:
    made = client.post("/api/classes", json={"name": name}, headers=teacher.headers)
    assert made.status_code == 201, made.text
    body: dict[str, Any] = made.json()
    return body


def hold_session(client: TestClient, token: str, text: str = SENTENCE) -> str:
    """Start a session, say ``text`` on the conversation socket, wait for the reply, end it."""
    created = client.post("/api/conversations/sessions", json={}, headers=bearer(token))
    assert created.status_code == 201, created.text
    session_id: str = created.json()["id"]
    with client.websocket_connect(f"/ws/conversation/{session_id}?token={token}") as ws:
        assert receive(ws)["type"] == "response"
        ws.send_text(json.dumps({"type": "text", "data": {"text": text, "client_id": "c1"}}))
        receive_until(ws, "correction")
        receive_until(ws, "response")
    ended = client.post(f"/api/conversations/sessions/{session_id}/end", headers=bearer(token))
    assert ended.status_code == 200, ended.text
    return session_id


def teacher_view(
    client: TestClient, headers: dict[str, str], learner_id: int, session_id: str
) -> list[httpx.Response]:
    base = f"/api/teacher/learners/{learner_id}"
    return [
        client.get(base, headers=headers),
        client.get(f"{base}/stats", headers=headers),
        client.get(f"{base}/weaknesses", headers=headers),
        client.get(f"{base}/sessions", headers=headers),
        client.get(f"{base}/sessions/{session_id}/conversations", headers=headers),
    ]


def test_a_learner_who_signs_up_and_joins_by_code_is_seen_by_that_classs_teacher_only(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    other_teacher = make_teacher(school, "tom@school.example", "Tom")
    made = new_class(client, teacher)
    new_class(client, other_teacher, "Tom's class")

    registered = school.register(email="lena@school.example", name="Lena")
    assert registered.status_code == 201, registered.text
    token = registered.json()["access_token"]
    learner_id = registered.json()["user"]["id"]
    assert registered.json()["user"]["role"] == "learner"
    joined = client.post("/api/classes/join", json={"code": made["join_code"].lower()}, headers=bearer(token))
    assert joined.status_code == 200, joined.text
    session_id = hold_session(client, token)

    card, stats, weak, listed, transcript = teacher_view(client, teacher.headers, learner_id, session_id)
    assert [r.status_code for r in (card, stats, weak, listed, transcript)] == [200] * 5
    assert card.json() == {
        "id": learner_id,
        "name": "Lena",
        "email": "lena@school.example",
        "classes": ["Monday evening"],
    }
    own_stats = client.get(f"/api/progress/{learner_id}/stats", headers=bearer(token)).json()
    assert stats.json() == own_stats
    assert stats.json()["progress"]["total_sessions"] == 1
    assert stats.json()["correction_stats"]["by_type"]["grammar"] >= 3
    assert [p["session_id"] for p in stats.json()["history"]] == [session_id]
    assert weak.json()["common_mistakes"] != []
    assert any("Lena" in text for text in weak.json()["improvement_suggestions"])
    assert not any("your" in text.lower() for text in weak.json()["improvement_suggestions"])
    assert [s["id"] for s in listed.json()] == [session_id]
    said = [m for m in transcript.json() if m["role"] == "user"]
    assert [m["content"] for m in said] == [SENTENCE]
    assert said[0]["corrections"] != []
    assert all(m["audio_url"] is None and m["video_url"] is None for m in transcript.json())
    roster = client.get(f"/api/classes/{made['id']}", headers=teacher.headers).json()
    assert [one["id"] for one in roster["learners"]] == [learner_id]

    for response in teacher_view(client, other_teacher.headers, learner_id, session_id):
        assert response.status_code == 404, response.url
        assert "Lena" not in response.text
        assert SENTENCE not in response.text
    assert client.get(f"/api/classes/{made['id']}", headers=other_teacher.headers).status_code == 404
    assert [c["learners"] for c in client.get("/api/classes", headers=other_teacher.headers).json()] == [[]]

    mine = client.get("/api/classes/joined", headers=bearer(token)).json()
    assert [(m["teacher_name"], m["class_name"]) for m in mine] == [("Tess", "Monday evening")]


@pytest.mark.parametrize("body", [{}, {"name": 5}])
def test_a_missing_or_malformed_class_name_is_named_as_the_page_labels_it(
    school: Server, body: dict[str, Any]
) -> None:
    teacher = make_teacher(school, "tess@school.example", "Tess")

    response = school.client.post("/api/classes", json=body, headers=teacher.headers)

    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("Class name: ")
    # Elsewhere ``name`` keeps its own label.
    assert school.admin is not None
    other = school.client.post("/api/users", json={}, headers=school.admin.headers)
    assert "; Name: " in other.json()["error"]["message"]


def test_a_learner_gets_403_on_every_teacher_route(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")
    classmate = make_account(school.web, "omar@school.example", name="Omar")
    for account in (learner, classmate):
        client.post("/api/classes/join", json={"code": made["join_code"]}, headers=account.headers)

    responses = [
        client.get("/api/classes", headers=learner.headers),
        client.post("/api/classes", json={"name": "Mine"}, headers=learner.headers),
        client.get(f"/api/classes/{made['id']}", headers=learner.headers),
        client.post(f"/api/classes/{made['id']}/invites", json={"email": "x@y.z"}, headers=learner.headers),
        *teacher_view(client, learner.headers, classmate.user_id, "whatever"),
    ]

    assert [r.status_code for r in responses] == [403] * len(responses)
    assert "Omar" not in "".join(r.text for r in responses)
    # A plain sentence saying what to do, no command line a learner cannot run.
    assert {r.json()["error"]["message"] for r in responses} == {
        "Only teachers have classes and see their learners' progress; "
        "ask your administrator to make you a teacher."
    }


def test_an_administrator_sees_no_learners_unless_they_teach_them(school: Server) -> None:
    client = school.client
    assert school.admin is not None
    admin = school.admin
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    registered = school.register(email="lena@school.example", name="Lena").json()
    token, learner_id = registered["access_token"], registered["user"]["id"]
    client.post("/api/classes/join", json={"code": made["join_code"]}, headers=bearer(token))
    session_id = hold_session(client, token)

    as_admin = teacher_view(client, admin.headers, learner_id, session_id)
    assert [r.status_code for r in as_admin] == [403] * 5
    # An administrator is not told to ask an administrator: they can change their own role.
    assert {r.json()["error"]["message"] for r in as_admin} == {
        "Only teachers have classes and see their learners' progress; "
        "you can make your account a teacher on the Users page."
    }
    assert client.get(f"/api/progress/{learner_id}/stats", headers=admin.headers).status_code == 404
    assert client.get(f"/api/users/{learner_id}/sessions", headers=admin.headers).status_code == 404
    assert client.get(f"/api/classes/{made['id']}", headers=admin.headers).status_code == 403

    client.patch(f"/api/users/{admin.user_id}", json={"role": "teacher"}, headers=admin.headers)
    assert [r.status_code for r in teacher_view(client, admin.headers, learner_id, session_id)] == [404] * 5
    own = new_class(client, admin, "The admin's class")
    client.post("/api/classes/join", json={"code": own["join_code"]}, headers=bearer(token))
    assert [r.status_code for r in teacher_view(client, admin.headers, learner_id, session_id)] == [200] * 5


def test_an_invitation_answers_the_same_for_an_unknown_address_and_waits_for_the_learner(
    school: Server,
) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")

    known = client.post(
        f"/api/classes/{made['id']}/invites", json={"email": "Lena@School.example"}, headers=teacher.headers
    )
    unknown = client.post(
        f"/api/classes/{made['id']}/invites", json={"email": "ghost@school.example"}, headers=teacher.headers
    )

    assert (known.status_code, unknown.status_code) == (201, 201)
    assert set(known.json()) == set(unknown.json()) == {"id", "email", "created_at"}
    assert dict(known.headers).keys() == dict(unknown.headers).keys()
    roster = client.get(f"/api/classes/{made['id']}", headers=teacher.headers).json()
    assert roster["learners"] == []
    assert [i["email"] for i in roster["invites"]] == ["lena@school.example", "ghost@school.example"]
    [invitation] = client.get("/api/classes/invitations", headers=learner.headers).json()
    assert (invitation["class_name"], invitation["teacher_name"]) == ("Monday evening", "Tess")

    accepted = client.post(f"/api/classes/invitations/{invitation['id']}/accept", headers=learner.headers)

    assert accepted.status_code == 200, accepted.text
    roster = client.get(f"/api/classes/{made['id']}", headers=teacher.headers).json()
    assert [one["id"] for one in roster["learners"]] == [learner.user_id]
    assert [i["email"] for i in roster["invites"]] == ["ghost@school.example"]


def test_inviting_a_member_of_the_class_is_refused_with_the_fields_label(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")
    client.post("/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers)

    again = client.post(
        f"/api/classes/{made['id']}/invites", json={"email": "lena@school.example"}, headers=teacher.headers
    )

    assert again.status_code == 400
    assert again.json()["error"]["message"] == "Email: lena@school.example is already in this class"
    assert again.json()["error"]["details"]["field"] == "email"
    assert client.get(f"/api/classes/{made['id']}", headers=teacher.headers).json()["invites"] == []


def test_a_learner_who_leaves_is_no_longer_seen(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")
    client.post("/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers)
    assert (
        client.get(f"/api/teacher/learners/{learner.user_id}/stats", headers=teacher.headers).status_code
        == 200
    )

    left = client.delete(f"/api/classes/{made['id']}/membership", headers=learner.headers)

    assert left.status_code == 204
    assert (
        client.get(f"/api/teacher/learners/{learner.user_id}/stats", headers=teacher.headers).status_code
        == 404
    )
    assert client.get("/api/classes/joined", headers=learner.headers).json() == []


def test_leaving_a_class_twice_says_you_are_not_in_it(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")
    client.post("/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers)
    client.delete(f"/api/classes/{made['id']}/membership", headers=learner.headers)

    again = client.delete(f"/api/classes/{made['id']}/membership", headers=learner.headers)

    assert again.status_code == 404
    assert again.json()["error"]["message"] == "You are not in this class"


def test_wrong_join_codes_are_slowed_down_and_a_right_one_waits_too(
    signup_server: StartServer,
) -> None:
    server = signup_server(login_attempts="2", login_delay_s="60")
    teacher = make_teacher(server, "tess@school.example", "Tess")
    made = new_class(server.client, teacher)
    learner = make_account(server.web, "lena@school.example", name="Lena")

    wrong = [
        server.client.post("/api/classes/join", json={"code": "ZZZZ-ZZZZ"}, headers=learner.headers)
        for _ in range(3)
    ]
    right = server.client.post("/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers)
    elsewhere = server.client_from("203.0.113.9").post(
        "/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers
    )

    assert [r.status_code for r in wrong] == [400, 400, 429]
    assert wrong[0].json()["error"]["details"]["field"] == "code"
    assert int(wrong[2].headers["Retry-After"]) > 0
    assert right.status_code == 429
    # The account is slowed down wherever it tries from.
    assert elsewhere.status_code == 429


def test_blank_join_codes_ask_for_the_code_and_are_not_counted_as_wrong(
    signup_server: StartServer,
) -> None:
    server = signup_server(login_attempts="2", login_delay_s="60")
    teacher = make_teacher(server, "tess@school.example", "Tess")
    made = new_class(server.client, teacher)
    learner = make_account(server.web, "lena@school.example", name="Lena")

    blanks = [
        server.client.post("/api/classes/join", json={"code": " "}, headers=learner.headers) for _ in range(3)
    ]
    right = server.client.post("/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers)

    assert [r.status_code for r in blanks] == [400, 400, 400]
    assert {r.json()["error"]["message"] for r in blanks} == {
        "Class code: enter the code your teacher gave you"
    }
    assert blanks[0].json()["error"]["details"]["field"] == "code"
    assert right.status_code == 200, right.text


def test_wrong_join_codes_do_not_slow_down_logins_or_other_learners_from_the_same_address(
    signup_server: StartServer,
) -> None:
    server = signup_server(login_attempts="2", login_attempts_per_address="2", login_delay_s="60")
    teacher = make_teacher(server, "tess@school.example", "Tess")
    made = new_class(server.client, teacher)
    lena = make_account(server.web, "lena@school.example", name="Lena")
    mina = make_account(server.web, "mina@school.example", name="Mina")

    for _ in range(3):
        server.client.post("/api/classes/join", json={"code": "ZZZZ-ZZZZ"}, headers=lena.headers)
    login = server.client.post(
        "/api/auth/login", json={"email": "mina@school.example", "password": ACCOUNT_PASSWORD}
    )
    joined = server.client.post("/api/classes/join", json={"code": made["join_code"]}, headers=mina.headers)

    assert login.status_code == 200, login.text
    assert joined.status_code == 200, joined.text


def test_a_cookie_session_must_send_the_csrf_token_to_join(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")
    logged = client.post(
        "/login", data={"email": learner.email, "password": ACCOUNT_PASSWORD}, follow_redirects=False
    )
    assert logged.status_code == 303

    refused = client.post("/api/classes/join", json={"code": made["join_code"]})

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]


def test_the_pages_follow_the_role_and_the_teacher_view_refuses_strangers(school: Server) -> None:
    client = school.client
    teacher = make_teacher(school, "tess@school.example", "Tess")
    other_teacher = make_teacher(school, "tom@school.example", "Tom")
    made = new_class(client, teacher)
    learner = make_account(school.web, "lena@school.example", name="Lena")
    client.post("/api/classes/join", json={"code": made["join_code"]}, headers=learner.headers)

    def page(account: Account, path: str) -> httpx.Response:
        return client.get(path, headers={**HTML, **account.headers})

    assert 'data-testid="create-class-form"' in page(teacher, "/classes").text
    assert 'data-testid="join-form"' in page(learner, "/classes").text
    view = page(teacher, f"/classes/learners/{learner.user_id}")
    assert view.status_code == 200
    assert 'data-testid="progress-body"' in view.text
    assert f"/api/teacher/learners/{learner.user_id}/stats" in view.text
    # The page speaks of the learner to the teacher, not to the teacher as if they were the learner.
    assert "Loading Lena&#39;s progress…" in view.text or "Loading Lena's progress…" in view.text
    assert "Lena has not practised a phrase yet." in view.text
    assert '"learner_name": "Lena"' in view.text
    assert "your progress" not in view.text.lower()
    own = page(learner, "/tutor/progress").text
    assert "No phrase practised yet." in own
    assert page(other_teacher, f"/classes/learners/{learner.user_id}").status_code == 404
    assert page(learner, f"/classes/learners/{learner.user_id}").status_code == 403


def test_an_unknown_role_is_refused_by_the_admin_api(school: Server) -> None:
    assert school.admin is not None
    learner = make_account(school.web, "lena@school.example", name="Lena")

    response = school.client.patch(
        f"/api/users/{learner.user_id}", json={"role": "principal"}, headers=school.admin.headers
    )

    assert response.status_code in (400, 422)
    me = school.client.get("/api/me", headers=learner.headers).json()
    assert me["role"] == "learner"
