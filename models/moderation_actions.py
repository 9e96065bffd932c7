"""What moderators do with a report: dismiss it, remove the item, warn its author, silence or
suspend the account, block the other server's domain, or forward the report to that server
(an ActivityPub ``Flag``, sent by the worker from the instance actor). Each act writes its row
of the moderation log and tells the reporter in the same transaction.

Instance admins may do everything; a twinning's moderators may dismiss, remove and warn on
the reports of their twinning only. Silencing and blocking reach beyond one twinning."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from models import happenings
from models.accounts import Account
from models.content import ContentItem
from models.domain_blocks import block_domain
from models.errors import N_, Invalid, NotAllowed
from models.follows import Follow
from models.moderation import ModerationEntry, may_act
from models.notifications import Notification
from models.posting import remove_item
from models.reactions import Report
from models.remote import RemoteActor, RemoteMembership, host_of

ACTIONS = ("dismiss", "remove", "warn", "silence", "suspend", "block_domain", "forward")
ADMIN_ACTIONS = ("silence", "suspend", "block_domain", "forward")
OUTCOMES = {
    "dismiss": "dismissed",
    "remove": "removed",
    "warn": "warned",
    "silence": "silenced",
    "suspend": "suspended",
    "block_domain": "domain_blocked",
    "forward": "forwarded",
}
# Forwarding sends the report on and leaves it open here: the moderators may still act.
KEEPS_OPEN = ("forward",)
MAX_NOTE = 500

Subject = Account | RemoteActor


async def subject_of(report: Report) -> Subject | None:
    """Whom a report is about: the account named, the author of the item, or an actor of
    another server among its targets (reports from apps name one)."""
    if report.account_id is not None:
        return await Account.get_or_none(id=report.account_id)
    item = await ContentItem.get_or_none(id=report.item_id) if report.item_id else None
    if item is not None and item.author_id is not None:
        return await Account.get_or_none(id=item.author_id)
    if item is not None and item.remote_author_id is not None:
        return await RemoteActor.get_or_none(id=item.remote_author_id)
    return await RemoteActor.filter(uri__in=report.targets[:50]).first()


async def remote_subject(report: Report) -> RemoteActor | None:
    subject = await subject_of(report)
    return subject if isinstance(subject, RemoteActor) else None


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise Invalid("note", N_("at most %(num)s characters"), num=MAX_NOTE)
    return note


async def _describe(report: Report, subject: Subject | None) -> str:
    """The target in words: the account's handle, and the item's number."""
    parts = []
    if isinstance(subject, Account):
        parts.append(f"@{subject.username}")
    elif subject is not None:
        parts.append(f"@{subject.acct}")
    if report.item_id is not None:
        parts.append(f"#{report.item_id}")
    named = subject.uri if isinstance(subject, RemoteActor) else ""
    parts += [t for t in report.targets[:2] if t != named]
    return " ".join(parts)[:500]


async def _remove(report: Report) -> None:
    item = await ContentItem.get_or_none(id=report.item_id) if report.item_id else None
    if item is None:
        raise Invalid("action", N_("this report names no item to remove"))
    await remove_item(item)


def _local(subject: Subject | None) -> Account:
    if not isinstance(subject, Account):
        raise Invalid("action", N_("this report names no account of this server"))
    return subject


def _spares_admins(actor: Account, subject: Subject | None) -> None:
    if isinstance(subject, Account) and (subject.id == actor.id or subject.is_admin):
        raise NotAllowed("action", N_("an admin cannot be silenced or suspended here"))


async def _warn(actor: Account, report: Report, subject: Subject | None, note: str) -> None:
    """Our person is told on their notifications and by mail (the mailer picks the log row's
    ``mail_to``); a person of another server gets the words as a direct message."""
    if subject is None:
        raise Invalid("action", N_("this report names no account to warn"))
    if not note:
        raise Invalid("note", N_("say what the warning is about"))
    if isinstance(subject, Account):
        await Notification.create(account=subject, kind="warned", from_account=actor, note=note)
    else:
        await happenings.record("warned_afar", actor=subject.id, note=note)


async def _silence(subject: Subject | None) -> None:
    if subject is None:
        raise Invalid("action", N_("this report names no account to silence"))
    subject.silenced_at = subject.silenced_at or datetime.now(UTC)
    await subject.save(update_fields=["silenced_at"])


async def _suspend(subject: Subject | None) -> None:
    """A local account can no longer log in nor be seen; an account of another server is
    seen by no one here and its activities are refused (its server keeps it)."""
    if isinstance(subject, RemoteActor):
        subject.suspended_at = subject.suspended_at or datetime.now(UTC)
        await subject.save(update_fields=["suspended_at"])
        await _cut_off(subject)
        return
    account = _local(subject)
    account.state = "suspended"
    await account.save(update_fields=["state"])


async def _cut_off(actor: RemoteActor) -> None:
    """Nothing more goes to a suspended account: its follows end, and its memberships end as
    a moderator's removal does (its server is told, so it stops showing the twinning)."""
    await Follow.filter(follower=actor).delete()
    for m in await RemoteMembership.filter(actor=actor):
        await m.delete()
        if m.state == "accepted":
            await happenings.remote_member_removed(m.twinning_id, actor.id)


