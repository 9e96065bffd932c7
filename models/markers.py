"""Where a person stopped reading (Mastodon's markers), and idempotency keys of posts, so an app
that retries a post after a lost answer does not post twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account

TIMELINES = ("home", "notifications")
IDEMPOTENCY_WINDOW = timedelta(hours=1)


class Marker(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="markers", on_delete=fields.CASCADE
    )
    account_id: int
    timeline = fields.CharField(max_length=16)
    last_read_id = fields.CharField(max_length=30)
    version = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "markers"
        unique_together = (("account", "timeline"),)


class IdempotencyKey(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="idempotency_keys", on_delete=fields.CASCADE
    )
    account_id: int
    key = fields.CharField(max_length=100)
    item_id = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotency_keys"
        unique_together = (("account", "key"),)


async def set_marker(account: Account, timeline: str, last_read_id: str) -> Marker:
    marker, _ = await Marker.get_or_create(
        account=account, timeline=timeline, defaults={"last_read_id": last_read_id}
    )
    marker.last_read_id = last_read_id
    marker.version += 1
    await marker.save()
    return marker


async def remembered_post(account: Account, key: str) -> int | None:
    since = datetime.now(UTC) - IDEMPOTENCY_WINDOW
    row = await IdempotencyKey.get_or_none(account=account, key=key[:100], created_at__gt=since)
    return row.item_id if row is not None else None


async def remember_post(account: Account, key: str, item_id: int) -> None:
    await IdempotencyKey.filter(account=account, key=key[:100]).delete()
    await IdempotencyKey.create(account=account, key=key[:100], item_id=item_id)
