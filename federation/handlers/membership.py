"""Membership activities: Join, Leave and Undo(Join) of our twinnings by people of other
servers, and Remove of one of our people by a twinning of another server."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.local import local_target, object_uri
from federation.remote_actors import actor_for
from models import happenings
from models.remote import RemoteActor, Subscription
from models.remote_members import left_here, request_remote_join
from models.twinnings import Twinning


async def _twinning(fed: Federation, uri: str) -> Twinning | None:
    target = await local_target(fed.settings, uri)
    if target is None or target.actor_type != "twinning":
        return None
    return await Twinning.get(id=target.actor_id)


async def on_join(fed: Federation, activity: dict[str, Any]) -> None:
    """Answered at once by open and invitation-only twinnings, later by a moderator."""
    twinning = await _twinning(fed, object_uri(activity.get("object")))
    if twinning is None:
        return
    actor = await actor_for(fed, activity["actor"])
    async with happenings.acting():
        await request_remote_join(twinning, actor, activity["id"])


async def on_leave(fed: Federation, activity: dict[str, Any]) -> None:
    """``Leave`` names the twinning; ``Undo`` carries the Join it takes back."""
    obj = activity.get("object")
    if activity["type"] == "Undo" and isinstance(obj, dict):
        obj = obj.get("object")
    twinning = await _twinning(fed, object_uri(obj))
    if twinning is not None:
        await left_here(twinning, activity["actor"])


async def on_remove(fed: Federation, activity: dict[str, Any]) -> None:
    """A twinning of another server removing one of our people from its members: the
    membership ends here too (and with it its partner-only items), and they are told. Other
    Removes (a post taken off a collection) are not about membership."""
    person = await local_target(fed.settings, object_uri(activity.get("object")))
    if person is None or person.actor_type != "person":
        return
    group = await RemoteActor.get_or_none(uri=activity["actor"], actor_type="Group")
    target = object_uri(activity.get("target"))
    if group is None or target not in ("", group.uri, f"{group.uri}/members"):
        return
    joined = Subscription.filter(account_id=person.actor_id, group=group, kind="join")
    if not await joined.exists():
        return
    async with happenings.acting():
        await joined.delete()
        await happenings.membership_ended_from_afar(person.actor_id, group)
