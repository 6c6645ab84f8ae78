"""Suite-wide fixtures: every test runs with a clean environment and its own data dir."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings

from framecast.core.settings import Settings, get_settings
from framecast.db.migrate import upgrade
from framecast.db.session import Database
from tests.s3_server import S3Server, running_s3_server

# The same examples on every run (a suite that must be deterministic); new examples are explored by
# setting FRAMECAST_HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("framecast", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("FRAMECAST_HYPOTHESIS_PROFILE", "framecast"))

POSTGRES_URL = os.environ.get(
    "FRAMECAST_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Drop every FRAMECAST_/VEO_ variable, point the data dir at a tmp folder, run in tmp cwd."""
    for name in list(os.environ):
        if name.startswith(("FRAMECAST_", "VEO_")) and name != "FRAMECAST_TEST_POSTGRES_URL":
            monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("FRAMECAST_DATA_DIR", str(data_dir))
    monkeypatch.setenv("FRAMECAST_ENVIRONMENT", "test")
    # Each test application would load pocketsphinx in the background for nothing.
    monkeypatch.setenv("FRAMECAST_TUTOR__WARM_UP", "false")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture
def settings() -> Settings:
    return get_settings()


def _postgres_schema_url(schema: str) -> str:
    sep = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database URL: a SQLite file, or a fresh schema in the test PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        return
    yield from _postgres_schema()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A migrated, empty PostgreSQL schema (tests using it carry the ``postgres`` mark)."""
    yield from _postgres_schema()


def _postgres_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_schema_url(schema)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on loopback, one for the whole run (``tests/s3_server.py``)."""
    with running_s3_server() as server:
        yield server


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> str:
    """A fresh, empty bucket on :func:`s3_server`."""
    return s3_server.create_bucket()
