"""Follow and Undo(Follow) of our actors. Our actors do not lock (manuallyApprovesFollowers is
false), so a Follow is accepted at once; following a twinning makes one part of its public
audience, never a member."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.delivery import enqueue
from federation.local import local_target, object_uri
from federation.remote_actors import actor_for
from federation.serialize import answer
from models import happenings
from models.follows import Follow


async def on_follow(fed: Federation, activity: dict[str, Any]) -> None:
    target = await local_target(fed.settings, object_uri(activity.get("object")))
    if target is None:
        return
    follower = await actor_for(fed, activity["actor"])
    follow = {"id": activity["id"], "type": "Follow", "actor": follower.uri, "object": target.uri}
    accept = answer(target.uri, True, follow, follower.uri)
    async with happenings.acting():
        _, created = await Follow.update_or_create(
            follower=follower,
            target_type=target.actor_type,
            target_id=target.actor_id,
            defaults={"state": "accepted", "activity_uri": activity["id"]},
        )
        await enqueue(accept, target.actor_type, target.actor_id, target.key_id, [follower.inbox])
        if created and target.actor_type == "person":
            await happenings.followed(target.actor_id, from_remote=follower)


async def on_undo_follow(fed: Federation, activity: dict[str, Any]) -> None:
    undone = activity.get("object")
    follows = Follow.filter(follower__uri=activity["actor"])
    if isinstance(undone, dict) and undone.get("object"):
        target = await local_target(fed.settings, object_uri(undone["object"]))
        if target is None:
            return
        follows = follows.filter(target_type=target.actor_type, target_id=target.actor_id)
    else:
        follows = follows.filter(activity_uri=object_uri(undone))
    await follows.delete()
