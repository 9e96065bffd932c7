"""Memberships of people from other servers: their Join requests, the moderators' decisions,
their leaving. The federation layer turns decisions into Accept and Reject activities."""

from __future__ import annotations

from datetime import UTC, datetime

from models import happenings
from models.accounts import Account
from models.errors import N_, Conflict, Invalid
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Twinning, require_moderator


async def request_remote_join(
    twinning: Twinning, actor: RemoteActor, join_uri: str
) -> RemoteMembership | None:
    """Open twinnings accept at once, ``approval`` ones wait for a moderator; invitation-only
    twinnings refuse (None)."""
    existing = await RemoteMembership.get_or_none(twinning=twinning, actor=actor)
    if existing is not None:
        return existing
    if twinning.join_policy == "invitation":
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
        if not accepted:
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
    if accept:
        m.state, m.accepted_at = "accepted", datetime.now(UTC)
        await m.save(update_fields=["state", "accepted_at"])
    else:
        await m.delete()
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
    if existing is not None:
        await existing.delete()
    return await RemoteMembership.create(
        twinning=twinning, actor=actor, join_uri=invite_uri, state="invited"
    )


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
    await m.delete()
    return m


async def remote_members(twinning_id: int) -> list[RemoteActor]:
    rows = await RemoteMembership.filter(
        twinning_id=twinning_id, state="accepted"
    ).prefetch_related("actor")
    return [row.actor for row in rows]
