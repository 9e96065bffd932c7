"""The inbox worker: takes stored activities in arrival order and applies them. A row is leased
while it is processed, so several workers never apply one activity together, and a worker that
dies mid-way leaves the row to be taken again when the lease ends (``federation.leases``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from tortoise.expressions import Q

from federation.context import Federation
from federation.errors import FederationError
from federation.handlers import (
    actors,
    announce,
    answers,
    follow,
    membership,
    notes,
    reactions,
    tasks,
)
from federation.leases import LEASE, worker_id
from federation.local import object_uri
from models.queues import InboxActivity
from models.remote import block_of, now
from models.storage_full import is_storage_full

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
Handler = Callable[[Federation, dict[str, Any]], Awaitable[None]]


# Activities whose type alone names the handler.
BY_TYPE: dict[str, Handler] = {
    "Follow": follow.on_follow,
    "Join": membership.on_join,
    "Leave": membership.on_leave,
    "Accept": answers.on_accept,
    "Reject": answers.on_reject,
    "Invite": answers.on_invite,
    "Remove": membership.on_remove,
    "Announce": announce.on_announce,
    "Like": reactions.on_like,
    "Flag": reactions.on_flag,
    "Block": reactions.on_block,
    "Create": notes.on_create,
}
# Shared tasks (Mobilizon's group to-dos), created or updated.
TASK_TYPES = ("Todo", "TodoList")
# Undo, by the type of what it takes back (a bare id is taken for a Follow, as Mastodon sends).
UNDO: dict[str | None, Handler] = {
    "Follow": follow.on_undo_follow,
    None: follow.on_undo_follow,
    "Join": membership.on_leave,
    "Like": reactions.on_undo_like,
}


def handler_for(activity: dict[str, Any]) -> Handler | None:
    kind = activity.get("type")
    obj = activity.get("object")
    if kind == "Undo":
        return UNDO.get(obj.get("type") if isinstance(obj, dict) else None)
    about_actor = object_uri(obj) == activity.get("actor")
    if kind in ("Create", "Update") and isinstance(obj, dict) and obj.get("type") in TASK_TYPES:
        return tasks.on_task_object
    if kind == "Update":
        return actors.on_update_actor if about_actor else notes.on_update
    if kind == "Delete":
        return actors.on_delete_actor if about_actor else notes.on_delete
    return BY_TYPE.get(str(kind))


async def _lease(row: InboxActivity) -> bool:
    at = now()
    taken = await InboxActivity.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=at), id=row.id, processed_at=None
    ).update(claimed_until=at + LEASE, claimed_by=worker_id(), attempts=row.attempts + 1)
    return taken == 1


async def _failed(row: InboxActivity, detail: str) -> None:
    done = row.attempts + 1 >= MAX_ATTEMPTS
    await InboxActivity.filter(id=row.id).update(
        last_error=detail[:1000],
        claimed_until=None,
        claimed_by="",
        processed_at=now() if done else None,
    )


async def process_one(fed: Federation, row: InboxActivity) -> None:
    """Applies one stored activity; one of a domain blocked since it arrived is set aside."""
    if await block_of(row.actor_uri):
        await InboxActivity.filter(id=row.id).update(
            processed_at=now(), claimed_until=None, last_error="the domain is blocked"
        )
        return
    activity = json.loads(row.payload)
    handler = handler_for(activity)
    try:
        if handler is not None:
            await handler(fed, activity)
    except FederationError as exc:
        log.warning("activity %s failed: %s", row.activity_uri, exc.detail)
        await _failed(row, exc.detail)
        return
    except Exception as exc:  # a bug or a payload we did not foresee: keep the worker alive
        if is_storage_full(exc):
            raise  # not the activity's fault, and no attempt lost: taken again after the lease
        log.exception("activity %s crashed its handler", row.activity_uri)
        await _failed(row, repr(exc))
        return
    await InboxActivity.filter(id=row.id).update(
        processed_at=now(), claimed_until=None, claimed_by=""
    )


async def process_inbox(fed: Federation, limit: int = 50) -> int:
    """One cycle; returns how many activities were taken."""
    rows = (
        await InboxActivity.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now()), processed_at=None
        )
        .order_by("id")
        .limit(limit)
    )
    taken = 0
    for row in rows:
        if await _lease(row):
            taken += 1
            await process_one(fed, row)
    return taken
