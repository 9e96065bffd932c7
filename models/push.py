"""Web Push for apps (Mastodon's ``/api/v1/push/subscription``): one subscription per access
token, the alerts and policy it asked for, and the queue of pushes the worker sends
(``federation.push_delivery``).

A push is queued with the notification, in the transaction that stores it, and sent once that
has committed; the worker checks again, when it sends, that the recipient may still see what
the notification is about."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model

from models.errors import N_, Invalid
from models.notifications import APP_KINDS, Notification
from models.oauth import OAuthToken

# Mastodon's alert names; ours that apps know map one to one (``APP_KINDS``).
ALERTS = (
    "mention",
    "status",
    "reblog",
    "follow",
    "follow_request",
    "favourite",
    "poll",
    "update",
    "admin.sign_up",
    "admin.report",
)
POLICIES = ("all", "followed", "follower", "none")
MAX_ENDPOINT = 2000
MAX_ATTEMPTS = 6


class PushSubscription(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Account", related_name="push_subscriptions", on_delete=fields.CASCADE
    )
    account_id: int
    # One per token; a revoked token takes its subscription with it.
    token: fields.ForeignKeyRelation[OAuthToken] = fields.ForeignKeyField(
        "models.OAuthToken", related_name="push_subscriptions", on_delete=fields.CASCADE
    )
    token_id: int
    # The access token itself, sealed with the instance's secret key: Mastodon's payload
    # carries it so that the app knows which of its accounts the push is for.
    sealed_token = fields.TextField()
    endpoint = fields.TextField()
    p256dh = fields.CharField(max_length=100)
    auth = fields.CharField(max_length=40)
    # RFC 8291 (aes128gcm) when true; the draft Mastodon used before 4.4 (aesgcm) otherwise.
    standard = fields.BooleanField(default=False)
    alerts: fields.JSONField[dict[str, bool]] = fields.JSONField(default=dict)
    policy = fields.CharField(max_length=10, default="all")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "push_subscriptions"
        indexes = (("account_id",), ("token_id",))


class PushJob(Model):
    id = fields.IntField(primary_key=True)
    subscription: fields.ForeignKeyRelation[PushSubscription] = fields.ForeignKeyField(
        "models.PushSubscription", related_name="jobs", on_delete=fields.CASCADE
    )
    subscription_id: int
    notification: fields.ForeignKeyRelation[Notification] = fields.ForeignKeyField(
        "models.Notification", related_name="push_jobs", on_delete=fields.CASCADE
    )
    notification_id: int
    due_at = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")

    class Meta:
        table = "push_jobs"


def now() -> datetime:
    return datetime.now(UTC)


@functools.lru_cache(maxsize=4)
def vapid_public_key(private_pem: str) -> str:
    """The key apps give the push service (``server_key``), as base64url of the raw point;
    empty when the instance has none."""
    if not private_pem:
        return ""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    raw = key.public_key().public_bytes(  # type: ignore[union-attr]
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _sealing_key(secret_key: str) -> bytes:
    return hashlib.sha256(b"jumelage push token\0" + secret_key.encode()).digest()


def seal(secret_key: str, text: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_sealing_key(secret_key)).encrypt(nonce, text.encode(), None)
    return base64.b64encode(nonce + sealed).decode()


def unseal(secret_key: str, sealed: str) -> str:
    """Empty when the secret key changed since (the app then finds no token in its push and
    fetches its notifications anyway)."""
    try:
        raw = base64.b64decode(sealed)
        return AESGCM(_sealing_key(secret_key)).decrypt(raw[:12], raw[12:], None).decode()
    except (InvalidTag, ValueError, binascii.Error):
        return ""


def decode_key(text: str, size: int, field: str) -> bytes:
    """Apps send base64 or base64url, padded or not."""
    cleaned = text.strip().replace("+", "-").replace("/", "_").rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != size or (size == 65 and raw[0] != 4):
        raise Invalid(field, N_("is not a valid key"))
    return raw


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def check_endpoint(endpoint: str, allow_http: bool) -> str:
    parts = urlsplit(endpoint.strip())
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or len(endpoint) > MAX_ENDPOINT:
        raise Invalid("subscription[endpoint]", N_("must be an https address"))
    return endpoint.strip()


def check_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise Invalid("data[policy]", N_("must be all, followed, follower or none"))
    return policy


async def subscribe(
    token: OAuthToken, bearer: str, secret_key: str, fields_: dict[str, Any]
) -> PushSubscription:
    """Mastodon's POST: the token's subscription is replaced by the new one."""
    assert token.account_id is not None
    await PushSubscription.filter(token_id=token.id).delete()
    return await PushSubscription.create(
        account_id=token.account_id,
        token_id=token.id,
        sealed_token=seal(secret_key, bearer),
        **fields_,
    )


async def subscription_of(token: OAuthToken) -> PushSubscription | None:
    return await PushSubscription.get_or_none(token_id=token.id)


async def queue_pushes(notification: Notification) -> None:
    """Called where notifications are made: one job per subscription of the recipient that
    asked for this kind (its policy is applied when the push is sent)."""
    if notification.kind not in APP_KINDS:
        return
    subs = await PushSubscription.filter(account_id=notification.account_id).exclude(policy="none")
    for sub in subs:
        if sub.alerts.get(notification.kind):
            await PushJob.create(
                subscription_id=sub.id, notification_id=notification.id, due_at=now()
            )


async def claim_jobs(limit: int, lease: timedelta) -> list[PushJob]:
    at = now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=at)
    rows = await PushJob.filter(free, due_at__lte=at).order_by("id").limit(limit)
    taken = []
    for row in rows:
        won = await PushJob.filter(free, id=row.id).update(
            claimed_until=at + lease, attempts=row.attempts + 1
        )
        if won:
            row.attempts += 1
            taken.append(row)
    return taken


async def job_failed(job: PushJob, error: str) -> bool:
    """Tried again later, each time after twice as long; False once it is given up (gone)."""
    if job.attempts >= MAX_ATTEMPTS:
        await job.delete()
        return False
    delay = timedelta(seconds=30 * 2 ** (job.attempts - 1))
    await PushJob.filter(id=job.id).update(
        due_at=now() + delay, claimed_until=None, last_error=error[:1000]
    )
    return True
