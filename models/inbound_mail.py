"""Mail handed to us by the admin's mail server (the listener or the pipe command): each message
is stored raw, once per recipient, before anything is decided, so that a crash after the mail
server was told "accepted" loses nothing; it is then processed exactly once from this table
(``server/mail_in.py``). Refusals are answered at most once a day per sender."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

MAX_MESSAGE = 25 * 1024 * 1024
MAX_ADDRESS = 320
OUTCOMES = ("", "posted", "started", "ignored", "refused", "bounced", "failed")


class InboundMail(Model):
    """One message for one of our addresses. ``source`` is the message as received, in base64
    (a database text column holds any bytes that way); it is emptied once a refused or
    ignored message is processed, so nothing of it stays."""

    id = fields.IntField(primary_key=True)
    message_id = fields.CharField(max_length=255)
    recipient = fields.CharField(max_length=MAX_ADDRESS)
    envelope_from = fields.CharField(max_length=MAX_ADDRESS, default="")
    source = fields.TextField()
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=10, default="")
    detail = fields.CharField(max_length=200, default="")

    class Meta:
        table = "inbound_mails"
        unique_together = (("message_id", "recipient"),)
        indexes = (("processed_at", "id"),)

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.source)


class MailRefusal(Model):
    """That a refusal was mailed to an address on a day (UTC, ``YYYY-MM-DD``): a sender who
    keeps writing hears it once a day, and a loop with another robot stops at one mail."""

    id = fields.IntField(primary_key=True)
    address = fields.CharField(max_length=MAX_ADDRESS)
    day = fields.CharField(max_length=10)

    class Meta:
        table = "mail_refusals"
        unique_together = (("address", "day"),)


def message_key(message_id: str, raw: bytes) -> str:
    """The Message-ID as given, or a digest of the bytes for a message without one (a second
    delivery of the same bytes is then still recognised)."""
    key = message_id.strip()[:255]
    return key or f"<sha256-{hashlib.sha256(raw).hexdigest()}>"


async def store_raw(
    raw: bytes, message_id: str, recipients: list[str], envelope_from: str = ""
) -> list[InboundMail]:
    """One row per recipient; a message already stored for a recipient (the mail server
    delivering again after a lost answer) is not stored twice. A bounce's envelope sender is
    empty (``<>``)."""
    key = message_key(message_id, raw)
    encoded = base64.b64encode(raw).decode()
    stored = []
    for recipient in dict.fromkeys(r.strip().lower()[:MAX_ADDRESS] for r in recipients):
        try:
            row = await InboundMail.create(
                message_id=key,
                recipient=recipient,
                envelope_from=envelope_from.strip().strip("<>")[:MAX_ADDRESS],
                source=encoded,
            )
        except IntegrityError:
            continue
        stored.append(row)
    return stored


async def pending(limit: int = 20) -> list[InboundMail]:
    return list(await InboundMail.filter(processed_at=None).order_by("id").limit(limit))


async def claim(mail: InboundMail, outcome: str, detail: str = "") -> bool:
    """Marks the mail processed with its outcome, unless another process did it first; the
    caller holds the transaction in which the mail's consequences are written, so both happen
    or neither does."""
    done = await InboundMail.filter(id=mail.id, processed_at=None).update(
        processed_at=datetime.now(UTC), outcome=outcome, detail=detail[:200]
    )
    if done and outcome in ("ignored", "refused", "bounced"):
        await InboundMail.filter(id=mail.id).update(source="")
    return bool(done)


async def first_refusal_today(address: str) -> bool:
    """True once per address and day: whether a refusal may be mailed to it now."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    _, created = await MailRefusal.get_or_create(address=address.lower()[:MAX_ADDRESS], day=day)
    return created
