"""A twinning's shared tasks: its lists, phase by phase, where members add a list (empty or
started from the method's template of the phase), add, edit, assign and tick tasks. Reached
from the About tab. The same lists of a twinning of another server, as its group sent them,
show at ``/remote/groups/<id>/tasks`` for our people who are members there; the admins edit
the method's templates at ``/admin/task-templates``."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.config import LOCALES
from models.errors import ModelError
from models.remote import RemoteActor, RemoteMembership
from models.remote_tasks import lists_of_group
from models.task_templates import all_templates, save_template
from models.tasks import (
    LIST_VISIBILITIES,
    Task,
    TaskInput,
    TaskList,
    add_task,
    create_list,
    edit_task,
    joined_group,
    may_view_list,
    set_done,
    visible_lists,
)
from models.twinnings import Membership, Twinning
from models.vocab import PHASE_NAMES, PHASES
from server import i18n
from server.web.forms import read_form, refusal_text, text
from server.web.guards import (
    flash,
    get_or_404,
    int_param,
    redirect,
    require_admin,
    require_viewer,
    viewer_of,
)
from server.web.pages.twinning_tabs import frame
from server.web.render import render


async def _assignees(twinning: Twinning) -> list[tuple[str, str, str]]:
    """(form value, name, address or "") of everyone a task may be given to: the accepted
    members, here and on other servers."""
    here = await Membership.filter(twinning=twinning, state="accepted").prefetch_related("account")
    afar = await RemoteMembership.filter(twinning=twinning, state="accepted").prefetch_related(
        "actor"
    )
    people = [(f"a{m.account.id}", m.account.name, "") for m in here]
    people += [
        (f"r{m.actor.id}", f"{m.actor.name or m.actor.handle} (@{m.actor.acct})", m.actor.uri)
        for m in afar
    ]
    return sorted(people, key=lambda p: p[1].casefold())


async def _page(
    request: Request, twinning: Twinning, status: int = 200, error: str | None = None
) -> Response:
    viewer = viewer_of(request)
    around = await frame(request, twinning, "about")
    return render(
        request,
        "twinning_tasks.html",
        status,
        **around,
        lists=await visible_lists(viewer, twinning),
        assignees=await _assignees(twinning) if around["is_member"] else [],
        phases=PHASES,
        visibilities=LIST_VISIBILITIES,
        today=date.today(),
        error=error,
    )


async def tasks_page(request: Request) -> Response:
    """The lists; a POST adds one."""
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    if request.method == "GET":
        return await _page(request, twinning)
    viewer = require_viewer(request)
    form = await read_form(request)
    from_template = i18n.current_locale() if text(form, "template") == "1" else ""
    phase, title = text(form, "phase"), text(form, "title")
    if from_template and not title.strip() and phase in PHASE_NAMES:
        title = i18n.gettext(PHASE_NAMES[phase])  # named after its phase, in the author's words
    try:
        task_list = await create_list(
            viewer,
            twinning,
            phase,
            title,
            text(form, "visibility") or "partners",
            from_template,
        )
    except ModelError as exc:
        return await _page(request, twinning, exc.status, refusal_text(exc))
    return redirect(f"/t/{twinning.slug}/tasks#list-{task_list.id}")


async def _list_of(request: Request, twinning: Twinning) -> TaskList:
    """The list in the path, or 404 (also for a partner-only list the viewer may not see)."""
    task_list = await get_or_404(TaskList, id=int_param(request, "list_id"), twinning=twinning)
    if not await may_view_list(viewer_of(request), task_list):
        raise HTTPException(404)
    return task_list


def _due(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _task_input(form: Any) -> TaskInput:
    return TaskInput(
        title=text(form, "title"),
        description=text(form, "description"),
        assignee=text(form, "assignee"),
        due_on=_due(text(form, "due_on")),
    )


async def list_page(request: Request) -> Response:
    """One list (GET: the tasks page at its place); a POST adds a task to it."""
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    task_list = await _list_of(request, twinning)
    if request.method == "GET":
        return redirect(f"/t/{twinning.slug}/tasks#list-{task_list.id}")
    viewer = require_viewer(request)
    try:
        task = await add_task(viewer, task_list, _task_input(await read_form(request)))
    except ModelError as exc:
        return await _page(request, twinning, exc.status, refusal_text(exc))
    return redirect(f"/t/{twinning.slug}/tasks#task-{task.id}")


async def task_page(request: Request) -> Response:
    """Tick, untick or edit a task."""
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    task_list = await _list_of(request, twinning)
    task = await get_or_404(Task, id=int_param(request, "task_id"), task_list=task_list)
    form = await read_form(request)
    try:
        if text(form, "action") == "edit":
            await edit_task(viewer, task, _task_input(form))
            flash(request, i18n.gettext("The task is saved."))
        else:
            await set_done(viewer, task, text(form, "done") == "1")
    except ModelError as exc:
        return await _page(request, twinning, exc.status, refusal_text(exc))
    return redirect(f"/t/{twinning.slug}/tasks#task-{task.id}")


async def remote_tasks_page(request: Request) -> Response:
    """The lists of another server's twinning, for its members here."""
    viewer = require_viewer(request)
    group = await get_or_404(RemoteActor, id=int_param(request, "group_id"), actor_type="Group")
    if not await joined_group(viewer, group.id):
        raise HTTPException(404)
    return render(
        request,
        "remote_tasks.html",
        group=group,
        lists=await lists_of_group(group),
        today=date.today(),
    )


async def remote_tick_page(request: Request) -> Response:
    viewer = require_viewer(request)
    task = await get_or_404(Task, id=int_param(request, "task_id"))
    task_list = await TaskList.get(id=task.task_list_id)
    if task_list.remote_group_id is None or not await may_view_list(viewer, task_list):
        raise HTTPException(404)
    form = await read_form(request)
    try:
        await set_done(viewer, task, text(form, "done") == "1")
    except ModelError as exc:
        flash(request, refusal_text(exc))
    return redirect(f"/remote/groups/{task_list.remote_group_id}/tasks#task-{task.id}")


async def templates_page(request: Request) -> Response:
    """The method's tasks for each phase, in each language, one per line."""
    require_admin(request)
    error, status = None, 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            await save_template(text(form, "phase"), text(form, "language"), text(form, "titles"))
        except ModelError as exc:
            error, status = refusal_text(exc), exc.status
        else:
            flash(request, i18n.gettext("The template is saved."))
            return redirect("/admin/task-templates")
    return render(
        request,
        "admin_task_templates.html",
        status,
        templates=await all_templates(),
        languages=LOCALES,
        error=error,
    )


routes = [
    Route("/t/{slug:handle}/tasks", tasks_page, methods=["GET", "POST"]),
    Route("/t/{slug:handle}/tasks/{list_id:id}", list_page, methods=["GET", "POST"]),
    Route("/t/{slug:handle}/tasks/{list_id:id}/{task_id:id}", task_page, methods=["POST"]),
    Route("/remote/groups/{group_id:id}/tasks", remote_tasks_page),
    Route("/remote/tasks/{task_id:id}", remote_tick_page, methods=["POST"]),
    Route("/admin/task-templates", templates_page, methods=["GET", "POST"]),
]
