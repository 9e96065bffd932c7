"""Accept and Reject of our people's Follow and Join, matched against our own records (the
embedded copy of our activity is never trusted), and only from the group they were sent to."""

from __future__ import annotations

from typing import Any

from federation.context import Federation
from federation.local import object_uri
from models.remote import Subscription


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
        found.state = "accepted"
        await found.save(update_fields=["state"])


async def on_reject(fed: Federation, activity: dict[str, Any]) -> None:
    found = await _subscription(activity)
    if found is not None:
        await found.delete()
