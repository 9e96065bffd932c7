"""An S3-compatible server on this machine (moto's server mode) and a look into its bucket
with the same client library the node uses (obstore), independent of the node's code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import obstore
from moto.server import ThreadedMotoServer
from obstore.store import S3Store

from tests.servers import free_port

BUCKET = "jumelage-media"
KEYS = {"JUMELAGE_S3_ACCESS_KEY": "testing-key", "JUMELAGE_S3_SECRET_KEY": "testing-secret"}


@contextmanager
def s3_server() -> Iterator[str]:
    """Its endpoint, with the bucket ``BUCKET`` made."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        httpx.put(f"{endpoint}/{BUCKET}").raise_for_status()
        yield endpoint
    finally:
        server.stop()


def s3_env(endpoint: str, prefix: str, bucket: str = BUCKET) -> dict[str, str]:
    """The settings of a node whose media live under ``prefix`` in ``bucket``."""
    return {
        "JUMELAGE_MEDIA_URL": f"s3://{bucket}/{prefix}",
        "JUMELAGE_S3_ENDPOINT": endpoint,
        "JUMELAGE_S3_REGION": "eu-west-3",
        **KEYS,
    }


def _bucket(endpoint: str, prefix: str) -> S3Store:
    return S3Store(
        BUCKET,
        prefix=prefix,
        endpoint=endpoint,
        region="eu-west-3",
        access_key_id=KEYS["JUMELAGE_S3_ACCESS_KEY"],
        secret_access_key=KEYS["JUMELAGE_S3_SECRET_KEY"],
        client_options={"allow_http": True},
    )


def keys(endpoint: str, prefix: str) -> set[str]:
    """The keys under ``prefix`` (without it), read while servers may be deleting some."""
    listing = obstore.list(_bucket(endpoint, prefix))
    return {str(meta["path"]) for batch in listing for meta in batch}


def objects(endpoint: str, prefix: str) -> dict[str, bytes]:
    """Every object under ``prefix``: key (without the prefix) -> bytes."""
    bucket = _bucket(endpoint, prefix)
    return {key: bytes(obstore.get(bucket, key).bytes()) for key in keys(endpoint, prefix)}
