"""The ``storage`` section: the data dir by default, a bucket by address, refusals naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from framecast.core.errors import ConfigurationError
from framecast.core.settings import get_settings
from framecast.core.storage import LocalStore, S3Store, open_store, store_for_url


def test_the_data_dir_is_the_default_store(isolated_env: Path) -> None:
    settings = get_settings()
    assert not settings.storage.is_s3
    store = open_store(settings)
    assert isinstance(store, LocalStore)
    assert store.root == isolated_env


def test_an_s3_address_names_bucket_prefix_endpoint_and_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRAMECAST_STORAGE__URL", "s3://media-bucket/framecast/prod/")
    monkeypatch.setenv("FRAMECAST_STORAGE__ENDPOINT", "http://127.0.0.1:9000/")
    monkeypatch.setenv("FRAMECAST_STORAGE__ACCESS_KEY", "key")
    monkeypatch.setenv("FRAMECAST_STORAGE__SECRET_KEY", "secret")
    monkeypatch.setenv("FRAMECAST_STORAGE__SERVE", "proxy")
    storage = get_settings().storage
    assert (storage.bucket, storage.prefix, storage.endpoint) == (
        "media-bucket",
        "framecast/prod",
        "http://127.0.0.1:9000",
    )
    assert storage.path_style
    store = open_store(get_settings())
    assert isinstance(store, S3Store)
    assert store.where == "s3://media-bucket/framecast/prod"
    assert store.presign_seconds is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FRAMECAST_STORAGE__URL", "https://bucket.example.com"),
        ("FRAMECAST_STORAGE__URL", "s3://"),
        ("FRAMECAST_STORAGE__ENDPOINT", "127.0.0.1:9000"),
        ("FRAMECAST_STORAGE__SERVE", "redirect"),
        ("FRAMECAST_STORAGE__PRESIGN_SECONDS", "0"),
    ],
)
def test_a_wrong_storage_setting_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=variable):
        get_settings()


def test_a_migration_target_takes_the_endpoint_and_keys_of_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FRAMECAST_STORAGE__ENDPOINT", "http://127.0.0.1:9000")
    target = store_for_url(get_settings(), "s3://other/p")
    assert isinstance(target, S3Store)
    assert target.where == "s3://other/p"
    assert isinstance(store_for_url(get_settings(), str(tmp_path)), LocalStore)
    with pytest.raises(ConfigurationError, match="FRAMECAST_STORAGE__URL"):
        store_for_url(get_settings(), "s3://")
    with pytest.raises(ConfigurationError, match="not a storage address"):
        store_for_url(get_settings(), "gs://bucket")
