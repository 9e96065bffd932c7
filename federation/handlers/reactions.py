"""Like, Flag and Block from other servers."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError

from federation.context import Federation
from federation.local import local_item, local_target, object_uri
from federation.remote_actors import actor_for
from models import happenings
from models.follows import Follow
from models.moderation import twinning_of
from models.reactions import Like, Report
from models.visibility import may_remote_actor_view

MAX_COMMENT = 5000
MAX_RESOLVED = 10  # addresses of a Flag looked up here; the rest stay listed by address


async def on_like(fed: Federation, activity: dict[str, Any]) -> None:
    """Counted and told with the like in one transaction (a crash leaves both or neither).
    A like of an item its sender may not see is dropped: counting or telling it would tell a
    stranger that the item exists."""
    item = await local_item(fed.settings, object_uri(activity.get("object")))
    if item is None or not await may_remote_actor_view(activity["actor"], item):
        return
    liker = await actor_for(fed, activity["actor"])
    try:
        async with happenings.acting():
            await Like.create(item=item, actor_uri=liker.uri, activity_uri=activity["id"])
            await happenings.reacted_from_afar(item, "favourite", liker)
    except IntegrityError:
        return  # liked already


async def on_undo_like(fed: Federation, activity: dict[str, Any]) -> None:
    undone = activity.get("object")
    item = await local_item(
        fed.settings, object_uri(undone.get("object") if isinstance(undone, dict) else None)
    )
    if item is not None:
        await Like.filter(item=item, actor_uri=activity["actor"]).delete()


async def _named_here(fed: Federation, targets: list[str]) -> dict[str, Any]:
    """The first of our items and of our people a Flag names, so that the report reaches the
    item's twinning moderators too and the admins can act on it as on a report made here."""
    found: dict[str, Any] = {}
    for uri in targets[:MAX_RESOLVED]:
        if "item" not in found and (item := await local_item(fed.settings, uri)) is not None:
            found["item"] = item
            found["twinning_id"] = await twinning_of(item)
            if item.author_id is not None:
                found.setdefault("account_id", item.author_id)
        target = await local_target(fed.settings, uri)
        if target is not None and target.actor_type == "person":
            found["account_id"] = target.actor_id
    return found


async def on_flag(fed: Federation, activity: dict[str, Any]) -> None:
    """Reports land on the admin page; the reported items and actors are listed by address."""
    objects = activity.get("object")
    targets = [object_uri(o) for o in (objects if isinstance(objects, list) else [objects])]
    targets = [t for t in targets if t.startswith(("https://", "http://"))][:50]
    comment = activity.get("content")
    try:
        await Report.create(
            reporter_uri=activity["actor"],
            activity_uri=activity["id"],
            targets=targets,
            comment=comment[:MAX_COMMENT] if isinstance(comment, str) else "",
            **await _named_here(fed, targets),
        )
    except IntegrityError:
        return


async def on_block(fed: Federation, activity: dict[str, Any]) -> None:
    """Someone blocking one of our actors stops following it, so nothing is sent to them."""
    target = await local_target(fed.settings, object_uri(activity.get("object")))
    if target is not None:
        await Follow.filter(
            follower__uri=activity["actor"],
            target_type=target.actor_type,
            target_id=target.actor_id,
        ).delete()
