"""Invitation links: one use, until they expire; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.session import Database
from framecast.web.security.accounts import NewUser, create_user
from framecast.web.security.invites import accept_invite, create_invite, find_invite

PASSWORD = "a good long password"


@pytest.fixture
def admin_id(db: Database) -> int:
    return create_user(db, NewUser("root@example.com", "Root", PASSWORD, is_admin=True)).id


def test_an_invitation_is_accepted_once(db: Database, admin_id: int) -> None:
    token, _ = create_invite(db, email="Ann@Example.com", name="Ann", is_admin=False, invited_by=admin_id)
    assert find_invite(db, token).email == "ann@example.com"

    user = accept_invite(db, token, PASSWORD, PASSWORD)

    assert (user.email, user.name, user.is_admin) == ("ann@example.com", "Ann", False)
    with pytest.raises(NotFoundError, match="ask for a new one"):
        accept_invite(db, token, PASSWORD, PASSWORD)


def test_a_bad_password_leaves_the_invitation_usable(db: Database, admin_id: int) -> None:
    token, _ = create_invite(db, email="ann@example.com", name="Ann", is_admin=False, invited_by=admin_id)

    with pytest.raises(InvalidInputError, match="at least 10"):
        accept_invite(db, token, "short", "short")

    assert accept_invite(db, token, PASSWORD, PASSWORD).email == "ann@example.com"


def test_an_expired_invitation_is_not_found(db: Database, admin_id: int) -> None:
    token, _ = create_invite(
        db, email="ann@example.com", name="Ann", is_admin=False, invited_by=admin_id, days=-0.01
    )

    with pytest.raises(NotFoundError):
        find_invite(db, token)


def test_an_email_with_an_account_cannot_be_invited(db: Database, admin_id: int) -> None:
    with pytest.raises(InvalidInputError, match="exists already"):
        create_invite(db, email="ROOT@example.com", name="Root", is_admin=False, invited_by=admin_id)
