"""A user's stored provider key, as the worker and the web application read it."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from framecast.core.errors import ConfigurationError
from framecast.core.settings import Settings
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.jobs.provider_keys import platform_key, stored_key
from framecast.web.security.keys import store_key

KEY = "gp-live-0123456789abcdef"


@pytest.fixture
def user_id(db: Database) -> int:
    with db.session() as session:
        user = User(email="u@example.com", name="U", password_hash="x", preferences={})
        session.add(user)
        session.flush()
        return user.id


def test_a_stored_key_reads_back_decrypted(db: Database, user_id: int) -> None:
    fernet = Fernet(Fernet.generate_key())
    store_key(db, fernet, user_id, "genaipro", KEY)

    assert stored_key(db, fernet, user_id, "genaipro") == KEY


def test_no_stored_key_is_none(db: Database, user_id: int) -> None:
    fernet = Fernet(Fernet.generate_key())

    assert stored_key(db, fernet, user_id, "genaipro") is None
    assert stored_key(db, fernet, user_id + 1, "genaipro") is None


def test_a_key_stored_under_another_secret_is_a_clear_error(db: Database, user_id: int) -> None:
    store_key(db, Fernet(Fernet.generate_key()), user_id, "genaipro", KEY)

    with pytest.raises(ConfigurationError, match=r"cannot be decrypted .* store the key again"):
        stored_key(db, Fernet(Fernet.generate_key()), user_id, "genaipro")


def test_the_platform_key_comes_from_the_providers_settings(settings: Settings) -> None:
    assert platform_key(settings, "genaipro") is None
    assert platform_key(settings, "offline") is None

    configured = settings.model_copy(
        update={"genaipro": settings.genaipro.model_copy(update={"api_key": SecretStr(" pk ")})}
    )
    assert platform_key(configured, "genaipro") == "pk"