async def _block(subject: Subject | None, report: Report, note: str) -> None:
    if not isinstance(subject, RemoteActor):
        raise Invalid("action", N_("this report names no other server"))
    await block_domain(host_of(subject.uri), "suspend", note or report.reason)


async def _forward(report: Report, subject: Subject | None) -> None:
    """The worker sends the Flag (``federation.moderation``) once this has committed."""
    if not isinstance(subject, RemoteActor):
        raise Invalid("action", N_("this report names no other server"))
    if report.forwarded:
        raise Invalid("action", N_("this report was already forwarded"))
    report.forwarded = True
    await report.save(update_fields=["forwarded"])
    await happenings.record("report_forwarded", reports=[report.id], actor=subject.id)


async def _do(
    actor: Account, report: Report, action: str, subject: Subject | None, note: str
) -> None:
    if action in ("silence", "suspend"):
        _spares_admins(actor, subject)
    if action == "remove":
        await _remove(report)
    elif action == "warn":
        await _warn(actor, report, subject, note)
    elif action == "silence":
        await _silence(subject)
    elif action == "suspend":
        await _suspend(subject)
    elif action == "block_domain":
        await _block(subject, report, note)
    elif action == "forward":
        await _forward(report, subject)


def _check_action(actor: Account, report: Report, action: str) -> None:
    if action not in ACTIONS:
        raise Invalid("action", N_("unknown action"))
    if action in ADMIN_ACTIONS and not actor.is_admin:
        raise NotAllowed("action", N_("only instance admins may do this"))
    if report.resolved:
        raise Invalid("report", N_("this report was already handled"))


async def act(actor: Account, report: Report, action: str, note: str = "") -> ModerationEntry:
    """The act, its log row, the report closed (unless forwarded) and its reporter told, in
    one transaction."""
    if not await may_act(actor, report):
        raise NotAllowed("report", N_("you do not moderate this"))
    _check_action(actor, report, action)
    note = _check_note(note)
    subject = await subject_of(report)
    target = await _describe(report, subject)
    async with happenings.acting():
        await _do(actor, report, action, subject, note)
        if action not in KEEPS_OPEN:
            report.resolved, report.outcome = True, OUTCOMES[action]
            await report.save(update_fields=["resolved", "outcome"])
        entry = await _log(actor, action, target, note, report)
        if action == "warn" and isinstance(subject, Account):
            entry.mail_to_id = subject.id
            await entry.save(update_fields=["mail_to_id"])
        if report.reporter_id is not None and report.reporter_id != actor.id:
            await Notification.create(
                account_id=report.reporter_id, kind="moderated", from_account=actor, report=report
            )
    return entry


async def _log(
    actor: Account, action: str, target: str, note: str, report: Report | None = None
) -> ModerationEntry:
    return await ModerationEntry.create(
        actor=actor,
        action=action,
        report=report,
        twinning_id=report.twinning_id if report is not None else None,
        target=target,
        reason=report.reason if report is not None else "",
        note=note,
    )


async def forward_by_reporter(reporter: Account, reports: Sequence[Report]) -> bool:
    """The reporter asked for the report to go to the reported account's server too: one Flag
    for all the reports (an app's report names several statuses), logged as the reporter's."""
    if not reports:
        return False
    subject = await remote_subject(reports[0])
    if subject is None:
        raise Invalid("forward", N_("only a report about another server's account goes there"))
    async with happenings.acting():
        for report in reports:
            report.forwarded = True
            await report.save(update_fields=["forwarded"])
            await _log(reporter, "forward", await _describe(report, subject), "", report)
        await happenings.record(
            "report_forwarded", reports=[r.id for r in reports], actor=subject.id
        )
    return True


async def lift_silence(actor: Account, subject: Subject, note: str = "") -> ModerationEntry:
    """Admins lift a silence; logged like the silence was."""
    if not actor.is_admin or not actor.is_active:
        raise NotAllowed("action", N_("only instance admins may do this"))
    if subject.silenced_at is None:
        raise Invalid("action", N_("this account is not silenced"))
    note = _check_note(note)
    target = f"@{subject.username}" if isinstance(subject, Account) else f"@{subject.acct}"
    async with happenings.acting():
        subject.silenced_at = None
        await subject.save(update_fields=["silenced_at"])
        return await _log(actor, "unsilence", target, note)


async def silenced_accounts(limit: int = 200) -> tuple[list[Account], list[RemoteActor]]:
    """For the admins' page, where each silence can be lifted."""
    local = await Account.filter(silenced_at__not_isnull=True).order_by("username").limit(limit)
    remote = await RemoteActor.filter(silenced_at__not_isnull=True).order_by("uri").limit(limit)
    return local, remote


async def warnings_to_mail(limit: int = 50) -> list[ModerationEntry]:
    """Warnings whose mail has not left yet, for the mailer."""
    return await ModerationEntry.filter(mail_to_id__not_isnull=True).order_by("id").limit(limit)


async def warning_mailed(entry: ModerationEntry) -> None:
    await ModerationEntry.filter(id=entry.id).update(mail_to_id=None)
