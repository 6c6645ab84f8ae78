"""Property-based requests from the OpenAPI schema, as an outside review ran them (schemathesis):
whatever a client sends to any documented route, the server never answers 5xx.

Every operation gets a bounded number of examples (``EXAMPLES_PER_OPERATION``) so that ``make test``
stays fast; each run draws new ones, and a failure names the request (hypothesis shrinks it first).
Each example is sent by an administrator with a fresh token (an example may log out, change the
password or disable the account, and the next one must still reach the route, not stop at 401).
"""

from __future__ import annotations

import collections
from collections.abc import Callable

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from sqlalchemy import update

from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.web.app import create_app
from framecast.web.context import WebContext
from framecast.web.security.sessions import create_api_token
from tests.web.conftest import make_account

# Examples per operation: about 70 operations, a second or so each.
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings, embedded_worker=False)


def fresh_credentials(web: WebContext) -> Callable[[], dict[str, str]]:
    user_id = make_account(web, "fuzz@example.com", admin=True, name="Fuzz").user_id

    def headers() -> dict[str, str]:
        with web.db.session() as session:
            session.execute(update(User).where(User.id == user_id).values(disabled=False, is_admin=True))
        return {"Authorization": f"Bearer {create_api_token(web.db, user_id, days=1)}"}

    return headers


def test_no_request_to_any_route_is_answered_with_a_server_error(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    credentials = fresh_credentials(app.state.web)
    answers: collections.Counter[int] = collections.Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the schema lost its routes"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call(headers={**(case.headers or {}), **credentials()})
            answers[response.status_code] += 1
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} answered {response.status_code}: "
                f"{response.text[:300]}\n{case.as_curl_command()}"
            )

        try:
            no_server_error()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n\n".join(failures)
    # The requests reached the routes: most were answered, not refused for want of a login.
    assert answers[401] < sum(answers.values()) / 10, answers
