"""HTTP signatures: what we sign verifies, and every way of cheating is refused."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from federation.errors import SignatureError
from federation.signatures import (
    PublicKey,
    generate_keypair,
    sign_request,
    verify_request,
)

DOMAIN = "twin.example"
INBOX = f"https://{DOMAIN}/t/brest/inbox"
ACTOR = "https://remote.example/users/ana"
KEY_ID = ACTOR + "#main-key"
BODY = b'{"type": "Follow"}'
PUBLIC, PRIVATE = generate_keypair()
OTHER_PUBLIC, OTHER_PRIVATE = generate_keypair()


async def lookup(key_id: str) -> PublicKey | None:
    keys = {
        KEY_ID: PublicKey(KEY_ID, ACTOR, PUBLIC),
        "https://remote.example/users/bob#main-key": PublicKey(
            "https://remote.example/users/bob#main-key",
            "https://remote.example/users/bob",
            OTHER_PUBLIC,
        ),
    }
    return keys.get(key_id)


async def verify(
    headers: dict[str, str], body: bytes = BODY, url: str = INBOX, method: str = "POST"
):  # type: ignore[no-untyped-def]
    return await verify_request(method, url, headers, body, domain=DOMAIN, lookup=lookup)


async def test_signed_post_verifies_and_names_the_key_owner() -> None:
    headers = sign_request("POST", INBOX, KEY_ID, PRIVATE, BODY)
    verified = await verify(headers)
    assert (verified.key_id, verified.owner) == (KEY_ID, ACTOR)


async def test_signed_get_with_query_verifies() -> None:
    url = f"https://{DOMAIN}/t/brest/outbox?page=2"
    headers = sign_request("GET", url, KEY_ID, PRIVATE)
    assert (await verify(headers, b"", url, "GET")).owner == ACTOR


async def test_unsigned_request_is_refused() -> None:
    with pytest.raises(SignatureError, match="not signed"):
        await verify({"host": DOMAIN, "date": "x"})


async def test_wrong_key_is_refused() -> None:
    headers = sign_request("POST", INBOX, KEY_ID, OTHER_PRIVATE, BODY)
    with pytest.raises(SignatureError, match="does not verify"):
        await verify(headers)


async def test_unknown_key_is_refused() -> None:
    headers = sign_request("POST", INBOX, "https://remote.example/ghost#k", PRIVATE, BODY)
    with pytest.raises(SignatureError, match="unknown signing key"):
        await verify(headers)


async def test_old_or_future_date_is_refused() -> None:
    for shift in (timedelta(hours=-2), timedelta(hours=2)):
        headers = sign_request("POST", INBOX, KEY_ID, PRIVATE, BODY, now=datetime.now(UTC) + shift)
        with pytest.raises(SignatureError, match="too old or in the future"):
            await verify(headers)


async def test_digest_mismatch_is_refused() -> None:
    headers = sign_request("POST", INBOX, KEY_ID, PRIVATE, BODY)
    with pytest.raises(SignatureError, match="Digest does not match"):
        await verify(headers, body=b'{"type": "Delete"}')


async def test_another_host_or_path_is_refused() -> None:
    headers = sign_request("POST", INBOX, KEY_ID, PRIVATE, BODY)
    with pytest.raises(SignatureError, match="another host"):
        await verify({**headers, "host": "evil.example"})
    with pytest.raises(SignatureError, match="does not verify"):
        await verify(headers, url=f"https://{DOMAIN}/inbox")


async def test_post_signature_must_cover_the_digest() -> None:
    headers = sign_request("GET", INBOX, KEY_ID, PRIVATE)
    headers["digest"] = "SHA-256=" + base64.b64encode(hashlib.sha256(BODY).digest()).decode()
    with pytest.raises(SignatureError, match="must cover digest"):
        await verify(headers)


async def test_malformed_signature_header_is_refused() -> None:
    headers = sign_request("POST", INBOX, KEY_ID, PRIVATE, BODY)
    with pytest.raises(SignatureError):
        await verify({**headers, "signature": "garbage"})


def _rfc9421(components: list[str], values: dict[str, str], created: int) -> dict[str, str]:
    """Signs like an RFC 9421 peer would: the signature base of section 2.5."""
    inner = " ".join(f'"{c}"' for c in components)
    params = f'({inner});created={created};keyid="{KEY_ID}";alg="rsa-v1_5-sha256"'
    base = "\n".join(f'"{c}": {values[c]}' for c in components)
    base += f'\n"@signature-params": {params}'
    key = serialization.load_pem_private_key(PRIVATE.encode(), password=None)
    signature = key.sign(base.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    return {
        "signature-input": f"sig1={params}",
        "signature": f"sig1=:{base64.b64encode(signature).decode()}:",
    }


def _content_digest(body: bytes) -> str:
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


async def test_rfc9421_signature_verifies() -> None:
    values = {"@method": "POST", "@target-uri": INBOX, "content-digest": _content_digest(BODY)}
    now = int(datetime.now(UTC).timestamp())
    headers = {
        "host": DOMAIN,
        "content-digest": values["content-digest"],
        **_rfc9421(["@method", "@target-uri", "content-digest"], values, now),
    }
    assert (await verify(headers)).owner == ACTOR


async def test_rfc9421_must_cover_method_target_and_digest() -> None:
    values = {"@method": "POST", "@target-uri": INBOX, "content-digest": _content_digest(BODY)}
    now = int(datetime.now(UTC).timestamp())
    for components in (["@method", "@target-uri"], ["@target-uri", "content-digest"]):
        headers = {
            "host": DOMAIN,
            "content-digest": values["content-digest"],
            **_rfc9421(components, values, now),
        }
        with pytest.raises(SignatureError, match="must cover"):
            await verify(headers)


async def test_rfc9421_old_created_and_bad_digest_are_refused() -> None:
    values = {"@method": "POST", "@target-uri": INBOX, "content-digest": _content_digest(BODY)}
    old = int((datetime.now(UTC) - timedelta(hours=3)).timestamp())
    headers = {
        "host": DOMAIN,
        "content-digest": values["content-digest"],
        **_rfc9421(["@method", "@target-uri", "content-digest"], values, old),
    }
    with pytest.raises(SignatureError, match="too old"):
        await verify(headers)
    with pytest.raises(SignatureError, match="Content-Digest does not match"):
        await verify(headers, body=b"{}")
