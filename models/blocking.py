"""Muting, blocking and blocking a server for oneself, as the Mastodon API and the web call
them. What they hide is decided in ``models.personal_blocks``; here is what they change: a
block ends follows both ways, and a block of someone on another server is told to their
server (``Block``, then ``Undo`` when it is lifted) through the happenings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from models import happenings
from models.accounts import Account
from models.errors import N_, Invalid
from models.follows import Follow
from models.personal_blocks import (
    MAX_DOMAIN,
    AccountBlock,
    AccountMute,
    PersonalDomainBlock,
    active_mutes,
)
from models.remote import RemoteActor, Subscription
from models.social import LocalFollow

Target = Account | RemoteActor
MAX_MUTE_SECONDS = 10 * 365 * 24 * 3600
NO_STANCE = {
    "blocking": False,
    "blocked_by": False,
    "muting": False,
    "muting_notifications": False,
    "domain_blocking": False,
}


def _target(target: Target) -> dict[str, Any]:
    if isinstance(target, Account):
        return {"target_account": target}
    return {"target_remote": target}


def _refuse_self(me: Account, target: Target) -> None:
    if isinstance(target, Account) and target.id == me.id:
        raise Invalid("account", N_("is yourself"))


async def mute(me: Account, target: Target, notifications: bool, seconds: int) -> AccountMute:
    """Mute (again, which changes its options); ``seconds`` 0 is for good."""
    _refuse_self(me, target)
    if not 0 <= seconds <= MAX_MUTE_SECONDS:
        raise Invalid("duration", N_("out of range"))
    expires = datetime.now(UTC) + timedelta(seconds=seconds) if seconds else None
    row, _ = await AccountMute.update_or_create(
        defaults={"notifications": notifications, "expires_at": expires},
        account=me,
        **_target(target),
    )
    return row


async def unmute(me: Account, target: Target) -> None:
    await AccountMute.filter(account=me, **_target(target)).delete()


async def block(me: Account, target: Target) -> AccountBlock:
    """Block, ending follows both ways (as Mastodon does); told to a remote target's server."""
    _refuse_self(me, target)
    async with happenings.acting():
        row, created = await AccountBlock.get_or_create(account=me, **_target(target))
        if isinstance(target, Account):
            await LocalFollow.filter(account=me, target_type="person", target_id=target.id).delete()
            await LocalFollow.filter(account=target, target_type="person", target_id=me.id).delete()
        else:
            await Follow.filter(follower=target, target_type="person", target_id=me.id).delete()
            # Its server ends our follow on receiving the Block, as Mastodon does.
            await Subscription.filter(account=me, group=target, kind="follow").delete()
            if created:
                await happenings.record("blocked", account=me.id, remote=target.id, block=row.id)
    return row


async def unblock(me: Account, target: Target) -> None:
    async with happenings.acting():
        row = await AccountBlock.get_or_none(account=me, **_target(target))
        if row is None:
            return
        await row.delete()
        if isinstance(target, RemoteActor):
            await happenings.record("unblocked", account=me.id, remote=target.id, block=row.id)


def clean_domain(raw: str) -> str:
    """The host name a person typed, as remote actors' ``domain`` holds it."""
    domain = raw.strip().lower().removeprefix("https://").removeprefix("http://").strip("/")
    if domain.count(":") == 1:  # a port: people of a server are known by its host name
        domain = domain.partition(":")[0]
    if not domain or len(domain) > MAX_DOMAIN or "/" in domain or "@" in domain or " " in domain:
        raise Invalid("domain", N_("not a server name"))
    return domain


async def block_domain(me: Account, raw: str) -> None:
    await PersonalDomainBlock.get_or_create(account=me, domain=clean_domain(raw))


async def unblock_domain(me: Account, raw: str) -> None:
    await PersonalDomainBlock.filter(account=me, domain=clean_domain(raw)).delete()


async def blocked_between(me: Account, other: Account) -> bool:
    """Whether either blocks the other: then neither may follow the other (as Mastodon)."""
    return await AccountBlock.filter(
        Q(account=me, target_account=other) | Q(account=other, target_account=me)
    ).exists()


async def stance(me: Account, target: Target) -> dict[str, bool]:
    """The relationship flags Mastodon shows for mutes and blocks."""
    mine = await active_mutes(me).filter(**_target(target)).first()
    blocked_by = (
        isinstance(target, Account)
        and await AccountBlock.filter(account=target, target_account=me).exists()
    )
    domain = (
        isinstance(target, RemoteActor)
        and await PersonalDomainBlock.filter(account=me, domain=target.domain).exists()
    )
    return {
        "blocking": await AccountBlock.filter(account=me, **_target(target)).exists(),
        "blocked_by": bool(blocked_by),
        "muting": mine is not None,
        "muting_notifications": mine is not None and mine.notifications,
        "domain_blocking": bool(domain),
    }
