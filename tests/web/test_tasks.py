"""Shared tasks of a twinning: a member starts a list from the method's template of a phase,
adds a task, gives it to a partner with a due date, ticks and unticks it; overdue and assigned
tasks show on the member's home; a partner-only list is not found for anyone else, a public
one is read by all; the assignee is reminded by mail the day before; the admins edit the
method's templates."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from models.accounts import Account
from models.memberships import decide_request, request_to_join
from models.task_templates import DEFAULTS, template_for
from models.tasks import Task, TaskList
from models.twinnings import Twinning, TwinningInput, create_twinning
from server.mailer import send_due
from tests.conftest import csrf_of, log_in, make_account
from tests.web.test_mail import smtp  # noqa: F401  (the real SMTP server fixture)


@pytest.fixture
async def twinning() -> Twinning:
    maelle = await make_account("maelle", locale="fr")
    jorge = await make_account("jorge", locale="es")
    await make_account("visitor")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest – La Paz"}))
    await request_to_join(jorge, twinning)
    await decide_request(maelle, twinning, "jorge", accept=True)
    return twinning


async def _post(client: httpx.AsyncClient, action: str, data: dict[str, str]) -> httpx.Response:
    page = await client.get("/t/brest/tasks")
    return await client.post(action, data={"csrf_token": csrf_of(page.text), **data})


async def _template_list(client: httpx.AsyncClient, visibility: str = "partners") -> TaskList:
    made = await _post(
        client,
        "/t/brest/tasks",
        {"phase": "agreement", "title": "", "template": "1", "visibility": visibility},
    )
    assert made.status_code == 303
    return await TaskList.filter(twinning__slug="brest").order_by("-id").first()  # type: ignore[return-value]


async def test_a_list_from_the_template_then_tasks_assigned_ticked_and_unticked(
    client: httpx.AsyncClient, twinning: Twinning
) -> None:
    await log_in(client, "maelle")
    task_list = await _template_list(client)
    titles = [t.title for t in await Task.filter(task_list=task_list).order_by("id")]
    assert titles == DEFAULTS["agreement"]["fr"]  # maelle reads French
    jorge = await Account.get(username="jorge")
    due = (date.today() + timedelta(days=10)).isoformat()
    added = await _post(
        client,
        f"/t/brest/tasks/{task_list.id}",
        {
            "title": "Traduire la convention",
            "description": "En espagnol",
            "assignee": f"a{jorge.id}",
            "due_on": due,
        },
    )
    assert added.status_code == 303
    task = await Task.get(title="Traduire la convention")
    assert task.assignee_id == jorge.id and task.due_on == date.fromisoformat(due)
    page = await client.get("/t/brest/tasks")
    assert "Traduire la convention" in page.text
    assert f'<option value="a{jorge.id}" selected>' in page.text  # the edit form names him

    await log_in(client, "jorge")
    ticked = await _post(client, f"/t/brest/tasks/{task_list.id}/{task.id}", {"done": "1"})
    assert ticked.status_code == 303
    assert (await Task.get(id=task.id)).done
    await _post(client, f"/t/brest/tasks/{task_list.id}/{task.id}", {"done": "0"})
    assert not (await Task.get(id=task.id)).done


async def test_only_members_may_be_assigned_and_odd_dates_are_refused_kindly(
    client: httpx.AsyncClient, twinning: Twinning
) -> None:
    await log_in(client, "maelle")
    task_list = await _template_list(client)
    visitor = await Account.get(username="visitor")
    refused = await _post(
        client, f"/t/brest/tasks/{task_list.id}", {"title": "X", "assignee": f"a{visitor.id}"}
    )
    assert refused.status_code == 400
    assert not await Task.filter(title="X").exists()
    untitled = await _post(client, f"/t/brest/tasks/{task_list.id}", {"title": "  "})
    assert untitled.status_code == 400


async def test_overdue_and_assigned_tasks_show_on_the_members_home(
    client: httpx.AsyncClient, twinning: Twinning
) -> None:
    await log_in(client, "maelle")
    task_list = await _template_list(client)
    jorge = await Account.get(username="jorge")
    overdue = await Task.filter(task_list=task_list).order_by("id").first()
    assert overdue is not None
    overdue.due_on = date.today() - timedelta(days=2)
    await overdue.save()
    await Task.create(task_list=task_list, title="Réserver la salle", assignee=jorge)
    await Task.create(task_list=task_list, title="Déjà fait", assignee=jorge, done=True)

    await log_in(client, "jorge")
    home = (await client.get("/")).text
    block = home[home.index('id="your-tasks"') :]
    assert "Réserver la salle" in block and overdue.title in block
    assert "Déjà fait" not in block
    await log_in(client, "visitor")
    assert 'id="your-tasks"' not in (await client.get("/")).text


async def test_partner_only_list_is_not_found_for_others_and_a_public_one_is_read(
    client: httpx.AsyncClient, twinning: Twinning
) -> None:
    await log_in(client, "maelle")
    secret = await _template_list(client)
    await Task.create(task_list=secret, title="Budget confidentiel")
    public = await _template_list(client, "public")
    await Task.create(task_list=public, title="Ouvrir les ateliers")

    await log_in(client, "visitor")
    page = await client.get("/t/brest/tasks")
    assert "Ouvrir les ateliers" in page.text
    assert "Budget confidentiel" not in page.text
    assert (await client.get(f"/t/brest/tasks/{secret.id}")).status_code == 404
    assert (await client.get(f"/t/brest/tasks/{public.id}")).status_code == 303
    tick = await _post(
        client,
        f"/t/brest/tasks/{public.id}/{(await Task.get(title='Ouvrir les ateliers')).id}",
        {"done": "1"},
    )
    assert tick.status_code == 403
    client.cookies.clear()
    anonymous = await client.get("/t/brest/tasks")
    assert "Budget confidentiel" not in anonymous.text and "Ouvrir les ateliers" in anonymous.text


async def test_the_assignee_is_reminded_the_day_before_once(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient,
    twinning: Twinning,
    settings,
    smtp,  # noqa: F811
) -> None:
    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    jorge = await Account.get(username="jorge")
    task_list = await TaskList.create(twinning=twinning, phase="agreement", title="Convention")
    now = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    await Task.create(task_list=task_list, title="Firmar", assignee=jorge, due_on=date(2026, 3, 10))
    await Task.create(
        task_list=task_list, title="Más tarde", assignee=jorge, due_on=date(2026, 3, 12)
    )
    await send_due(config, now - timedelta(days=1))
    assert inbox.messages == []  # two days before: nothing yet
    await send_due(config, now)
    await send_due(config, now + timedelta(hours=2))
    reminders = [m for m in inbox.messages if "Firmar" in str(m["Subject"])]
    assert len(reminders) == 1
    assert reminders[0]["To"] == "jorge@example.org"
    assert str(reminders[0]["Subject"]).startswith("Vence mañana")  # jorge reads Spanish
    assert "/t/brest/tasks#task-" in str(reminders[0].get_content())  # type: ignore[attr-defined]
    assert not any("Más tarde" in str(m["Subject"]) for m in inbox.messages)


async def test_an_admin_edits_a_phase_template_that_new_lists_then_copy(
    client: httpx.AsyncClient, twinning: Twinning
) -> None:
    await make_account("admin", role="admin")
    await log_in(client, "maelle")
    assert (await client.get("/admin/task-templates")).status_code == 404
    await log_in(client, "admin")
    page = await client.get("/admin/task-templates")
    assert page.status_code == 200 and DEFAULTS["sharing"]["es"][0] in page.text
    saved = await client.post(
        "/admin/task-templates",
        data={
            "csrf_token": csrf_of(page.text),
            "phase": "agreement",
            "language": "fr",
            "titles": "Signer la convention\n\n  Choisir un coordinateur  \n",
        },
    )
    assert saved.status_code == 303
    assert await template_for("agreement", "fr") == [
        "Signer la convention",
        "Choisir un coordinateur",
    ]
    assert await template_for("agreement", "es") == DEFAULTS["agreement"]["es"]
    await log_in(client, "maelle")
    task_list = await _template_list(client)
    titles = [t.title for t in await Task.filter(task_list=task_list).order_by("id")]
    assert titles == ["Signer la convention", "Choisir un coordinateur"]
    assert re.search(r"Signer la convention", (await client.get("/t/brest/tasks")).text)
