"""Statuses scheduled from an app: kept with what the app sent until they fall due, then
posted by the worker exactly as if the app had sent them at that moment.

What a status becomes (an update of a twinning, an answer in a thread) is checked when it is
scheduled, so the app can tell its user at once, and again when it is published: a member who
left the twinning meanwhile does not post into it. A status that can no longer be posted is
kept with the reason, out of the queue, for its author to reschedule or cancel."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.compose import compose, place
from models.config import Settings
from models.content import ContentItem, ContentWarning
from models.errors import N_, Invalid, ModelError
from models.happenings import acting
from models.lookup import record_id
from models.media import MediaFile, attach
from models.visibility import may_view

log = logging.getLogger(__name__)

# Mastodon's rule: a schedule closer than this is refused (apps then post at once).
MIN_LEAD = timedelta(minutes=5)
MAX_SCHEDULED = 300
DUE_BATCH = 20


class ScheduledStatus(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="scheduled_statuses", on_delete=fields.CASCADE
    )
    account_id: int
    scheduled_at = fields.DatetimeField(db_index=True)
    # What the app sent: text, visibility, language, spoiler_text, sensitive, in_reply_to_id,
    # media_ids (as Mastodon's ScheduledStatus ``params``).
    params: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # Why publishing failed when it fell due; such a status waits for its author.
    failed_reason = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "scheduled_statuses"


def check_time(when: datetime, now: datetime | None = None) -> datetime:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if when < (now or datetime.now(UTC)) + MIN_LEAD:
        raise Invalid("scheduled_at", N_("must be at least 5 minutes in the future"))
    return when


async def _reply_to(author: Account, params: dict[str, Any]) -> ContentItem | None:
    raw = params.get("in_reply_to_id")
    if not raw:
        return None
    number = record_id(str(raw))
    item = await ContentItem.get_or_none(id=number) if number is not None else None
    if item is None or not await may_view(author, item):
        raise Invalid("in_reply_to_id", N_("the status it answers is gone"))
    return item


async def schedule(
    settings: Settings, author: Account, when: datetime, params: dict[str, Any]
) -> ScheduledStatus:
    """Refused now if it could not be posted now; ``params`` are kept as the app sent them."""
    when = check_time(when)
    if await ScheduledStatus.filter(account=author).count() >= MAX_SCHEDULED:
        raise Invalid("scheduled_at", N_("too many scheduled statuses; cancel some first"))
    reply_to = await _reply_to(author, params)
    await place(settings, author, params["text"], params["visibility"], reply_to)
    return await ScheduledStatus.create(account=author, scheduled_at=when, params=params)


async def reschedule(status: ScheduledStatus, when: datetime) -> ScheduledStatus:
    status.scheduled_at = check_time(when)
    status.failed_reason = ""
    await status.save(update_fields=["scheduled_at", "failed_reason"])
    return status


async def media_of(status: ScheduledStatus) -> list[MediaFile]:
    ids = [int(i) for i in status.params.get("media_ids", [])]
    rows = await MediaFile.filter(id__in=ids, account_id=status.account_id) if ids else []
    return sorted(rows, key=lambda m: ids.index(m.id))


async def _publish(settings: Settings, status: ScheduledStatus) -> ContentItem | None:
    """Posted and removed in one transaction: two workers never post it twice, and a crash
    leaves it scheduled."""
    p = status.params
    async with acting():
        if not await ScheduledStatus.filter(id=status.id, failed_reason="").delete():
            return None  # another worker took it
        author = await Account.get(id=status.account_id)
        warning = ContentWarning(p.get("spoiler_text", ""), bool(p.get("sensitive")))
        item, _ = await compose(
            settings,
            author,
            p["text"],
            p["visibility"],
            p.get("language", ""),
            warning,
            await _reply_to(author, p),
        )
        await attach(item, [m.id for m in await media_of(status) if m.item_id is None])
    return item


async def publish_due(settings: Settings, now: datetime | None = None) -> int:
    """Posts what has fallen due; the worker calls it every cycle."""
    due = (
        await ScheduledStatus.filter(scheduled_at__lte=now or datetime.now(UTC), failed_reason="")
        .order_by("scheduled_at")
        .limit(DUE_BATCH)
    )
    posted = 0
    for status in due:
        try:
            posted += await _publish(settings, status) is not None
        except ModelError as exc:
            reason = exc.message % exc.params if exc.params else exc.message
            await ScheduledStatus.filter(id=status.id).update(
                failed_reason=f"{exc.field}: {reason}"[:300]
            )
            log.info("scheduled status %s not posted: %s %s", status.id, exc.field, reason)
    return posted
