"""Announce from a twinning of another server that our people follow or belong to (FEP-1b12):
the activity it re-shares is applied as if its author had sent it, when it comes from the
twinning's own origin; a bare object id is fetched from its origin. An Announce of one of our
own items is somebody's boost, told to the item's author."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from federation.context import Federation
from federation.handlers import notes
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
            await notes.on_create(
                fed, {"id": activity["id"], "type": "Create", "actor": author, "object": obj}
            )
        return
    if not isinstance(inner, dict) or _origin(inner.get("actor")) != _origin(group.uri):
        return
    if not isinstance(inner.get("actor"), str) or not isinstance(inner.get("id"), str):
        return
    handlers = {"Create": notes.on_create, "Update": notes.on_update, "Delete": notes.on_delete}
    handler = handlers.get(str(inner.get("type")))
    if handler is not None:
        await handler(fed, inner)
