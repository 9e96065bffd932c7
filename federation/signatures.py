"""HTTP signatures, the only module that touches bovine's cryptography.

bovine verifies the cryptographic part; this wrapper closes what it leaves open (see its
``SignatureChecker``): the signed headers must include ``(request-target)``, ``host``, ``date``
and, for POST, ``digest``; ``(request-target)`` covers the query string; the Digest must equal
the body's SHA-256; the Date must be recent; ``host`` must be our own domain. RFC 9421
signatures must cover ``@method``, ``@target-uri`` and, for POST, ``content-digest``, and carry
a recent ``created``. A successful check returns the key and its owner, never a bare boolean.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import http_sf
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.signature import Signature
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret

from federation.errors import SignatureError

MAX_SKEW = timedelta(hours=1)
REQUIRED_DRAFT = ("(request-target)", "host", "date")
REQUIRED_RFC9421 = ("@method", "@target-uri")


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    owner: str
    pem: str


@dataclass(frozen=True)
class VerifiedKey:
    key_id: str
    owner: str


KeyLookup = Callable[[str], Awaitable[PublicKey | None]]


def generate_keypair() -> tuple[str, str]:
    """A new RSA key pair (public PEM, private PEM); RSA because Mastodon needs it."""
    public_pem, private_pem = generate_rsa_public_private_key()
    return public_pem, private_pem


@functools.lru_cache(maxsize=256)
def _secret(key_id: str, private_pem: str) -> CryptographicSecret:
    """Loading a PEM private key validates the RSA key, which costs tens of milliseconds with
    current ``cryptography``; our few keys are loaded once and kept."""
    return CryptographicSecret.from_pem(key_id, private_pem)


def body_digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def _target(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_request(
    method: str,
    url: str,
    key_id: str,
    private_pem: str,
    body: bytes | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Headers for an outgoing request signed over (request-target), host, date and, with a
    body, digest (draft-cavage-http-signatures, as Mastodon expects)."""
    headers = {
        "host": urlsplit(url).netloc,
        "date": format_datetime(now or datetime.now(UTC), usegmt=True),
    }
    signature = HttpSignature().with_field("(request-target)", f"{method.lower()} {_target(url)}")
    signature.with_field("host", headers["host"]).with_field("date", headers["date"])
    if body is not None:
        headers["digest"] = body_digest(body)
        signature.with_field("digest", headers["digest"])
    headers["signature"] = signature.sign_for_http_draft(_secret(key_id, private_pem))
    return headers


def _check_time(moment: datetime, now: datetime) -> None:
    if abs(now - moment) > MAX_SKEW:
        raise SignatureError("signature date is too old or in the future")


def _parse_date(value: str) -> datetime:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError) as exc:
        raise SignatureError("unreadable Date header") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=1024)
def _public(pem: str, owner: str) -> CryptographicIdentifier:
    """Loading a PEM public key costs more than one verification with it, and the same remote
    keys sign request after request."""
    return CryptographicIdentifier.from_pem(pem, owner)


async def _identity(lookup: KeyLookup, key_id: str) -> tuple[PublicKey, CryptographicIdentifier]:
    key = await lookup(key_id)
    if key is None:
        raise SignatureError("unknown signing key", f"no key {key_id}")
    return key, _public(key.pem, key.owner)


async def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    domain: str,
    lookup: KeyLookup,
    now: datetime | None = None,
) -> VerifiedKey:
    """Checks an inbound request signed for ``url`` (our canonical URL of the path asked)."""
    headers = {k.lower(): v for k, v in headers.items()}
    now = now or datetime.now(UTC)
    if headers.get("host", domain) != domain:
        raise SignatureError("request was signed for another host")
    if "signature" not in headers:
        raise SignatureError("request is not signed")
    if "signature-input" in headers:
        return await _verify_rfc9421(method, url, headers, body, lookup, now)
    return await _verify_draft(method, url, headers, body, lookup, now)


