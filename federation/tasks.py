"""Shared tasks on the wire, in the shape Mobilizon gives its group to-dos
(``converter/todo_list.ex``, ``converter/todo.ex``): a ``TodoList`` whose ``actor`` and
``attributedTo`` are the group, and ``Todo`` objects attributed to the group, with ``name``,
``status`` (done, a boolean), ``todoList`` (the list) and the fields Mobilizon keeps but does
not send: ``dueDate``, ``assignedTo``; ``content`` holds the description and ``context`` the
list, as threads name theirs.

Lists go from the twinning to its members on other servers, each at their own inbox (a list
is partners-only unless made public, and even a public one concerns the members alone): the
group's ``Create`` of a new list with its tasks, its ``Update`` of a changed task. A member of
another server ticking a task sends their ``Update`` of the ``Todo`` to the group, which applies
it and shares the result as its own ``Update``."""

from __future__ import annotations

from typing import Any

from federation.actors import person_uri, twinning_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import activity
from federation.vocabulary import AS, PUBLIC
from models.accounts import Account
from models.config import Settings
from models.remote import RemoteActor
from models.remote_members import remote_members
from models.tasks import Task, TaskList
from models.twinnings import Twinning

CONTEXT: list[Any] = [
    AS,
    {
        "mz": "https://joinmobilizon.org/ns#",
        "TodoList": "mz:TodoList",
        "Todo": "mz:Todo",
        "todoList": {"@id": "mz:todoList", "@type": "@id"},
        "assignedTo": {"@id": "mz:assignedTo", "@type": "@id"},
        "dueDate": "mz:dueDate",
        "status": "mz:status",
        "phase": "mz:phase",
    },
]


def list_uri(settings: Settings, twinning: Twinning, task_list: TaskList) -> str:
    return f"{twinning_uri(settings, twinning.slug)}/todo-lists/{task_list.id}"


def task_uri(settings: Settings, twinning: Twinning, task: Task) -> str:
    return f"{twinning_uri(settings, twinning.slug)}/todos/{task.id}"


def _addressing(
    settings: Settings, twinning: Twinning, task_list: TaskList, members: list[str]
) -> dict[str, list[str]]:
    """As for items: public lists name Public, partner-only ones the members alone."""
    group = twinning_uri(settings, twinning.slug)
    if task_list.visibility == "public":
        return {"to": [PUBLIC, *members], "cc": [f"{group}/followers"]}
    return {"to": [f"{group}/members", *members], "cc": []}


def todo_list_to_object(
    settings: Settings, twinning: Twinning, task_list: TaskList, members: list[str]
) -> dict[str, Any]:
    group = twinning_uri(settings, twinning.slug)
    return {
        "type": "TodoList",
        "id": list_uri(settings, twinning, task_list),
        "actor": group,
        "attributedTo": group,
        "name": task_list.title,
        "phase": task_list.phase,
        "published": task_list.created_at.isoformat(),
        **_addressing(settings, twinning, task_list, members),
    }


def _assignee_uri(settings: Settings, task: Task, assignee: Account | None) -> str | None:
    if assignee is not None:
        return person_uri(settings, assignee.username)
    return task.assignee_uri or None


def todo_to_object(
    settings: Settings,
    twinning: Twinning,
    task_list: TaskList,
    task: Task,
    assignee: Account | None,
    members: list[str],
) -> dict[str, Any]:
    group, the_list = twinning_uri(settings, twinning.slug), list_uri(settings, twinning, task_list)
    obj: dict[str, Any] = {
        "type": "Todo",
        "id": task_uri(settings, twinning, task),
        "actor": group,
        "attributedTo": group,
        "name": task.title,
        "content": task.description,
        "status": task.done,
        "todoList": the_list,
        "context": the_list,
        "published": task.created_at.isoformat(),
        "updated": task.updated_at.isoformat(),
        **_addressing(settings, twinning, task_list, members),
    }
    if task.due_on is not None:
        obj["dueDate"] = task.due_on.isoformat()
    if (who := _assignee_uri(settings, task, assignee)) is not None:
        obj["assignedTo"] = who
        if task.assignee_name:
            obj["assignedToName"] = task.assignee_name
    return obj


def _wrapped(kind: str, actor: str, obj: dict[str, Any], token: str) -> dict[str, Any]:
    made = activity(kind, f"{obj['id']}#{kind.lower()}-{token}", actor, obj, obj["to"], obj["cc"])
    made["@context"] = CONTEXT
    return made


async def send_tasks(fed: Federation, data: dict[str, Any], token: str) -> None:
    """The worker's step for ``happenings.tasks_changed``: a new list goes out with its tasks
    (``Create``), a changed task as the group's ``Update``."""
    task_list = await TaskList.get_or_none(id=data["task_list"])
    if task_list is None or task_list.twinning_id is None:
        return
    twinning = await Twinning.get(id=task_list.twinning_id)
    members = await remote_members(twinning.id)
    inboxes = sorted({m.inbox for m in members})
    if not inboxes:
        return
    settings, uris = fed.settings, [m.uri for m in members]
    group = twinning_uri(settings, twinning.slug)
    tasks = Task.filter(task_list=task_list).prefetch_related("assignee").order_by("id")
    if data.get("task") is None:
        out = [
            _wrapped(
                "Create", group, todo_list_to_object(settings, twinning, task_list, uris), token
            )
        ]
        chosen, kind = await tasks, "Create"
    else:
        out = [
            _wrapped(
                "Update", group, todo_list_to_object(settings, twinning, task_list, uris), token
            )
        ]
        chosen, kind = await tasks.filter(id=data["task"]), "Update"
    for task in chosen:
        obj = todo_to_object(settings, twinning, task_list, task, task.assignee, uris)
        out.append(_wrapped(kind, group, obj, token))
    for one in out:
        await enqueue(one, "twinning", twinning.id, group + "#main-key", inboxes)


async def send_tick(fed: Federation, data: dict[str, Any], token: str) -> None:
    """The worker's step for ``happenings.task_ticked_afar``: our person's ``Update`` of a task
    of another server's twinning, to that twinning's inbox. Only the tick is theirs to say."""
    task = await Task.get_or_none(id=data["task"])
    account = await Account.get_or_none(id=data["account"])
    if task is None or account is None or task.uri is None:
        return
    task_list = await TaskList.get(id=task.task_list_id)
    group = await RemoteActor.get_or_none(id=task_list.remote_group_id or 0)
    if group is None:
        return
    me = person_uri(fed.settings, account.username)
    obj = {"type": "Todo", "id": task.uri, "status": task.done, "todoList": task_list.uri}
    tick = {
        "@context": CONTEXT,
        "id": f"{me}#todo-{task.id}-{token}",
        "type": "Update",
        "actor": me,
        "object": obj,
        "to": [group.uri],
        "cc": [],
    }
    await enqueue(tick, "person", account.id, me + "#main-key", [group.inbox])
