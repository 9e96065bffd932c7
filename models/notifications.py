"""Notifications for our people: someone followed them, mentioned them, liked or re-shared their
item, or asked to join a twinning they run. Listing them goes through the visibility rule, so a
notification never reveals an item its recipient may not see."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.content import ContentItem
from models.remote import RemoteActor

# Mastodon's kinds, which apps know, then ours: a join request of one of our people accepted
# by a twinning of another server, and a membership there ended by it (removed or refused).
APP_KINDS = ("mention", "follow", "follow_request", "favourite", "reblog", "status")
KINDS = (*APP_KINDS, "joined", "removed")


class Notification(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="notifications", on_delete=fields.CASCADE
    )
    account_id: int
    kind = fields.CharField(max_length=16)
    # Who caused it: one of our people or a remote actor.
    from_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="notifications_caused", null=True, on_delete=fields.CASCADE
    )
    from_account_id: int | None
    from_remote: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    from_remote_id: int | None
    item: fields.ForeignKeyNullableRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    item_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notifications"
        indexes = (("account_id", "id"),)


async def notify(
    account_id: int,
    kind: str,
    *,
    from_account: Account | None = None,
    from_remote: RemoteActor | None = None,
    item: ContentItem | None = None,
) -> None:
    """Nobody is notified of their own doing."""
    if from_account is not None and from_account.id == account_id:
        return
    await Notification.create(
        account_id=account_id,
        kind=kind,
        from_account=from_account,
        from_remote=from_remote,
        item=item,
    )
