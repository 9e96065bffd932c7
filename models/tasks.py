"""Shared tasks of a twinning, in lists (one or more per phase): title, description, an assignee
among its members here or on other servers, a due date, done or not.

A list is partners-only unless its members make it public: a partner-only list is for the
twinning's accepted members alone, everyone else is told it does not exist (as for any
partner-only item). Lists of twinnings of other servers are kept here too, as their group
sent them (``models.remote_tasks``), for our people who are members there.

Every change is a happening (``happenings.tasks_changed``): the worker sends the list or the
task to the members' servers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model

from models import happenings
from models.accounts import Account
from models.errors import N_, Invalid, NotAllowed
from models.remote import RemoteActor, RemoteMembership, Subscription
from models.task_templates import template_for
from models.twinnings import Membership, Twinning
from models.visibility import member_twinning_ids
from models.vocab import PHASES

LIST_VISIBILITIES = ("partners", "public")
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_TASKS = 200


class TaskList(Model):
    id = fields.IntField(primary_key=True)
    # Ours (twinning) or another server's (remote_group, with the list's own uri).
    twinning: fields.ForeignKeyNullableRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="task_lists", null=True, on_delete=fields.CASCADE
    )
    twinning_id: int | None
    remote_group: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="task_lists", null=True, on_delete=fields.CASCADE
    )
    remote_group_id: int | None
    uri = fields.CharField(max_length=500, null=True, unique=True)
    phase = fields.CharField(max_length=20)
    title = fields.CharField(max_length=MAX_TITLE)
    visibility = fields.CharField(max_length=10, default="partners")
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="task_lists", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "task_lists"
        indexes = (("twinning_id", "phase"),)


class Task(Model):
    id = fields.IntField(primary_key=True)
    task_list: fields.ForeignKeyRelation[TaskList] = fields.ForeignKeyField(
        "models.TaskList", related_name="tasks", on_delete=fields.CASCADE
    )
    task_list_id: int
    uri = fields.CharField(max_length=500, null=True, unique=True)
    title = fields.CharField(max_length=MAX_TITLE)
    description = fields.TextField(default="")
    # One of our people, or anyone else by actor address (with the name to show).
    assignee: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="tasks", null=True, on_delete=fields.SET_NULL
    )
    assignee_id: int | None
    assignee_uri = fields.CharField(max_length=500, default="")
    assignee_name = fields.CharField(max_length=200, default="")
    due_on = fields.DateField(null=True)
    done = fields.BooleanField(default=False)
    done_at = fields.DatetimeField(null=True)
    reminded_on = fields.DateField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tasks"
        indexes = (("assignee_id", "done"), ("due_on", "done"))


@dataclass(frozen=True)
class TaskInput:
    title: str
    description: str = ""
    assignee: str = ""  # "a<account id>" for ours, "r<remote actor id>" for another server's
    due_on: date | None = None


async def _is_member(account: Account | None, twinning_id: int) -> bool:
    return account is not None and twinning_id in await member_twinning_ids(account)


async def may_view_list(viewer: Account | None, task_list: TaskList) -> bool:
    """Public lists for all; the others for the twinning's members (here, or for a list of
    another server's twinning, those of our people who are accepted members there)."""
    if task_list.remote_group_id is not None:
        return viewer is not None and await joined_group(viewer, task_list.remote_group_id)
    if task_list.visibility == "public":
        return True
    return task_list.twinning_id is not None and await _is_member(viewer, task_list.twinning_id)


async def joined_group(viewer: Account, group_id: int) -> bool:
    return await Subscription.filter(
        account=viewer, group_id=group_id, kind="join", state="accepted"
    ).exists()


async def visible_lists(viewer: Account | None, twinning: Twinning) -> list[TaskList]:
    query = TaskList.filter(twinning=twinning)
    if not await _is_member(viewer, twinning.id):
        query = query.filter(visibility="public")
    rows = await query.order_by("id").prefetch_related("tasks", "tasks__assignee")
    order = {phase: i for i, phase in enumerate(PHASES)}
    return sorted(rows, key=lambda r: (order.get(r.phase, 99), r.id))


async def _require_member(account: Account, twinning_id: int) -> None:
    if not await _is_member(account, twinning_id):
        raise NotAllowed("twinning", N_("only the twinning's members may do this"))


