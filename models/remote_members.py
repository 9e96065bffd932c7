"""Memberships of people from other servers: their Join requests, the moderators' decisions,
their leaving. The federation layer turns decisions into Accept and Reject activities."""

from __future__ import annotations

from datetime import UTC, datetime

from models.accounts import Account
from models.errors import N_, Conflict, Invalid
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Twinning, require_moderator, tell_moderators


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
    membership = await RemoteMembership.create(
        twinning=twinning,
        actor=actor,
        join_uri=join_uri,
        state="accepted" if accepted else "pending",
        accepted_at=datetime.now(UTC) if accepted else None,
    )
    if not accepted:
        await tell_moderators(twinning, from_remote=actor)
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
