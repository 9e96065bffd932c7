"""Shared tasks across two real instances: a twinning on A with a member on B. A starts a
partner-only list from the method's template and gives a task to B's member; B keeps the list
and shows it to him (not to a mere follower); he ticks the task on B; A applies his tick (he is
an accepted member) and shows the task done, and B shows it done too."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from models.vocab import PHASES
from tests.federation.test_two_instances import (
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,  # noqa: F401  (the two databases fixture)
    two_instances,
)
from tests.servers import running_server

TASK = "Traduire la convention en espagnol"
AP = "application/activity+json"


async def _approve_jorge(maelle: httpx.AsyncClient) -> None:
    async def join_request_arrived() -> bool:
        return "remote_id" in (await maelle.get("/t/brest_lapaz/members")).text

    await _eventually(join_request_arrived)
    members = (await maelle.get("/t/brest_lapaz/members")).text
    remote_id = re.search(r'name="remote_id" value="(\d+)"', members)
    assert remote_id
    await _post(
        maelle,
        "/t/brest_lapaz/members",
        "/t/brest_lapaz/members",
        {"action": "approve_remote", "remote_id": remote_id.group(1)},
    )


async def _task_on_a(maelle: httpx.AsyncClient, phase: str = "agreement", task: str = TASK) -> str:
    """Maëlle's list from the template, and a task for Jorge; the task's form address."""
    made = await _post(
        maelle,
        "/t/brest_lapaz/tasks",
        "/t/brest_lapaz/tasks",
        {"phase": phase, "title": "", "template": "1", "visibility": "partners"},
    )
    list_id = made.rsplit("-", 1)[-1]
    page = (await maelle.get("/t/brest_lapaz/tasks")).text
    jorge = re.search(r'<option value="(r\d+)"[^>]*>[^<]*@jorge@', page)
    assert jorge, "B's member is offered as an assignee"
    added = await _post(
        maelle,
        "/t/brest_lapaz/tasks",
        f"/t/brest_lapaz/tasks/{list_id}",
        {"title": task, "assignee": jorge.group(1), "due_on": "2031-05-01"},
    )
    return f"/t/brest_lapaz/tasks/{list_id}/{added.rsplit('-', 1)[-1]}"


def _is_done(page: str, title: str) -> bool:
    at = page.index(title)
    row = page[page.rindex('<li class="task', 0, at) : at]
    return 'class="task done"' in row


async def test_a_member_on_b_sees_and_ticks_a_task_of_a_twinning_on_a(
    tmp_path: Path,
    databases: tuple[str, str],  # noqa: F811
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge", "lucia"))
    handle = f"@brest_lapaz@127.0.0.1:{port_a}"
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            jorge, lucia = await _session(base_b, "jorge"), await _session(base_b, "lucia")
            maelle = await _session(base_a, "maelle")
            await _subscribe(jorge, handle, "join")
            await _subscribe(lucia, handle, "follow")
            await _approve_jorge(maelle)

            async def accepted() -> bool:
                return "waiting for approval" not in (await jorge.get("/remote")).text

            await _eventually(accepted)
            await _task_on_a(maelle)

            home = (await jorge.get("/")).text
            link = re.search(r'href="(/remote/groups/\d+/tasks)"', home)
            assert link, "his home links to the twinning's tasks"
            tasks_on_b = link.group(1)

            async def arrived() -> bool:
                return TASK in (await jorge.get(tasks_on_b)).text

            await _eventually(arrived)
            page_b = (await jorge.get(tasks_on_b)).text
            assert "Draft the twinning agreement" in page_b  # the template's tasks came too
            assert not _is_done(page_b, TASK)
            assert TASK in (await jorge.get("/")).text  # "Your tasks" on his home
            assert (await lucia.get(tasks_on_b)).status_code == 404  # a follower is no member

            tick = re.search(rf'action="(/remote/tasks/\d+)"[^€]*?{re.escape(TASK)}', page_b)
            assert tick, "he may tick the task given to him"
            await _post(jorge, tasks_on_b, tick.group(1), {"done": "1"})

            async def done_on_a() -> bool:
                return _is_done((await maelle.get("/t/brest_lapaz/tasks")).text, TASK)

            await _eventually(done_on_a)

            async def done_on_b() -> bool:
                return _is_done((await jorge.get(tasks_on_b)).text, TASK)

            await _eventually(done_on_b)


async def _tick_on_b(jorge: httpx.AsyncClient, tasks_on_b: str, task: str) -> None:
    async def arrived() -> bool:
        return task in (await jorge.get(tasks_on_b)).text

    await _eventually(arrived)
    page = (await jorge.get(tasks_on_b)).text
    ticks = re.findall(r'action="(/remote/tasks/\d+)"', page[: page.index(task)])
    assert ticks, f"he may tick {task!r}"
    await _post(jorge, tasks_on_b, ticks[-1], {"done": "1"})  # the form just before its title


async def test_a_twinning_goes_through_the_five_phases_with_tasks_ticked_on_b(
    tmp_path: Path,
    databases: tuple[str, str],  # noqa: F811
) -> None:
    """The research-action path: in each phase the moderator on A starts that phase's list
    from the method and gives Jorge (on B) a task, which he ticks from B; then she moves the
    twinning on. A's About tab tells the five phases in order, and the group's document (what
    B reads) says where it stands."""
    port_a, port_b = two_instances(tmp_path, databases, ("jorge",))
    handle = f"@brest_lapaz@127.0.0.1:{port_a}"
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            jorge, maelle = await _session(base_b, "jorge"), await _session(base_a, "maelle")
            await _subscribe(jorge, handle, "join")
            await _approve_jorge(maelle)

            async def accepted() -> bool:
                return "waiting for approval" not in (await jorge.get("/remote")).text

            await _eventually(accepted)
            tasks_on_b = ""
            for n, phase in enumerate(PHASES):
                task = f"{TASK} ({phase})"
                await _task_on_a(maelle, phase, task)
                if not tasks_on_b:
                    link = re.search(
                        r'href="(/remote/groups/\d+/tasks)"', (await jorge.get("/")).text
                    )
                    assert link, "his home links to the twinning's tasks"
                    tasks_on_b = link.group(1)
                await _tick_on_b(jorge, tasks_on_b, task)

                async def done_on_a(task: str = task) -> bool:
                    return _is_done((await maelle.get("/t/brest_lapaz/tasks")).text, task)

                await _eventually(done_on_a)
                if n + 1 < len(PHASES):
                    await _post(maelle, "/t/brest_lapaz/about", "/t/brest_lapaz/phase", {})
            about = (await maelle.get("/t/brest_lapaz/about")).text
            timeline = about[about.index('class="timeline"') :]
            names = ["Identification", "Agreement", "Implementation", "Evaluation", "Sharing"]
            at = [timeline.index(name) for name in names]
            assert at == sorted(at), "the five phases, in order"
            assert 'aria-current="step"><strong>Sharing' in timeline
            document = await maelle.get(
                "/t/brest_lapaz", headers={"Accept": "application/activity+json"}
            )
            phase_values = [
                a["value"] for a in document.json()["attachment"] if a.get("name") == "Phase"
            ]
            assert phase_values and "haring" in phase_values[0]
