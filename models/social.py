"""What our people do with each other's content from the Mastodon API and the web: follow local
actors, bookmark and re-share items. (Remote twinnings are followed through ``Subscription``;
remote people following ours through ``Follow``.)"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from models import happenings
from models.accounts import Account
from models.content import ContentItem

FOLLOWABLE = ("person", "twinning", "organisation")


class LocalFollow(Model):
    """One of our people following a person, twinning or organisation of this instance: the
    target's public items join the follower's home timeline."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="local_follows", on_delete=fields.CASCADE
    )
    account_id: int
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "local_follows"
        unique_together = (("account", "target_type", "target_id"),)
        indexes = (("target_type", "target_id"),)


class Bookmark(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="bookmarks", on_delete=fields.CASCADE
    )
    account_id: int
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="bookmarks", on_delete=fields.CASCADE
    )
    item_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "bookmarks"
        unique_together = (("account", "item"),)


class Reblog(Model):
    """One of our people re-sharing a public item (Mastodon's reblog, ActivityPub's Announce)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="reblogs", on_delete=fields.CASCADE
    )
    account_id: int
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="reblogs", on_delete=fields.CASCADE
    )
    item_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reblogs"
        unique_together = (("account", "item"),)


async def follow_local(account: Account, target_type: str, target_id: int) -> None:
    """A person followed hears of it, once."""
    async with happenings.acting():
        _, created = await LocalFollow.get_or_create(
            account=account, target_type=target_type, target_id=target_id
        )
        if created and target_type == "person":
            await happenings.followed(target_id, from_account=account)


async def unfollow_local(account: Account, target_type: str, target_id: int) -> None:
    await LocalFollow.filter(account=account, target_type=target_type, target_id=target_id).delete()


async def followed_ids(account: Account, target_type: str) -> list[int]:
    rows: list[Any] = await LocalFollow.filter(
        account=account, target_type=target_type
    ).values_list("target_id", flat=True)
    return rows
