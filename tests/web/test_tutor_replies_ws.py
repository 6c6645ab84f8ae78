"""Replies that follow the learner, over the conversation socket: the offline tutor answers questions,
never asks a question twice (reading the history from the database, across sockets), says its last
message again more simply, and never repeats a correction or a mistake; with a local
OpenAI-compatible model the reply is the model's and the corrections pass the offline checker."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from framecast.core.settings import Settings
from framecast.tutor import script_questions as bank
from framecast.tutor.checking import offline_analysis
from framecast.web.app import create_app
from tests.web.conftest import Account, make_account

WRONG = "Yesterday I go to the park and make a photo."
LOCAL_MODEL = "http://127.0.0.1:11434/v1"  # where Ollama answers


def receive_until(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    for _ in range(50):
        message: dict[str, Any] = json.loads(ws.receive_text())
        assert message["type"] != "error", message
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


def say(ws: WebSocketTestSession, text: str) -> tuple[dict[str, Any], str]:
    """Send ``text``; the correction message and the tutor's reply."""
    ws.send_text(json.dumps({"type": "text", "data": {"text": text}}))
    correction = receive_until(ws, "correction")
    return correction["data"], receive_until(ws, "response")["data"]["text"]


def questions(reply: str) -> list[str]:
    unquoted = re.sub(r"(?<=: )'.+?'(?=\s|$)", "X.", reply)
    return [bank.normalized(s) for s in re.findall(r"[^.!?]+[.!?]+", unquoted) if s.strip().endswith("?")]


