"""Joining and leaving twinnings, and the moderators' decisions on memberships. A membership
counts only once it is ``accepted``; each act records what follows (``models.happenings``)."""

from __future__ import annotations

from datetime import UTC, datetime

from models import happenings
from models.accounts import Account
from models.errors import N_, Conflict, Invalid, NotAllowed
from models.twinnings import Membership, Twinning, membership_of, require_moderator
from models.vocab import MEMBER_ROLES


async def request_to_join(account: Account, twinning: Twinning) -> Membership:
    """Open twinnings accept at once; ``approval`` makes a pending request; an invitation, once
    accepted by the invitee, becomes a membership."""
    m = await membership_of(account, twinning)
    if m is not None and m.state in ("accepted", "pending"):
        raise Conflict("membership", N_("you already asked or belong"))
    if m is not None and m.state == "invited":
        return await _accept(m)
    if twinning.join_policy == "invitation":
        raise NotAllowed("membership", N_("this twinning takes members by invitation only"))
    async with happenings.acting():
        m = await Membership.create(twinning=twinning, account=account, state="pending")
        if twinning.join_policy == "open":
            return await _accept(m)
        await happenings.join_requested(twinning, from_account=account)
    return m


async def _accept(m: Membership) -> Membership:
    m.state = "accepted"
    m.accepted_at = datetime.now(UTC)
    await m.save(update_fields=["state", "accepted_at"])
    return m


async def _membership_named(twinning: Twinning, username: str) -> Membership:
    m = await Membership.get_or_none(twinning=twinning, account__username=username)
    if m is None:
        raise Invalid("username", N_("no such member or request"))
    return m


async def decide_request(
    moderator: Account, twinning: Twinning, username: str, accept: bool
) -> None:
    await require_moderator(moderator, twinning)
    m = await _membership_named(twinning, username)
    if m.state != "pending":
        raise Conflict("membership", N_("there is no pending request"))
    if accept:
        await _accept(m)
    else:
        await m.delete()


async def invite(moderator: Account, twinning: Twinning, username: str) -> Membership:
    await require_moderator(moderator, twinning)
    account = await Account.get_or_none(username=username.strip().lower(), state="active")
    if account is None:
        raise Invalid("username", N_("no active account has this name"))
    m = await membership_of(account, twinning)
    if m is not None and m.state == "accepted":
        raise Conflict("username", N_("already a member"))
    if m is not None and m.state == "pending":
        return await _accept(m)
    if m is not None:
        return m
    return await Membership.create(twinning=twinning, account=account, state="invited")


async def _admin_count(twinning: Twinning) -> int:
    return await Membership.filter(twinning=twinning, role="admin", state="accepted").count()


async def set_role(admin: Account, twinning: Twinning, username: str, role: str) -> None:
    await require_moderator(admin, twinning, admin=True)
    if role not in MEMBER_ROLES:
        raise Invalid("role", N_("admin, moderator or member"))
    m = await _membership_named(twinning, username)
    if m.state != "accepted":
        raise Conflict("membership", N_("only members have roles"))
    if m.role == "admin" and role != "admin" and await _admin_count(twinning) == 1:
        raise Conflict("role", N_("a twinning keeps at least one admin"))
    m.role = role
    await m.save(update_fields=["role"])


async def remove_member(actor: Account, twinning: Twinning, username: str) -> None:
    """Leaving (one's own name) or removal by a moderator; the last admin stays."""
    if actor.username != username:
        await require_moderator(actor, twinning)
    m = await _membership_named(twinning, username)
    if m.state == "accepted" and m.role == "admin" and await _admin_count(twinning) == 1:
        raise Conflict("membership", N_("the last admin cannot leave; name another admin first"))
    await m.delete()
