"""Password reset links: one use, for a day, from an enabled admin, for an enabled account; on
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from framecast.core.errors import InvalidInputError, NotAuthenticatedError, NotFoundError
from framecast.core.settings import WebSettings
from framecast.db.accounts import ApiToken, User, WebSession
from framecast.db.session import Database
from framecast.web.security.accounts import NewUser, check_login, create_user
from framecast.web.security.invites import revoke_links_issued_by
from framecast.web.security.resets import create_reset_link, find_reset, use_reset_link
from framecast.web.security.sessions import create_api_token, create_web_session

PASSWORD = "a good long password"
NEW_PASSWORD = "another sturdy password"
LIMITS = WebSettings()


@pytest.fixture
def admin_id(db: Database) -> int:
    return create_user(db, NewUser("root@example.com", "Root", PASSWORD, is_admin=True)).id


@pytest.fixture
def ann_id(db: Database) -> int:
    return create_user(db, NewUser("ann@example.com", "Ann", PASSWORD)).id


def credentials(db: Database, user_id: int) -> int:
    with db.session() as session:
        sessions = session.scalar(select(func.count(WebSession.id)).where(WebSession.user_id == user_id))
        tokens = session.scalar(select(func.count(ApiToken.id)).where(ApiToken.user_id == user_id))
    return int(sessions or 0) + int(tokens or 0)


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(
    db: Database, admin_id: int, ann_id: int
) -> None:
    create_web_session(db, ann_id, days=1)
    create_api_token(db, ann_id, days=1)
    token, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)
    assert find_reset(db, token).email == "ann@example.com"

    user = use_reset_link(db, token, NEW_PASSWORD, NEW_PASSWORD)

    assert user.id == ann_id
    assert credentials(db, ann_id) == 0
    assert check_login(db, LIMITS, email="ann@example.com", password=NEW_PASSWORD, client="c").id == ann_id
    with pytest.raises(NotAuthenticatedError):
        check_login(db, LIMITS, email="ann@example.com", password=PASSWORD, client="c")
    with pytest.raises(NotFoundError, match="ask an administrator for a new one"):
        use_reset_link(db, token, "yet another password!", "yet another password!")


def test_a_weak_password_leaves_the_link_usable(db: Database, admin_id: int, ann_id: int) -> None:
    token, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)

    with pytest.raises(InvalidInputError, match=r"^New password: this is one of the most common") as caught:
        use_reset_link(db, token, "password123", "password123")

    assert caught.value.field == "new_password"
    assert use_reset_link(db, token, NEW_PASSWORD, NEW_PASSWORD).id == ann_id


def test_a_newer_link_replaces_the_older_one(db: Database, admin_id: int, ann_id: int) -> None:
    older, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)
    newer, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)

    with pytest.raises(NotFoundError):
        find_reset(db, older)
    assert find_reset(db, newer).user_id == ann_id


def test_an_expired_link_is_not_found(db: Database, admin_id: int, ann_id: int) -> None:
    token, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id, hours=-0.1)

    with pytest.raises(NotFoundError):
        find_reset(db, token)


@pytest.mark.parametrize("change", [{"disabled": True}, {"is_admin": False}])
def test_a_link_of_an_admin_since_disabled_or_demoted_does_not_work(
    db: Database, admin_id: int, ann_id: int, change: dict[str, bool]
) -> None:
    token, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)
    with db.session() as session:
        session.execute(update(User).where(User.id == admin_id).values(**change))

    with pytest.raises(NotFoundError):
        use_reset_link(db, token, NEW_PASSWORD, NEW_PASSWORD)


def test_revoking_an_admins_links_drops_their_reset_links(db: Database, admin_id: int, ann_id: int) -> None:
    token, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)

    revoke_links_issued_by(db, admin_id)

    with pytest.raises(NotFoundError):
        find_reset(db, token)


def test_a_disabled_account_gets_no_link_and_its_link_stops_working(
    db: Database, admin_id: int, ann_id: int
) -> None:
    token, _ = create_reset_link(db, user_id=ann_id, created_by=admin_id)
    with db.session() as session:
        session.execute(update(User).where(User.id == ann_id).values(disabled=True))

    with pytest.raises(NotFoundError):
        find_reset(db, token)
    with pytest.raises(InvalidInputError, match="enable the account"):
        create_reset_link(db, user_id=ann_id, created_by=admin_id)


def test_a_link_for_an_unknown_user_is_404(db: Database, admin_id: int) -> None:
    with pytest.raises(NotFoundError, match="no user 999"):
        create_reset_link(db, user_id=999, created_by=admin_id)
