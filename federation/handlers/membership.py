"""Join, Leave and Undo(Join) of our twinnings by people of other servers."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.local import local_target, object_uri
from federation.membership import send_decision
from federation.remote_actors import actor_for
from models.remote import RemoteMembership
from models.remote_members import request_remote_join
from models.twinnings import Twinning


async def _twinning(fed: Federation, uri: str) -> Twinning | None:
    target = await local_target(fed.settings, uri)
    if target is None or target.actor_type != "twinning":
        return None
    return await Twinning.get(id=target.actor_id)


async def on_join(fed: Federation, activity: dict[str, Any]) -> None:
    twinning = await _twinning(fed, object_uri(activity.get("object")))
    if twinning is None:
        return
    actor = await actor_for(fed, activity["actor"])
    membership = await request_remote_join(twinning, actor, activity["id"])
    if membership is None:
        await send_decision(
            fed,
            twinning,
            RemoteMembership(twinning=twinning, actor=actor, join_uri=activity["id"]),
            accepted=False,
        )
    elif membership.state == "accepted":
        await send_decision(fed, twinning, membership, accepted=True)


async def on_leave(fed: Federation, activity: dict[str, Any]) -> None:
    """``Leave`` names the twinning; ``Undo`` carries the Join it takes back."""
    obj = activity.get("object")
    if activity["type"] == "Undo" and isinstance(obj, dict):
        obj = obj.get("object")
    twinning = await _twinning(fed, object_uri(obj))
    if twinning is not None:
        await RemoteMembership.filter(twinning=twinning, actor__uri=activity["actor"]).delete()
