"""Update and Delete of remote actors: profile and key changes, and accounts that are gone."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.local import object_uri
from federation.remote_actors import fetch_actor
from models.remote import RemoteActor


async def on_update_actor(fed: Federation, activity: dict[str, Any]) -> None:
    """The new document is fetched from its origin rather than taken from the payload."""
    await fetch_actor(fed, activity["actor"])


async def on_delete_actor(fed: Federation, activity: dict[str, Any]) -> None:
    if object_uri(activity.get("object")) == activity["actor"]:
        await RemoteActor.filter(uri=activity["actor"]).delete()
