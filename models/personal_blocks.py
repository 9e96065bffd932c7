"""What one person chose not to hear: accounts they mute (for a while or for good, with or
without their notifications), accounts they block, and whole servers they block for
themselves (Mastodon's user domain blocks).

This is a personal filter on top of the visibility rule, never instead of it: ``unmuted``
only ever removes rows from a query built on ``visible_items``, and ``quiet`` only removes
notifications. Every list (home, public, hashtag and list timelines, notifications, streams
and the web home) narrows its query here, so that one condition decides them all. A block
also works the other way: the blocker's items are kept out of the blocked person's lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import ContentItem
from models.remote import RemoteActor

MAX_DOMAIN = 255


class AccountMute(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="mutes", on_delete=fields.CASCADE
    )
    account_id: int
    target_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="muted_by", null=True, on_delete=fields.CASCADE
    )
    target_account_id: int | None
    target_remote: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="muted_by", null=True, on_delete=fields.CASCADE
    )
    target_remote_id: int | None
    # Whether their notifications are muted too (Mastodon's default).
    notifications = fields.BooleanField(default=True)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_mutes"
        unique_together = (("account", "target_account"), ("account", "target_remote"))


class AccountBlock(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="blocks", on_delete=fields.CASCADE
    )
    account_id: int
    target_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="blocked_by", null=True, on_delete=fields.CASCADE
    )
    target_account_id: int | None
    target_remote: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="blocked_by", null=True, on_delete=fields.CASCADE
    )
    target_remote_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_blocks"
        unique_together = (("account", "target_account"), ("account", "target_remote"))


class PersonalDomainBlock(Model):
    """A server one person no longer wants to hear from (the instance's own domain blocks,
    decided by admins, are ``models.domain_blocks``)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="domain_blocks", on_delete=fields.CASCADE
    )
    account_id: int
    domain = fields.CharField(max_length=MAX_DOMAIN)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "personal_domain_blocks"
        unique_together = (("account", "domain"),)


def _now() -> datetime:
    return datetime.now(UTC)


def active_mutes(viewer: Account) -> QuerySet[AccountMute]:
    """The viewer's mutes that have not expired (an expired one is as if it were gone)."""
    return AccountMute.filter(Q(expires_at=None) | Q(expires_at__gt=_now()), account_id=viewer.id)


def _item_condition(viewer: Account) -> Q:
    return _conditions(viewer, False, "author_id", ("remote_author_id", "remote_twinning_id"))


def _conditions(viewer: Account, notifications: bool, local: str, remotes: tuple[str, ...]) -> Q:
    """Rows (items or notifications) whose local account field or remote actor fields name
    someone the viewer does not hear. Spelled with "not null" so that SQL's NULL IN (...)
    never hides a row by accident."""
    mutes = active_mutes(viewer)
    if notifications:
        mutes = mutes.filter(notifications=True)
    blocks = AccountBlock.filter(account_id=viewer.id)
    people = [
        mutes.filter(target_account_id__not_isnull=True).values("target_account_id"),
        blocks.filter(target_account_id__not_isnull=True).values("target_account_id"),
        AccountBlock.filter(target_account_id=viewer.id).values("account_id"),
    ]
    domains = PersonalDomainBlock.filter(account_id=viewer.id).values("domain")
    actors = [
        mutes.filter(target_remote_id__not_isnull=True).values("target_remote_id"),
        blocks.filter(target_remote_id__not_isnull=True).values("target_remote_id"),
        RemoteActor.filter(domain__in=Subquery(domains)).values("id"),
    ]
    found = _not_null(local) & _any_in(local, people)
    for field in remotes:
        found |= _not_null(field) & _any_in(field, actors)
    return found


def _not_null(field: str) -> Q:
    filters: dict[str, Any] = {f"{field}__not_isnull": True}
    return Q(**filters)


def _any_in(field: str, subqueries: Sequence[Any]) -> Q:
    conditions = []
    for query in subqueries:
        filters: dict[str, Any] = {f"{field}__in": Subquery(query)}
        conditions.append(Q(**filters))
    return Q(*conditions, join_type=Q.OR)


def unmuted(query: QuerySet[ContentItem], viewer: Account | None) -> QuerySet[ContentItem]:
    """``query`` without the items of people (and servers) ``viewer`` muted or blocked, or
    who blocked them. One condition, so a page costs the same queries however long."""
    if viewer is None:
        return query
    return query.filter(~_item_condition(viewer))


async def is_unheard(viewer: Account, item: ContentItem) -> bool:
    """The same rule as ``unmuted`` for one item (a stream decides per event)."""
    return not await unmuted(ContentItem.filter(id=item.id), viewer).exists()


def quiet_condition(viewer: Account) -> Q:
    """Notifications caused by someone muted (unless the mute keeps their notifications),
    blocked, blocking the viewer, or on a server the viewer blocked."""
    return _conditions(viewer, True, "from_account_id", ("from_remote_id",))
