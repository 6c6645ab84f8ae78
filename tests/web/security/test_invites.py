"""Invitation links: one use, until they expire or are revoked, only from an enabled admin; on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.web.security.accounts import NewUser, create_user
from framecast.web.security.invites import (
    accept_invite,
    create_invite,
    find_invite,
    list_invites,
    revoke_invite,
    revoke_links_issued_by,
)

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


def set_admin(db: Database, user_id: int, *, is_admin: bool = True, disabled: bool = False) -> None:
    with db.session() as session:
        session.execute(update(User).where(User.id == user_id).values(is_admin=is_admin, disabled=disabled))


@pytest.mark.parametrize("change", [{"disabled": True}, {"is_admin": False}])
def test_an_invitation_of_an_admin_since_disabled_or_demoted_does_not_work(
    db: Database, admin_id: int, change: dict[str, bool]
) -> None:
    token, _ = create_invite(db, email="ann@example.com", name="Ann", is_admin=True, invited_by=admin_id)
    set_admin(db, admin_id, **change)

    with pytest.raises(NotFoundError, match="ask for a new one"):
        find_invite(db, token)
    with pytest.raises(NotFoundError):
        accept_invite(db, token, PASSWORD, PASSWORD)
    assert list_invites(db) == []


def test_revoking_an_admins_links_revokes_only_their_pending_invitations(db: Database, admin_id: int) -> None:
    other = create_user(db, NewUser("other@example.com", "Other", PASSWORD, is_admin=True)).id
    theirs, _ = create_invite(db, email="a@example.com", name="A", is_admin=False, invited_by=admin_id)
    used, _ = create_invite(db, email="b@example.com", name="B", is_admin=False, invited_by=admin_id)
    accept_invite(db, used, PASSWORD, PASSWORD)
    kept, _ = create_invite(db, email="c@example.com", name="C", is_admin=False, invited_by=other)

    assert revoke_links_issued_by(db, admin_id) == 1

    with pytest.raises(NotFoundError):
        find_invite(db, theirs)
    assert find_invite(db, kept).email == "c@example.com"
    # Re-promoting the admin later does not bring a revoked link back.
    set_admin(db, admin_id)
    with pytest.raises(NotFoundError):
        find_invite(db, theirs)


def test_pending_invitations_are_listed_newest_first_with_their_inviter(db: Database, admin_id: int) -> None:
    create_invite(db, email="a@example.com", name="A", is_admin=False, invited_by=admin_id)
    create_invite(db, email="b@example.com", name="B", is_admin=True, invited_by=admin_id)
    create_invite(db, email="late@example.com", name="Late", is_admin=False, invited_by=admin_id, days=-1)

    listed = list_invites(db)

    assert [(i.email, i.is_admin, i.invited_by, i.invited_by_name) for i in listed] == [
        ("b@example.com", True, admin_id, "Root"),
        ("a@example.com", False, admin_id, "Root"),
    ]


def test_a_revoked_invitation_is_neither_usable_nor_revocable_again(db: Database, admin_id: int) -> None:
    token, _ = create_invite(db, email="ann@example.com", name="Ann", is_admin=False, invited_by=admin_id)
    [pending] = list_invites(db)

    revoke_invite(db, pending.id)

    with pytest.raises(NotFoundError):
        accept_invite(db, token, PASSWORD, PASSWORD)
    with pytest.raises(NotFoundError, match="no pending invitation"):
        revoke_invite(db, pending.id)


def test_an_invitee_may_not_choose_a_password_made_of_their_name(db: Database, admin_id: int) -> None:
    token, _ = create_invite(db, email="ann@example.com", name="Annabel", is_admin=False, invited_by=admin_id)

    with pytest.raises(InvalidInputError, match="mostly your name"):
        accept_invite(db, token, "annabel2025", "annabel2025")


@pytest.mark.parametrize("token", ["with\x00nul", "with\ud800surrogate"])
def test_a_token_that_is_not_text_is_just_an_invalid_link(db: Database, token: str) -> None:
    with pytest.raises(NotFoundError):
        find_invite(db, token)
