"""Accept and Reject of our people's Follow and Join, matched against our own records (the
embedded copy of our activity is never trusted), and only from the group they were sent to."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.local import local_target, object_uri
from federation.remote_actors import actor_for
from models import happenings
from models.accounts import Account
from models.remote import Subscription
from models.remote_members import answer_invitation


async def _subscription(activity: dict[str, Any]) -> Subscription | None:
    found = await Subscription.get_or_none(
        activity_uri=object_uri(activity.get("object"))
    ).prefetch_related("group")
    if found is None or found.group.uri != activity["actor"]:
        return None
    return found


async def on_accept(fed: Federation, activity: dict[str, Any]) -> None:
    found = await _subscription(activity)
    if found is not None:
        if found.state == "accepted":
            return
        async with happenings.acting():
            found.state = "accepted"
            await found.save(update_fields=["state"])
            if found.kind == "join":
                await happenings.joined_from_afar(found.account_id, found.group)
        return
    await answer_invitation(activity["actor"], object_uri(activity.get("object")), True)


async def on_reject(fed: Federation, activity: dict[str, Any]) -> None:
    """A refused request, or (Mastodon's way of removing a follower) an ended one."""
    found = await _subscription(activity)
    if found is not None:
        async with happenings.acting():
            await found.delete()
            if found.kind == "join":
                await happenings.membership_ended_from_afar(found.account_id, found.group)
        return
    await answer_invitation(activity["actor"], object_uri(activity.get("object")), False)


async def on_invite(fed: Federation, activity: dict[str, Any]) -> None:
    """A group of another server invites one of our people: kept as an invitation they may
    accept (their ``Accept`` goes back then). Only a group inviting into itself counts."""
    target = await local_target(fed.settings, object_uri(activity.get("target")))
    if target is None or target.actor_type != "person":
        return
    if object_uri(activity.get("object")) != activity["actor"]:
        return
    group = await actor_for(fed, activity["actor"])
    if group.actor_type != "Group":
        return
    account = await Account.get(id=target.actor_id)
    existing = await Subscription.get_or_none(account=account, group=group, kind="join")
    if existing is not None and existing.state == "accepted":
        return
    if existing is not None:
        await existing.delete()
    await Subscription.create(
        account=account, group=group, kind="join", state="invited", activity_uri=activity["id"]
    )