async def _verify_draft(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    lookup: KeyLookup,
    now: datetime,
) -> VerifiedKey:
    try:
        parsed = Signature.from_signature_header(headers["signature"])
    except Exception as exc:  # bovine raises bare exceptions on malformed headers
        raise SignatureError("malformed Signature header") from exc
    required = (*REQUIRED_DRAFT, "digest") if method.upper() == "POST" else REQUIRED_DRAFT
    missing = [name for name in required if name not in parsed.fields]
    if missing:
        raise SignatureError(f"signature must cover {', '.join(missing)}")
    if method.upper() == "POST" and headers.get("digest") != body_digest(body):
        raise SignatureError("Digest does not match the body")
    _check_time(_parse_date(headers.get("date", "")), now)
    key, identity = await _identity(lookup, parsed.key_id)
    message = HttpSignature()
    for name in parsed.fields:
        if name == "(request-target)":
            message.with_field(name, f"{method.lower()} {_target(url)}")
        elif name in headers:
            message.with_field(name, headers[name])
        else:
            raise SignatureError(f"signed header {name} is absent")
    if message.verify_with_identity(identity, parsed.signature) is None:
        raise SignatureError("signature does not verify", f"key {key.key_id}")
    return VerifiedKey(key.key_id, key.owner)


def claimed_key_id(headers: Mapping[str, str]) -> str | None:
    """The key id a request says it is signed with, unverified (None when unsigned or
    unreadable): enough to refuse a blocked domain before fetching anything from it."""
    headers = {k.lower(): v for k, v in headers.items()}
    if "signature" not in headers:
        return None
    try:
        if "signature-input" in headers:
            inputs: Any = http_sf.parse(headers["signature-input"].encode(), tltype="dictionary")
            _, (_, params) = next(iter(inputs.items()))
            return str(params["keyid"])
        return str(Signature.from_signature_header(headers["signature"]).key_id)
    except Exception:  # bovine and http-sf raise assorted errors on malformed headers
        return None


def _content_digest_matches(header: str, body: bytes) -> bool:
    try:
        parsed: Any = http_sf.parse(header.encode(), tltype="dictionary")
        value = parsed["sha-256"][0]
    except (http_sf.StructuredFieldError, KeyError, TypeError, IndexError):
        return False
    return isinstance(value, bytes) and value == hashlib.sha256(body).digest()


@dataclass(frozen=True)
class _Rfc9421:
    fields: list[str]
    params: dict[str, Any]
    signature_params: str
    signature: bytes


def _parse_rfc9421(signature_input: str, signature: str) -> _Rfc9421:
    """bovine 0.5.19's ``RFC9421Signature.from_headers`` calls the http-sf 1.x parser with the
    wrong arguments and always fails, so the two headers are parsed here with http-sf itself."""
    try:
        inputs: Any = http_sf.parse(signature_input.encode(), tltype="dictionary")
        signatures: Any = http_sf.parse(signature.encode(), tltype="dictionary")
        assert isinstance(inputs, dict) and isinstance(signatures, dict)
        if len(inputs) != 1:
            raise SignatureError("exactly one signature is supported")
        label, (components, params) = next(iter(inputs.items()))
        value = signatures[label][0]
        fields = [str(name) for name, _ in components]
    except (http_sf.StructuredFieldError, AssertionError, KeyError, TypeError, ValueError) as e:
        raise SignatureError("malformed Signature-Input or Signature header") from e
    if not isinstance(value, bytes):
        raise SignatureError("malformed Signature header")
    return _Rfc9421(fields, dict(params), signature_input.split("=", 1)[1].strip(), value)


async def _verify_rfc9421(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes,
    lookup: KeyLookup,
    now: datetime,
) -> VerifiedKey:
    parsed = _parse_rfc9421(headers["signature-input"], headers["signature"])
    try:
        created = datetime.fromtimestamp(int(parsed.params["created"]), UTC)
        key_id = str(parsed.params["keyid"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise SignatureError("Signature-Input needs created and keyid") from exc
    post = method.upper() == "POST"
    required = (*REQUIRED_RFC9421, "content-digest") if post else REQUIRED_RFC9421
    missing = [name for name in required if name not in parsed.fields]
    if missing:
        raise SignatureError(f"signature must cover {', '.join(missing)}")
    if post and not _content_digest_matches(headers.get("content-digest", ""), body):
        raise SignatureError("Content-Digest does not match the body")
    _check_time(created, now)
    key, identity = await _identity(lookup, key_id)
    components = {
        "@method": method.upper(),
        "@target-uri": url,
        "@path": urlsplit(url).path,
        "@authority": urlsplit(url).netloc,
    }
    message = HttpSignature()
    for name in parsed.fields:
        value = components.get(name, headers.get(name))
        if value is None:
            raise SignatureError(f"signed component {name} is absent")
        message.with_field(name, value)
    message.with_field("@signature-params", parsed.signature_params)
    signature = base64.b64encode(parsed.signature).decode()
    if message.verify_with_identity_quoted(identity, signature) is None:
        raise SignatureError("signature does not verify", f"key {key.key_id}")
    return VerifiedKey(key.key_id, key.owner)
