"""The demo's shared tasks: in the participatory budget twinning, a partner-only list started
from the method's template of its phase, and a public one with tasks given to both sides
(one overdue, one due tomorrow, one done)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.accounts import Account
from models.tasks import Task, TaskInput, add_task, create_list, set_done
from models.twinnings import Twinning


async def add_demo_tasks(people: dict[str, Account], twinnings: dict[str, Twinning]) -> int:
    twinning = twinnings["budget_participatif"]
    maelle, jorge = people["maelle"], people["jorge"]
    await create_list(maelle, twinning, twinning.phase, "Mise en œuvre", "partners", "fr")
    public = await create_list(maelle, twinning, twinning.phase, "Ateliers de quartier", "public")
    today = datetime.now(UTC).date()
    tasks = [
        ("Réserver la salle du centre social", f"a{maelle.id}", today - timedelta(days=3)),
        ("Traducir el reglamento del presupuesto", f"a{jorge.id}", today + timedelta(days=1)),
        ("Préparer les affiches bilingues", f"a{maelle.id}", today + timedelta(days=12)),
    ]
    for title, assignee, due in tasks:
        await add_task(maelle, public, TaskInput(title, assignee=assignee, due_on=due))
    await set_done(jorge, await Task.get(task_list=public, title=tasks[2][0]), True)
    return await Task.filter(task_list__twinning=twinning).count()
