"""What makes the demo's usage report worth reading: a project lives for months, its partners
meet and answer who is going, and its texts get translated by people and by machine.

Made through the app's functions like the rest of the demo, except the dates: items made in a
second are moved back over the last months (a demo made today would otherwise fill one month
of the report)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.accounts import Account
from models.content import ContentItem
from models.events import EventInput, create_event, set_attendance
from models.social import follow_local
from models.translations import keep_machine_translation, translate
from models.twinnings import Twinning

SLUG = "budget_participatif"
# Who says they are going to the meeting already held (and who is not).
ANSWERS = (("maelle", "going"), ("jorge", "going"), ("ines", "going"), ("tom", "not_going"))


async def _held_meeting(people: dict[str, Account], twinning: Twinning) -> ContentItem:
    starts = datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    starts -= timedelta(days=40)
    data = EventInput(
        title={"fr": "Assemblée de quartier en ligne", "es": "Asamblea barrial en línea"},
        description={"fr": "Présentation des projets proposés par les habitants."},
        starts=starts.strftime("%Y-%m-%dT%H:%M"),
        ends=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        timezone="UTC",
        online_url="https://meet.example.org/asamblea",
        visibility="public",
    )
    meeting = await create_event(people["jorge"], twinning, data)
    for username, state in ANSWERS:
        await set_attendance(people[username], meeting, state)
    return meeting


async def _translations(people: dict[str, Account], items: list[ContentItem]) -> None:
    """A partner translates an update; the machine translates the guide into Spanish."""
    for item in items:
        if item.kind == "update" and item.author_id == people["jorge"].id:
            await translate(
                people["maelle"], item, "fr", "Projet de convention à relire avant vendredi."
            )
        if item.kind == "resource" and "es" not in item.content_map:
            texts = {
                "content": "Etapas, herramientas libres y experiencias.",
                "title": "Guía del presupuesto participativo digital",
            }
            await keep_machine_translation(people["maelle"], item, "es", texts)


async def _spread_over_months(items: list[ContentItem]) -> None:
    """The oldest kinds of work first: news, then discussions, then meetings and resources."""
    months_back = {"update": 3, "discussion": 2, "reply": 2, "event": 1, "resource": 1}
    now = datetime.now(UTC)
    for item in items:
        back = months_back.get(item.kind, 0)
        moment = now - timedelta(days=30 * back + item.id % 7)
        await ContentItem.filter(id=item.id).update(created_at=moment)


async def add_usage_history(people: dict[str, Account], twinnings: dict[str, Twinning]) -> None:
    twinning = twinnings[SLUG]
    await _held_meeting(people, twinning)
    await follow_local(people["tom"], "twinning", twinning.id)
    roots = await ContentItem.filter(twinning=twinning)
    await _translations(people, roots)
    answers = await ContentItem.filter(in_reply_to_id__in=[r.id for r in roots])
    await _spread_over_months([*roots, *answers])
