"""Announce from a twinning of another server that our people follow or belong to (FEP-1b12):
the activity it re-shares is applied as if its author had sent it, when it comes from the
twinning's own origin; a bare object id is fetched from its origin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from federation.context import Federation
from federation.handlers import notes
from models.remote import RemoteActor


def _origin(uri: object) -> str:
    parts = urlsplit(uri if isinstance(uri, str) else "")
    return f"{parts.scheme}://{parts.netloc}"


async def on_announce(fed: Federation, activity: dict[str, Any]) -> None:
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