def _text(value: str, field: str, limit: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise Invalid(field, N_("this field is required"))
    if len(value) > limit:
        raise Invalid(field, N_("at most %(n)s characters"), n=limit)
    return value


async def create_list(
    account: Account,
    twinning: Twinning,
    phase: str,
    title: str,
    visibility: str = "partners",
    from_template: str = "",
) -> TaskList:
    """A new list; ``from_template`` (a language) fills it with the method's tasks of the
    phase in that language, and names it after the phase when no title is given."""
    await _require_member(account, twinning.id)
    if phase not in PHASES or visibility not in LIST_VISIBILITIES:
        raise Invalid("phase", N_("choose one of the offered values"))
    titles = await template_for(phase, from_template) if from_template else []
    title = _text(title, "title", MAX_TITLE, required=not from_template) or phase
    async with happenings.acting():
        task_list = await TaskList.create(
            twinning=twinning, phase=phase, title=title, visibility=visibility, created_by=account
        )
        for name in titles:
            await Task.create(task_list=task_list, title=name[:MAX_TITLE])
        await happenings.tasks_changed(task_list.id)
    return task_list


async def _assignee(twinning_id: int, value: str) -> dict[str, Any]:
    """The fields naming an accepted member of the twinning, or none for an empty value."""
    number = value[1:]
    if not value or not number.isascii() or not number.isdigit():
        if value:
            raise Invalid("assignee", N_("choose one of the offered values"))
        return {"assignee_id": None, "assignee_uri": "", "assignee_name": ""}
    if value[0] == "a":
        m = await Membership.get_or_none(
            twinning_id=twinning_id, account_id=int(number), state="accepted"
        ).prefetch_related("account")
        if m is not None:
            return {"assignee_id": m.account.id, "assignee_uri": "", "assignee_name": ""}
    if value[0] == "r":
        rm = await RemoteMembership.get_or_none(
            twinning_id=twinning_id, actor_id=int(number), state="accepted"
        ).prefetch_related("actor")
        if rm is not None:
            name = rm.actor.name or rm.actor.acct
            return {"assignee_id": None, "assignee_uri": rm.actor.uri, "assignee_name": name}
    raise Invalid("assignee", N_("only a member of the twinning can be assigned a task"))


async def _values(twinning_id: int, data: TaskInput) -> dict[str, Any]:
    return {
        "title": _text(data.title, "title", MAX_TITLE, required=True),
        "description": _text(data.description, "description", MAX_DESCRIPTION),
        "due_on": data.due_on,
        **await _assignee(twinning_id, data.assignee),
    }


async def add_task(account: Account, task_list: TaskList, data: TaskInput) -> Task:
    if task_list.twinning_id is None:
        raise NotAllowed("task", N_("only the twinning's members may do this"))
    await _require_member(account, task_list.twinning_id)
    values = await _values(task_list.twinning_id, data)
    if await Task.filter(task_list=task_list).count() >= MAX_TASKS:
        raise Invalid("title", N_("at most %(n)s tasks"), n=MAX_TASKS)
    async with happenings.acting():
        task = await Task.create(task_list=task_list, **values)
        await happenings.tasks_changed(task_list.id, task.id)
    return task


async def edit_task(account: Account, task: Task, data: TaskInput) -> Task:
    task_list = await TaskList.get(id=task.task_list_id)
    if task_list.twinning_id is None:
        raise NotAllowed("task", N_("only the twinning's members may do this"))
    await _require_member(account, task_list.twinning_id)
    values = await _values(task_list.twinning_id, data)
    if values["due_on"] != task.due_on:
        values["reminded_on"] = None
    async with happenings.acting():
        await task.update_from_dict(values).save()
        await happenings.tasks_changed(task_list.id, task.id)
    return task


def _ticked(task: Task, done: bool) -> None:
    task.done = done
    task.done_at = datetime.now(UTC) if done else None


async def set_done(account: Account, task: Task, done: bool) -> None:
    """Any member ticks or unticks a task of one of our twinnings; a task of another server's
    twinning is ticked by its assignee only, and the tick goes to that twinning."""
    task_list = await TaskList.get(id=task.task_list_id)
    if task_list.twinning_id is not None:
        await _require_member(account, task_list.twinning_id)
    elif task.assignee_id != account.id or not await may_view_list(account, task_list):
        raise NotAllowed("task", N_("only its assignee may tick this task"))
    async with happenings.acting():
        _ticked(task, done)
        await task.save(update_fields=["done", "done_at", "updated_at"])
        if task_list.twinning_id is not None:
            await happenings.tasks_changed(task_list.id, task.id)
        else:
            await happenings.task_ticked_afar(task.id, account.id)


async def set_done_from_afar(task: Task, actor: RemoteActor, done: bool) -> bool:
    """A member of another server ticked a task of one of our twinnings: applied when they are
    an accepted member of it, then shared with the other members' servers."""
    task_list = await TaskList.get(id=task.task_list_id)
    if task_list.twinning_id is None:
        return False
    accepted = RemoteMembership.filter(
        twinning_id=task_list.twinning_id, actor=actor, state="accepted"
    )
    if not await accepted.exists():
        return False
    async with happenings.acting():
        _ticked(task, done)
        await task.save(update_fields=["done", "done_at", "updated_at"])
        await happenings.tasks_changed(task_list.id, task.id)
    return True


async def my_tasks(me: Account, today: date, limit: int = 20) -> list[Task]:
    """For the member's home: open tasks assigned to them, and overdue ones of their
    twinnings, in the lists they may still see."""
    twinnings = sorted(await member_twinning_ids(me))
    groups: list[Any] = await Subscription.filter(
        account=me, kind="join", state="accepted"
    ).values_list("group_id", flat=True)
    in_reach = Q(task_list__twinning_id__in=twinnings) | Q(task_list__remote_group_id__in=groups)
    mine = Q(assignee_id=me.id) | Q(due_on__lt=today, task_list__twinning_id__in=twinnings)
    rows = (
        await Task.filter(in_reach, mine, done=False)
        .prefetch_related("task_list", "task_list__twinning", "task_list__remote_group")
        .order_by("due_on", "id")
        .limit(limit)
    )
    return sorted(rows, key=lambda t: (t.due_on is None, t.due_on or today, t.id))


async def due_tomorrow(today: date, limit: int = 100) -> list[tuple[Task, Account]]:
    """Open tasks of our people due the next day and not reminded of yet, in lists they may
    still see: the mailer's."""
    rows = (
        await Task.filter(
            done=False,
            assignee_id__not_isnull=True,
            due_on=today + timedelta(days=1),
            reminded_on=None,
        )
        .prefetch_related("assignee", "task_list", "task_list__twinning", "task_list__remote_group")
        .order_by("id")
        .limit(limit)
    )
    due = []
    for task in rows:
        account = task.assignee
        if account is not None and await may_view_list(account, task.task_list):
            due.append((task, account))
    return due


async def mark_reminded(task: Task, today: date) -> None:
    await Task.filter(id=task.id).update(reminded_on=today)