def new_session(client: TestClient, account: Account, **body: Any) -> str:
    response = client.post("/api/conversations/sessions", json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    session_id: str = response.json()["id"]
    return session_id


def connect(client: TestClient, account: Account, session_id: str) -> Any:
    return client.websocket_connect(f"/ws/conversation/{session_id}?token={account.token}")


@pytest.fixture
def quiet_app(settings: Settings) -> FastAPI:
    tutor = settings.tutor.model_copy(update={"avatar": "none", "chat": "offline"})
    return create_app(settings.model_copy(update={"tutor": tutor}), embedded_worker=False)


@pytest.fixture
def quiet(quiet_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(quiet_app) as test_client:
        yield test_client


@pytest.fixture
def erin(quiet_app: FastAPI) -> Account:
    return make_account(quiet_app.state.web, "erin@example.com", name="Erin")


def test_a_learners_question_is_answered_then_the_tutor_asks_one(quiet: TestClient, erin: Account) -> None:
    session_id = new_session(quiet, erin, topic="travel")
    with connect(quiet, erin, session_id) as ws:
        receive_until(ws, "response")
        _, coffee = say(ws, "Do you like coffee?")
        _, name = say(ws, "what's your name")  # as speech recognition writes it
    assert coffee.startswith("Yes, I love coffee!")
    assert name.startswith("My name is Sam")
    for reply in (coffee, name):
        assert "great question" not in reply
        assert reply.endswith("?")


def test_no_question_is_asked_twice_even_over_a_new_socket(quiet: TestClient, erin: Account) -> None:
    session_id = new_session(quiet, erin, topic="daily_life")
    lines = [
        "I get up at seven every day.",
        "I eat rice and soup for breakfast.",
        "I watch TV in the evening.",
        "My job is very busy.",
        "I take the subway to work.",
        "I am very tired today.",
        "I really like cooking with my friends.",
        "My little brother lives in Busan.",
    ]
    asked: list[str] = []
    with connect(quiet, erin, session_id) as ws:
        asked += questions(receive_until(ws, "response")["data"]["text"])
        for line in lines[:4]:
            asked += questions(say(ws, line)[1])
    with connect(quiet, erin, session_id) as ws:  # a reconnect: the history comes from the database
        for line in lines[4:]:
            asked += questions(say(ws, line)[1])
    assert len(asked) >= len(lines)
    assert len(asked) == len(set(asked)), asked


def test_i_dont_understand_gets_the_question_again_in_easier_words(quiet: TestClient, erin: Account) -> None:
    session_id = new_session(quiet, erin, topic="work", difficulty="advanced")
    with connect(quiet, erin, session_id) as ws:
        opening = receive_until(ws, "response")["data"]["text"]
        _, simpler = say(ws, "이해가 안 돼요")
    question = bank.find(opening.rsplit(". ", 1)[-1])
    assert question is not None
    assert simpler.endswith(question.simple)


def test_a_corrected_sentence_is_not_repeated_in_the_reply(quiet: TestClient, erin: Account) -> None:
    session_id = new_session(quiet, erin)
    with connect(quiet, erin, session_id) as ws:
        receive_until(ws, "response")
        correction, reply = say(ws, WRONG)
    assert correction["has_errors"]
    assert "You could say" not in reply
    assert correction["better_expression"] not in reply
    for fix in correction["corrections"]:
        assert not re.search(rf"\b{re.escape(fix['original'])}\b", reply), (fix, reply)


# -- a local OpenAI-compatible model ----------------------------------------------------------------


class LocalModel:
    """A fake Ollama: correction JSON for analysis requests, a fixed line for replies."""

    def __init__(self, corrections: list[dict[str, Any]]) -> None:
        self.corrections = corrections
        self.replies = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert str(request.url).startswith(LOCAL_MODEL)
        body = json.loads(request.content)
        if "response_format" in body:
            content = json.dumps(
                {
                    "has_errors": bool(self.corrections),
                    "corrections": self.corrections,
                    "better_expression": None,
                    "overall_feedback": "Keep going!",
                }
            )
        else:
            self.replies += 1
            content = f"Model reply number {self.replies}. What else did you do?"
        message = {"role": "assistant", "content": content}
        return httpx.Response(
            200, json={"id": "x", "choices": [{"finish_reason": "stop", "message": message}]}
        )


def model_app(settings: Settings, model: LocalModel) -> FastAPI:
    tutor = settings.tutor.model_copy(update={"avatar": "none", "chat": "openrouter"})
    openrouter = settings.openrouter.model_copy(update={"base_url": LOCAL_MODEL, "api_key": None})
    configured = settings.model_copy(update={"tutor": tutor, "openrouter": openrouter})
    return create_app(configured, embedded_worker=False, transport=httpx.MockTransport(model))


@pytest.mark.parametrize(
    ("corrections", "kept"),
    [
        (  # the sentence with both fixes applied passes the checker: the model's are kept
            [
                {"type": "grammar", "original": "go", "corrected": "went", "explanation": "past"},
                {"type": "vocabulary", "original": "make a photo", "corrected": "took a photo"},
            ],
            True,
        ),
        (  # "Yesterday I go" is left as it was: the checker's own corrections are used
            [{"type": "vocabulary", "original": "make a photo", "corrected": "took a photo"}],
            False,
        ),
    ],
)
def test_with_a_local_model_the_reply_is_the_models_and_corrections_pass_the_checker(
    settings: Settings, corrections: list[dict[str, Any]], kept: bool
) -> None:
    model = LocalModel(corrections)
    app = model_app(settings, model)
    with TestClient(app) as client:
        account = make_account(app.state.web, "frank@example.com", name="Frank")
        session_id = new_session(client, account)
        with connect(client, account, session_id) as ws:
            assert receive_until(ws, "response")["data"]["text"].startswith("Model reply number 1.")
            correction, reply = say(ws, WRONG)
    assert reply == "Model reply number 2. What else did you do?"
    found = [(c["original"], c["corrected"]) for c in correction["corrections"]]
    if kept:
        assert found == [("go", "went"), ("make a photo", "took a photo")]
        assert correction["better_expression"] == "Yesterday I went to the park and took a photo."
    else:
        checker = offline_analysis(WRONG, "en")
        assert found == [(c.original, c.corrected) for c in checker.corrections]
        assert correction["better_expression"] == checker.better_expression
