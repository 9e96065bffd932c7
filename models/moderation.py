"""Moderation: our people report an item or a person; the instance admins, and for a twinning's
items that twinning's moderators, see the report and act on it (``models.moderation_actions``);
every act is a row of the moderation log, scoped as the reports are.

Reporting goes through the visibility rule: one may only report what one may see."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import ContentItem
from models.errors import N_, Invalid, NotAllowed
from models.reactions import Report
from models.remote import RemoteActor
from models.twinnings import Membership
from models.visibility import may_view

# Mastodon's report categories, which apps send.
REASONS = ("spam", "legal", "violation", "other")
MAX_COMMENT = 1000


class ModerationEntry(Model):
    """One act of moderation: who did what, on whom or what, why, and when."""

    id = fields.IntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="moderation_done", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    action = fields.CharField(max_length=20)
    report: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "models.Report", related_name="log", null=True, on_delete=fields.SET_NULL
    )
    report_id: int | None
    twinning: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Twinning", related_name="moderation_log", null=True, on_delete=fields.SET_NULL
    )
    twinning_id: int | None
    # What was acted on, as words that outlive it (a removed item, a renamed account).
    target = fields.CharField(max_length=500, default="")
    reason = fields.CharField(max_length=20, default="")
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    # A warned person of ours whose mail has not left yet (the mailer clears it once sent).
    mail_to: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="warnings_to_mail", null=True, on_delete=fields.SET_NULL
    )
    mail_to_id: int | None

    class Meta:
        table = "moderation_log"
        indexes = (("twinning_id", "id"),)


def check_reason(reason: str) -> str:
    if reason not in REASONS:
        raise Invalid("category", N_("choose spam, illegal content, breaks the rules or other"))
    return reason


def check_comment(comment: str) -> str:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid("comment", N_("at most %(num)s characters"), num=MAX_COMMENT)
    return comment


async def twinning_of(item: ContentItem) -> int | None:
    """An answer belongs to its thread's twinning."""
    if item.in_reply_to_id is not None:
        root = await ContentItem.get_or_none(id=item.in_reply_to_id)
        return root.twinning_id if root is not None else None
    return item.twinning_id


def _local_uri() -> str:
    return f"local:{uuid.uuid4()}"


async def _local_report(reporter: Account, reason: str, comment: str, **target: Any) -> Report:
    """A report made here: checked reason and comment, and a local id of its own."""
    return await Report.create(
        reporter=reporter,
        reporter_uri="",
        activity_uri=_local_uri(),
        reason=check_reason(reason),
        comment=check_comment(comment),
        **target,
    )


async def report_item(reporter: Account, item: ContentItem, reason: str, comment: str) -> Report:
    """Only who may see an item may report it; its twinning's moderators will see the report."""
    if not reporter.is_active or not await may_view(reporter, item):
        raise NotAllowed("item", N_("you may not report this"))
    targets = [t for t in (item.uri,) if t]
    if item.remote_author_id is not None:
        author = await RemoteActor.get_or_none(id=item.remote_author_id)
        targets += [author.uri] if author is not None else []
    return await _local_report(
        reporter,
        reason,
        comment,
        item=item,
        account_id=item.author_id,
        twinning_id=await twinning_of(item),
        targets=targets,
    )


async def report_account(reporter: Account, account: Account, reason: str, comment: str) -> Report:
    """A person is reported to the instance admins only."""
    if not reporter.is_active or not account.is_active or account.id == reporter.id:
        raise NotAllowed("account", N_("you may not report this"))
    return await _local_report(reporter, reason, comment, account=account)


async def report_from_app(
    reporter: Account,
    account: Account | RemoteActor,
    items: Sequence[ContentItem],
    reason: str,
    comment: str,
) -> list[Report]:
    """Mastodon's report names an account (ours or another server's) and some of its
    statuses: one report per status (each goes to its own twinning's moderators), or one on
    the account when none is named."""
    check_reason(reason)
    check_comment(comment)
    remote = isinstance(account, RemoteActor)
    for item in items:
        if (item.remote_author_id if remote else item.author_id) != account.id:
            raise Invalid("status_ids", N_("these statuses are not this account's"))
    if items:
        return [await report_item(reporter, item, reason, comment) for item in items]
    if isinstance(account, RemoteActor):
        report = await Report.create(
            reporter=reporter,
            reporter_uri="",
            activity_uri=_local_uri(),
            reason=reason,
            comment=comment.strip(),
            targets=[account.uri],
        )
        return [report]
    return [await report_account(reporter, account, reason, comment)]


async def moderated_twinnings(viewer: Account) -> list[int]:
    rows: list[Any] = await Membership.filter(
        account_id=viewer.id, state="accepted", role__in=("admin", "moderator")
    ).values_list("twinning_id", flat=True)
    return list(rows)


async def reports_for(viewer: Account, twinning_id: int | None = None) -> QuerySet[Report]:
    """Open reports: all of them for instance admins; those of the twinnings one moderates for
    twinning moderators; nothing for anyone else. ``twinning_id`` narrows to one twinning."""
    query = Report.filter(resolved=False)
    if not viewer.is_admin:
        query = query.filter(twinning_id__in=await moderated_twinnings(viewer))
    if twinning_id is not None:
        query = query.filter(twinning_id=twinning_id)
    return query


async def log_for(viewer: Account, twinning_id: int | None = None) -> QuerySet[ModerationEntry]:
    """The log, scoped as the reports are."""
    query = ModerationEntry.all()
    if not viewer.is_admin:
        query = query.filter(twinning_id__in=await moderated_twinnings(viewer))
    if twinning_id is not None:
        query = query.filter(twinning_id=twinning_id)
    return query


async def may_act(viewer: Account, report: Report) -> bool:
    if not viewer.is_active:
        return False
    if viewer.is_admin:
        return True
    return report.twinning_id is not None and report.twinning_id in await moderated_twinnings(
        viewer
    )
