"""Inbound ``TodoList`` and ``Todo`` (``Create``/``Update``), in the shape of
``federation.tasks``.

- From a twinning of another server (the group is the actor and the objects are its own):
  kept here while one of our people is an accepted member of it, for them to read and tick.
- From a member on another server, about a task of one of our twinnings: only the tick is
  taken, from an accepted member, and the group shares it on (``models.tasks``)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from federation.context import Federation
from federation.fetch import origin_of
from federation.local import local_target
from federation.remote_actors import actor_for
from federation.vocabulary import PUBLIC_FORMS
from models.remote import RemoteActor, Subscription
from models.remote_tasks import RemoteTask, store_list, store_task
from models.tasks import Task, set_done_from_afar
from models.twinnings import Twinning

log = logging.getLogger(__name__)


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) else None
    except ValueError:
        return None


def _addressed(activity: dict[str, Any], obj: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    for holder in (activity, obj):
        for key in ("to", "cc"):
            value = holder.get(key)
            seen.update(
                v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)
            )
    return seen


async def on_task_object(fed: Federation, activity: dict[str, Any]) -> None:
    obj = activity["object"]
    object_id = obj.get("id")
    if not isinstance(object_id, str):
        return
    if origin_of(object_id) == fed.settings.base_url:
        await _tick_here(fed, activity, obj, object_id)
        return
    group = await actor_for(fed, activity["actor"])
    if group.actor_type != "Group" or obj.get("attributedTo") != group.uri:
        return  # only a group speaks for its own lists
    joined = Subscription.filter(group=group, kind="join", state="accepted")
    if not await joined.exists():
        return  # none of our people is a member: nothing of it is kept here
    if obj.get("type") == "TodoList":
        public = bool(_addressed(activity, obj) & PUBLIC_FORMS)
        await store_list(
            group,
            object_id,
            _text(obj.get("name"), 200),
            _text(obj.get("phase"), 20),
            "public" if public else "partners",
        )
    else:
        await _store_todo(fed, group, obj, object_id)


async def _store_todo(
    fed: Federation, group: RemoteActor, obj: dict[str, Any], object_id: str
) -> None:
    list_uri = _text(obj.get("todoList") or obj.get("context"), 500)
    assignee = _text(obj.get("assignedTo"), 500)
    person = await local_target(fed.settings, assignee) if assignee else None
    ours = person.actor_id if person is not None and person.actor_type == "person" else None
    known = await RemoteActor.get_or_none(uri=assignee) if assignee and ours is None else None
    name = _text(obj.get("assignedToName"), 200) or (known.name if known else "")
    stored = await store_task(
        group,
        RemoteTask(
            uri=object_id,
            list_uri=list_uri,
            title=_text(obj.get("name"), 200),
            description=_text(obj.get("content"), 2000),
            done=obj.get("status") is True,
            due_on=_day(obj.get("dueDate")),
            assignee_id=ours,
            assignee_uri="" if ours is not None else assignee,
            assignee_name=name or (urlsplit(assignee).path.rsplit("/", 1)[-1] if assignee else ""),
        ),
    )
    if stored is None:
        log.info("todo %s names a list %s did not send", object_id, group.uri)


async def _tick_here(
    fed: Federation, activity: dict[str, Any], obj: dict[str, Any], object_id: str
) -> None:
    """``/t/<slug>/todos/<id>``: one of our tasks, ticked by a member of another server."""
    parts = urlsplit(object_id).path.strip("/").split("/")
    if len(parts) != 4 or parts[0] != "t" or parts[2] != "todos" or not parts[3].isdigit():
        return
    twinning = await Twinning.get_or_none(slug=parts[1])
    task = await Task.get_or_none(id=int(parts[3]), task_list__twinning=twinning)
    status = obj.get("status")
    if twinning is None or task is None or not isinstance(status, bool):
        return
    actor = await actor_for(fed, activity["actor"])
    if not await set_done_from_afar(task, actor, status):
        log.info("todo %s: %s is no member of %s", object_id, actor.uri, twinning.slug)
