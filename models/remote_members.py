"""Memberships of people from other servers: their Join requests, the moderators' decisions
and roles, their leaving or removal. Each decision is recorded as a happening, which the
worker sends as the twinning's Accept, Reject, Invite or Remove."""

from __future__ import annotations

from datetime import UTC, datetime

from models import happenings
from models.accounts import Account
from models.errors import N_, Conflict, Invalid
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Twinning, require_moderator
from models.vocab import MEMBER_ROLES


async def request_remote_join(
    twinning: Twinning, actor: RemoteActor, join_uri: str
) -> RemoteMembership | None:
    """Open twinnings accept at once, ``approval`` ones wait for a moderator; invitation-only
    twinnings refuse (None)."""
    existing = await RemoteMembership.get_or_none(twinning=twinning, actor=actor)
    if existing is not None:
        if existing.state == "accepted":  # asked again: the answer is sent again
            await happenings.remote_join_answered(twinning.id, actor.id, join_uri, True)
        return existing
    if twinning.join_policy == "invitation":
        await happenings.remote_join_answered(twinning.id, actor.id, join_uri, False)
        return None
    accepted = twinning.join_policy == "open"
    async with happenings.acting():
        membership = await RemoteMembership.create(
            twinning=twinning,
            actor=actor,
            join_uri=join_uri,
            state="accepted" if accepted else "pending",
            accepted_at=datetime.now(UTC) if accepted else None,
        )
        if accepted:
            await happenings.remote_join_answered(twinning.id, actor.id, join_uri, True)
        else:
            await happenings.join_requested(twinning, from_remote=actor)
    return membership


async def decide_remote_request(
    moderator: Account, twinning: Twinning, membership_id: int, accept: bool
) -> RemoteMembership:
    await require_moderator(moderator, twinning)
    m = await RemoteMembership.get_or_none(id=membership_id, twinning=twinning)
    if m is None:
        raise Invalid("membership", N_("no such member or request"))
    if m.state != "pending":
        raise Conflict("membership", N_("there is no pending request"))
    async with happenings.acting():
        if accept:
            m.state, m.accepted_at = "accepted", datetime.now(UTC)
            await m.save(update_fields=["state", "accepted_at"])
        else:
            await m.delete()
        await happenings.remote_join_answered(twinning.id, m.actor_id, m.join_uri, accept)
    return m


async def invite_remote(
    moderator: Account, twinning: Twinning, actor: RemoteActor, invite_uri: str
) -> RemoteMembership:
    """An invitation to a person of another server; it counts once they accept it."""
    await require_moderator(moderator, twinning)
    if actor.actor_type not in ("Person", "Service", "Application"):
        raise Invalid("handle", N_("only people can be invited"))
    existing = await RemoteMembership.get_or_none(twinning=twinning, actor=actor)
    if existing is not None and existing.state == "accepted":
        raise Conflict("membership", N_("you already asked or belong"))
    async with happenings.acting():
        if existing is not None:
            await existing.delete()
        m = await RemoteMembership.create(
            twinning=twinning, actor=actor, join_uri=invite_uri, state="invited"
        )
        await happenings.remote_invited(twinning.id, actor.id, invite_uri)
    return m


async def answer_invitation(actor_uri: str, invite_uri: str, accepted: bool) -> bool:
    """The invitee's Accept or Reject of our Invite (matched on our records and its sender)."""
    m = await RemoteMembership.get_or_none(
        join_uri=invite_uri, state="invited", actor__uri=actor_uri
    )
    if m is None:
        return False
    if accepted:
        m.state, m.accepted_at = "accepted", datetime.now(UTC)
        await m.save(update_fields=["state", "accepted_at"])
    else:
        await m.delete()
    return True


async def remove_remote_member(
    moderator: Account, twinning: Twinning, membership_id: int
) -> RemoteMembership:
    await require_moderator(moderator, twinning)
    m = await RemoteMembership.get_or_none(id=membership_id, twinning=twinning)
    if m is None:
        raise Invalid("membership", N_("no such member or request"))
    async with happenings.acting():
        await m.delete()
        if m.state == "accepted":
            await happenings.remote_member_removed(twinning.id, m.actor_id)
    return m


async def set_remote_role(
    admin: Account, twinning: Twinning, membership_id: int, role: str
) -> RemoteMembership:
    """Members of other servers take roles like anyone; moderators are published in the
    group's ``attributedTo`` and may remove items of the twinning from their server."""
    await require_moderator(admin, twinning, admin=True)
    if role not in MEMBER_ROLES:
        raise Invalid("role", N_("admin, moderator or member"))
    m = await RemoteMembership.get_or_none(id=membership_id, twinning=twinning, state="accepted")
    if m is None:
        raise Invalid("membership", N_("no such member or request"))
    m.role = role
    await m.save(update_fields=["role"])
    return m


async def left_here(twinning: Twinning, actor_uri: str) -> None:
    """A member of another server left (``Leave`` or ``Undo`` of their Join)."""
    await RemoteMembership.filter(twinning=twinning, actor__uri=actor_uri).delete()


async def remote_members(twinning_id: int) -> list[RemoteActor]:
    rows = await RemoteMembership.filter(
        twinning_id=twinning_id, state="accepted"
    ).prefetch_related("actor")
    return [row.actor for row in rows]
