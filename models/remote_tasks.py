"""Task lists of twinnings of other servers, kept here as their group sent them (a ``TodoList``
and its ``Todo`` objects, as Mobilizon shapes them), for our people who are members there.
They are read-only here, apart from the tick of a task assigned to one of our people
(``models.tasks.set_done``), which goes back to the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.remote import RemoteActor
from models.tasks import MAX_DESCRIPTION, MAX_TITLE, Task, TaskList
from models.vocab import PHASES


@dataclass(frozen=True)
class RemoteTask:
    uri: str
    list_uri: str
    title: str
    description: str
    done: bool
    due_on: date | None
    assignee_id: int | None  # one of our people, when the assignee is
    assignee_uri: str
    assignee_name: str


async def store_list(
    group: RemoteActor, uri: str, title: str, phase: str, visibility: str
) -> TaskList:
    """Created or updated; an update never widens the list's audience."""
    phase = phase if phase in PHASES else "identification"
    values: dict[str, Any] = {"title": title[:MAX_TITLE] or "-", "phase": phase}
    found = await TaskList.get_or_none(uri=uri)
    if found is None:
        return await TaskList.create(remote_group=group, uri=uri, visibility=visibility, **values)
    if found.remote_group_id != group.id:
        return found  # another group's list: not this sender's to change
    if visibility == "partners":
        values["visibility"] = "partners"
    await found.update_from_dict(values).save()
    return found


async def store_task(group: RemoteActor, data: RemoteTask) -> Task | None:
    """None when the list is not one this group sent."""
    task_list = await TaskList.get_or_none(uri=data.list_uri, remote_group=group)
    if task_list is None:
        return None
    values: dict[str, Any] = {
        "title": data.title[:MAX_TITLE] or "-",
        "description": data.description[:MAX_DESCRIPTION],
        "done": data.done,
        "due_on": data.due_on,
        "assignee_id": data.assignee_id,
        "assignee_uri": data.assignee_uri[:500],
        "assignee_name": data.assignee_name[:200],
    }
    found = await Task.get_or_none(uri=data.uri)
    if found is None:
        return await Task.create(task_list=task_list, uri=data.uri, **values)
    if found.task_list_id != task_list.id:
        return None
    if found.due_on != data.due_on:
        values["reminded_on"] = None
    await found.update_from_dict(values).save()
    return found


async def lists_of_group(group: RemoteActor) -> list[TaskList]:
    rows = (
        await TaskList.filter(remote_group=group)
        .order_by("id")
        .prefetch_related("tasks", "tasks__assignee")
    )
    order = {phase: i for i, phase in enumerate(PHASES)}
    return sorted(rows, key=lambda r: (order.get(r.phase, 99), r.id))
