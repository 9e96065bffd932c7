"""Notifications for our people: someone followed them, mentioned them, liked or re-shared their
item, or asked to join a twinning they run. Listing them goes through the visibility rule, so a
notification never reveals an item its recipient may not see."""

from __future__ import annotations

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import ContentItem
from models.markers import Marker, set_marker
from models.personal_blocks import quiet_condition
from models.remote import RemoteActor
from models.visibility import visible_items

# Mastodon's kinds, which apps know, then ours: a join request of one of our people accepted
# by a twinning of another server, and a membership there ended by it (removed or refused).
APP_KINDS = ("mention", "follow", "follow_request", "favourite", "reblog", "status")
# Shown on the notifications page and served to apps as well (apps skip types they do not
# know): a reader asks for a translation one can give, and a translation asked for arrived.
TRANSLATION_KINDS = ("translate", "translated")
# A report one made was handled (``report`` says how); a moderator warned one (``note``).
MODERATION_KINDS = ("moderated", "warned")
SHOWN_KINDS = (*APP_KINDS, *TRANSLATION_KINDS, *MODERATION_KINDS)
KINDS = (*SHOWN_KINDS, "joined", "removed")
MAX_UNREAD = 1000


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
    report: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Report", related_name="notifications", null=True, on_delete=fields.CASCADE
    )
    report_id: int | None
    # A moderator's words to the recipient (a warning).
    note = fields.TextField(default="", db_default=SqlDefault("''"))
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
) -> Notification | None:
    """Nobody is notified of their own doing."""
    if from_account is not None and from_account.id == account_id:
        return None
    return await Notification.create(
        account_id=account_id,
        kind=kind,
        from_account=from_account,
        from_remote=from_remote,
        item=item,
    )


def visible_notifications(account: Account) -> QuerySet[Notification]:
    """The notifications apps and the page show, through the visibility rule: one pointing at
    an item its recipient may no longer see (they left the twinning, say) is not shown; nor
    one caused by someone the recipient muted or blocked (``models.personal_blocks``)."""
    seen = Subquery(visible_items(account).values("id"))
    mine = Notification.filter(account=account, kind__in=SHOWN_KINDS)
    return mine.filter(Q(item_id=None) | Q(item_id__in=seen)).filter(~quiet_condition(account))


async def last_read_id(account: Account) -> int:
    """Where the person stopped reading notifications (Mastodon's ``notifications`` marker),
    shared by the web page and apps."""
    marker = await Marker.get_or_none(account=account, timeline="notifications")
    raw = marker.last_read_id if marker is not None else ""
    return int(raw) if raw.isdigit() else 0


async def unread_count(account: Account) -> int:
    """Unread as apps count them (capped, as Mastodon does)."""
    query = visible_notifications(account).filter(id__gt=await last_read_id(account))
    return min(await query.count(), MAX_UNREAD)


async def mark_read(account: Account, up_to: int) -> None:
    """Everything up to ``up_to`` is read; the marker never moves back (an older page opened
    later does not make newer notifications unread again)."""
    if up_to > await last_read_id(account):
        await set_marker(account, "notifications", str(up_to))


async def newest_id(account: Account) -> int:
    row = await visible_notifications(account).order_by("-id").first()
    return row.id if row is not None else 0


async def dismiss(account: Account, notification_id: int) -> bool:
    """Mastodon's dismiss: the notification is gone, for the web and for apps. Only the
    recipient's own, and only one they may see."""
    row = await visible_notifications(account).filter(id=notification_id).first()
    if row is None:
        return False
    await row.delete()
    return True
