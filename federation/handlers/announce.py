"""Announce from a twinning of another server that our people follow or belong to (FEP-1b12):
the activity it re-shares is applied as if its author had sent it, with the Announce's own
addressing (the twinning addresses its members by name); a bare object id is fetched from its
origin. An Announce of one of our own items is somebody's boost, told to the item's author."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from federation.context import Federation
from federation.handlers import notes, threads
from federation.local import local_item, object_uri
from federation.remote_actors import actor_for
from models import happenings
from models.content import ContentItem
from models.remote import RemoteActor
from models.visibility import may_remote_actor_view


async def _boost_of_ours(fed: Federation, item: ContentItem, activity: dict[str, Any]) -> None:
    """Someone re-shared one of our items: its author hears of it, if the booster may see it
    (a boost of a partner-only item by a non-member tells nothing)."""
    if item.author_id is None or not await may_remote_actor_view(activity["actor"], item):
        return
    booster = await actor_for(fed, activity["actor"])
    await happenings.reacted_from_afar(item, "reblog", booster)


def _origin(uri: object) -> str:
    parts = urlsplit(uri if isinstance(uri, str) else "")
    return f"{parts.scheme}://{parts.netloc}"


async def on_announce(fed: Federation, activity: dict[str, Any]) -> None:
    boosted = await local_item(fed.settings, object_uri(activity.get("object")))
    if boosted is not None:
        await _boost_of_ours(fed, boosted, activity)
        return
    group = await RemoteActor.filter(
        uri=activity["actor"], actor_type="Group", subscribers__state="accepted"
    ).first()
    if group is None:
        return
    inner = activity.get("object")
    if isinstance(inner, str):
        obj = await fed.client.fetch_object(inner, fed.instance_signer)
        author = obj.get("attributedTo")
        if isinstance(author, str) and _origin(author) == _origin(inner):
            create = {"id": activity["id"], "type": "Create", "actor": author, "object": obj}
            await notes.on_create(fed, create, via=activity)
        return
    if not isinstance(inner, dict) or not _self_consistent(inner):
        return
    if _origin(inner["actor"]) != _origin(group.uri) and not await _in_threads_of(
        fed, group, inner
    ):
        return
    kind = str(inner.get("type"))
    if kind == "Create":
        await notes.on_create(fed, inner, via=activity)
    elif kind == "Update":
        await notes.on_update(fed, inner)
    elif kind == "Delete":
        await notes.on_delete(fed, inner)


async def _in_threads_of(fed: Federation, group: RemoteActor, inner: dict[str, Any]) -> bool:
    """What a group passes on from a third server's person must belong to one of the group's
    threads here: an answer, or a change to an answer; a group never speaks for a stranger's
    own posts."""
    obj = inner.get("object")
    if inner["type"] == "Create" and isinstance(obj, dict):
        thread = await threads.answered(fed.settings, obj)
    else:
        changed = await ContentItem.get_or_none(uri=object_uri(obj)) if object_uri(obj) else None
        thread = (
            await threads.answered(fed.settings, {"inReplyTo": changed.uri}) if changed else None
        )
    return thread is not None and thread.root.remote_twinning_id == group.id


def _self_consistent(inner: dict[str, Any]) -> bool:
    """An activity the group passes on (FEP-1b12) stands for its author, who may live on a
    third server (a member answering): its id and the object it carries are on its actor's
    origin. The group vouches for the rest, as Lemmy's communities do."""
    actor, activity_id = inner.get("actor"), inner.get("id")
    if not isinstance(actor, str) or not isinstance(activity_id, str):
        return False
    obj = inner.get("object")
    object_id = obj.get("id") if isinstance(obj, dict) else obj
    same = {_origin(actor), _origin(activity_id), _origin(object_id)}
    return len(same) == 1
