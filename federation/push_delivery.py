"""Sending Web Push: each queued push (``models.push``) is encrypted for its subscription
(RFC 8291, ``aes128gcm``, or the draft ``aesgcm`` of apps that did not ask for the standard),
signed with the instance's VAPID key (RFC 8292) and posted to the push service through the one
outgoing client. The payload is Mastodon's, so apps decode it as they do Mastodon's.

Only this module uses ``http_ece`` and ``py_vapid``. A push service answering 404 or 410 has
forgotten the subscription: it is dropped. Other failures are tried again later."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from datetime import timedelta
from typing import Any

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid01, Vapid02

from federation.context import Federation
from federation.fetch import FetchError, origin_of
from models.content import ContentItem
from models.follows import Follow
from models.notifications import Notification, visible_notifications
from models.pictures import picture_url
from models.push import (
    PushJob,
    PushSubscription,
    b64url,
    claim_jobs,
    decode_key,
    job_failed,
    unseal,
)
from models.remote import Subscription
from models.social import LocalFollow

log = logging.getLogger(__name__)
BATCH = 50
LEASE = timedelta(minutes=2)
TTL = 48 * 3600  # seconds a push service keeps a push for a device that is away (as Mastodon)
BODY_LENGTH = 140
GONE = (404, 410)

# The title of each kind, as Mastodon words it.
TITLES = {
    "mention": "{name} mentioned you",
    "status": "{name} just posted",
    "reblog": "{name} boosted your post",
    "follow": "{name} followed you",
    "follow_request": "{name} asked to join",
    "favourite": "{name} favourited your post",
}


async def deliver_pushes(fed: Federation) -> int:
    """One cycle: the due pushes, each sent once; the number taken."""
    jobs = await claim_jobs(BATCH, LEASE)
    for job in jobs:
        try:
            await _deliver(fed, job)
        except Exception as exc:  # one bad push must not stop the others; logged, retried
            log.exception("push %s failed", job.id)
            await job_failed(job, str(exc))
    return len(jobs)


async def _deliver(fed: Federation, job: PushJob) -> None:
    sub = await PushSubscription.get_or_none(id=job.subscription_id).prefetch_related("account")
    notification = await _notification(job, sub)
    if sub is None or notification is None or not await policy_allows(sub, notification):
        await job.delete()
        return
    payload = await payload_of(fed, sub, notification)
    body, headers = encrypted(fed.settings.vapid_private_key, fed.settings.mail_from, sub, payload)
    try:
        answer = await fed.client.request("POST", sub.endpoint, body=body, headers=headers)
    except FetchError as exc:
        await _retry(job, exc.message)
        return
    if answer.status in GONE:
        log.info("push service forgot subscription %s (%s)", sub.id, answer.status)
        await sub.delete()
    elif 200 <= answer.status < 300:
        await job.delete()
    elif answer.status == 429 or answer.status >= 500:
        await _retry(job, f"{origin_of(sub.endpoint)} answered {answer.status}")
    else:
        log.warning("push service refused push %s: %s", job.id, answer.status)
        await job.delete()


async def _retry(job: PushJob, error: str) -> None:
    if not await job_failed(job, error):
        log.warning("push %s given up: %s", job.id, error)


async def _notification(job: PushJob, sub: PushSubscription | None) -> Notification | None:
    """The notification, if its recipient may still see what it is about (they may have left
    the twinning of a partner-only item since it was queued)."""
    if sub is None or not sub.account.is_active:
        return None
    return (
        await visible_notifications(sub.account)
        .filter(id=job.notification_id)
        .prefetch_related("from_account", "from_remote", "item")
        .first()
    )


async def policy_allows(sub: PushSubscription, notification: Notification) -> bool:
    """Mastodon's policies: ``followed`` lets through the people the recipient follows,
    ``follower`` those who follow the recipient (here or from another server)."""
    me, sender, remote = sub.account_id, notification.from_account_id, notification.from_remote_id
    if sub.policy == "all":
        return True
    if sub.policy == "followed" and sender is not None:
        return await LocalFollow.exists(account_id=me, target_type="person", target_id=sender)
    if sub.policy == "followed" and remote is not None:
        return await Subscription.exists(
            account_id=me, group_id=remote, kind="follow", state="accepted"
        )
    if sub.policy == "follower" and sender is not None:
        return await LocalFollow.exists(account_id=sender, target_type="person", target_id=me)
    if sub.policy == "follower" and remote is not None:
        return await Follow.exists(
            follower_id=remote, target_type="person", target_id=me, state="accepted"
        )
    return False


async def payload_of(
    fed: Federation, sub: PushSubscription, notification: Notification
) -> dict[str, Any]:
    """Mastodon's push payload: what the app shows at once, and the token and id it needs to
    fetch the notification itself."""
    base = fed.settings.base_url
    sender, remote = notification.from_account, notification.from_remote
    if sender is not None:
        name = sender.name
        icon = picture_url(base, sender.avatar) if sender.avatar else f"{base}/static/avatar.png"
    elif remote is not None:
        name = remote.name or remote.handle
        icon = picture_url(base, remote.icon) if remote.icon else f"{base}/static/avatar.png"
    else:
        name, icon = fed.settings.instance_name, f"{base}/static/avatar.png"
    return {
        "access_token": unseal(fed.settings.secret_key, sub.sealed_token),
        "preferred_locale": sub.account.locale or fed.settings.default_locale,
        "notification_id": str(notification.id),
        "notification_type": notification.kind,
        "icon": icon,
        "title": TITLES.get(notification.kind, "{name}").format(name=name),
        "body": body_of(notification.item),
    }


def body_of(item: ContentItem | None) -> str:
    """The item's words as plain text, cut short; its content warning instead when it has
    one (as Mastodon does)."""
    if item is None:
        return ""
    if item.spoiler_text:
        return item.spoiler_text
    text = item.content_map.get(item.primary_language) or next(iter(item.content_map.values()), "")
    plain = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return plain if len(plain) <= BODY_LENGTH else plain[: BODY_LENGTH - 1] + "…"


def encrypted(
    vapid_pem: str, contact: str, sub: PushSubscription, payload: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one push: encrypted to the subscription's key, signed for the
    push service's origin (``aud``) with our contact (``sub``)."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    dh = decode_key(sub.p256dh, 65, "p256dh")
    auth = decode_key(sub.auth, 16, "auth")
    claims = {
        "aud": origin_of(sub.endpoint),
        "sub": f"mailto:{contact}",
        "exp": int(time.time()) + 12 * 3600,
    }
    headers = {"TTL": str(TTL), "Urgency": "normal", "Content-Type": "application/octet-stream"}
    if sub.standard:
        body = http_ece.encrypt(
            data, private_key=ephemeral, dh=dh, auth_secret=auth, version="aes128gcm"
        )
        headers |= {"Content-Encoding": "aes128gcm"}
        headers |= Vapid02.from_pem(vapid_pem.encode()).sign(claims)
        return body, headers
    salt = os.urandom(16)
    body = http_ece.encrypt(
        data, salt=salt, private_key=ephemeral, dh=dh, auth_secret=auth, version="aesgcm"
    )
    server_key = ephemeral.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    signed = Vapid01.from_pem(vapid_pem.encode()).sign(
        claims, crypto_key=f"dh={b64url(server_key)}"
    )
    headers |= {"Content-Encoding": "aesgcm", "Encryption": f"salt={b64url(salt)}", **signed}
    return body, headers
