"""The two media stores answer the one interface alike (the local folder and a bucket on an
S3-compatible server running here); the settings choose the store and refuse a bad address
with the variable at fault; a bucket that does not exist is a clear 'unavailable', never a
file that seems missing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from models.config import ConfigError, load_settings
from models.media_store import (
    LocalStore,
    MediaStore,
    S3Location,
    S3Store,
    StoreUnavailable,
    store_at,
)
from tests.s3 import BUCKET, KEYS, objects, s3_env, s3_server


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with s3_server() as found:
        yield found


def _s3(endpoint: str, prefix: str, bucket: str = BUCKET) -> S3Store:
    keys = KEYS["JUMELAGE_S3_ACCESS_KEY"], KEYS["JUMELAGE_S3_SECRET_KEY"]
    return S3Store(S3Location(bucket, prefix, endpoint, "eu-west-3", *keys))


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path, endpoint: str) -> MediaStore:
    if request.param == "local":
        return LocalStore(tmp_path)
    return _s3(endpoint, f"unit-{secrets.token_hex(4)}")


async def test_a_store_keeps_reads_lists_and_deletes_files(store: MediaStore) -> None:
    assert await store.get("media/a.png") is None and await store.open("media/a.png") is None
    await store.put("media/a.png", b"first")
    await store.put("media/a.png", b"second, whole")
    await store.put("pictures/b.jpg", b"face")
    assert await store.get("media/a.png") == b"second, whole"
    opened = await store.open("media/a.png")
    assert opened is not None and opened.size == 13
    assert b"".join([chunk async for chunk in opened.chunks]) == b"second, whole"
    assert await store.exists("pictures/b.jpg") and not await store.exists("pictures/c.jpg")
    assert await store.keys("media") == ["media/a.png"]
    assert await store.keys("pictures") == ["pictures/b.jpg"]
    await store.delete("media/a.png")
    await store.delete("media/a.png")  # gone already: no error
    assert await store.keys("media") == [] and await store.get("media/a.png") is None
    assert "writable and readable" in await store.probe()
    assert await store.keys("pictures") == ["pictures/b.jpg"]  # the probe left nothing


async def test_keys_outside_the_stores_folders_are_refused(store: MediaStore) -> None:
    for key in ("../secret_key", "media/../secret_key", "media/a/b", "secret_key", "media/"):
        with pytest.raises(ValueError):
            await store.put(key, b"x")


async def test_the_bucket_holds_the_objects_under_the_prefix(endpoint: str) -> None:
    store = _s3(endpoint, "node-a/files")
    await store.put("media/x.pdf", b"%PDF-1.4")
    assert objects(endpoint, "node-a/files") == {"media/x.pdf": b"%PDF-1.4"}


async def test_a_missing_bucket_is_unavailable_not_missing(endpoint: str) -> None:
    store = _s3(endpoint, "p", bucket="no-such-bucket")
    with pytest.raises(StoreUnavailable) as refused:
        await store.put("media/x.png", b"x")
    assert refused.value.status == 503 and "NoSuchBucket" in refused.value.detail
    with pytest.raises(StoreUnavailable):
        await store.probe()


async def test_an_unreachable_store_is_unavailable(tmp_path: Path) -> None:
    from tests.servers import free_port

    store = _s3(f"http://127.0.0.1:{free_port()}", "p")
    with pytest.raises(StoreUnavailable) as refused:
        await store.put("media/x.png", b"x")
    assert "media/x.png" in refused.value.detail


def _settings_env(tmp_path: Path, **env: str) -> dict[str, str]:
    return {"JUMELAGE_DATA_DIR": str(tmp_path), **env}


def test_settings_choose_the_store_of_the_data_directory(tmp_path: Path, endpoint: str) -> None:
    (tmp_path / "local").mkdir()
    local = load_settings(_settings_env(tmp_path / "local"))
    assert local.media_url == "" and isinstance(store_at(local.data_dir), LocalStore)
    (tmp_path / "s3").mkdir()
    remote = load_settings(_settings_env(tmp_path / "s3", **s3_env(endpoint, "n/m")))
    chosen = store_at(remote.data_dir)
    assert isinstance(chosen, S3Store) and chosen.description == (
        f"s3://{BUCKET}/n/m at {endpoint}"
    )


@pytest.mark.parametrize(
    ("env", "variable", "reason"),
    [
        ({"JUMELAGE_MEDIA_URL": "https://bucket/x"}, "JUMELAGE_MEDIA_URL", "s3://bucket"),
        ({"JUMELAGE_MEDIA_URL": "s3://Bad_Bucket/x"}, "JUMELAGE_MEDIA_URL", "bucket name"),
        ({"JUMELAGE_MEDIA_URL": "s3://"}, "JUMELAGE_MEDIA_URL", "bucket name"),
        ({"JUMELAGE_S3_ENDPOINT": "minio:9000"}, "JUMELAGE_S3_ENDPOINT", "http(s)"),
        ({"JUMELAGE_S3_ACCESS_KEY": "only-one"}, "JUMELAGE_S3_SECRET_KEY", "both"),
    ],
)
def test_bad_store_settings_name_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str, reason: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_settings_env(tmp_path, **env))
    assert refused.value.variable == variable and reason in str(refused.value)
