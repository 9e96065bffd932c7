"""Meetings on the web: scheduling with a time zone, attending, calendars (public for the
twinning, private for each member), partner-only meetings kept from non-members, bad input
refused with a reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from icalendar import Calendar

from models.content import ContentItem
from models.events import EventDetails, EventInput, create_event
from models.twinnings import Membership, TwinningInput, create_twinning
from server.web.calendars import calendar_path
from tests.conftest import log_in, make_account, post_form

NEXT_YEAR = datetime.now(UTC).year + 1


def _form(**overrides: str) -> dict[str, str]:
    return {
        "event_title_fr": "Réunion de lancement",
        "event_title_es": "Reunión de lanzamiento",
        "event_description_fr": "Ordre du jour : **budget**",
        "starts": f"{NEXT_YEAR}-01-15T10:00",
        "ends": f"{NEXT_YEAR}-01-15T12:00",
        "timezone": "Europe/Paris",
        "place": "Maison des associations, Brest",
        "online_url": "https://meet.example.org/lancement",
        "visibility": "public",
        **overrides,
    }


async def test_member_schedules_a_meeting_and_people_attend(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest – La Paz"}))
    await log_in(client, "maelle")
    answer = await post_form(client, "/t/brest", "/t/brest/events", _form())
    assert answer.status_code == 303, answer.text
    item = await ContentItem.get(kind="event")
    details = await EventDetails.get(item=item)
    assert details.starts_at == datetime(NEXT_YEAR, 1, 15, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    page = await client.get(answer.headers["location"], headers={"Accept-Language": "es"})
    assert "Reunión de lanzamiento" in page.text and "Maison des associations" in page.text
    assert "hora de París" in page.text and "https://meet.example.org/lancement" in page.text
    going = await post_form(
        client,
        answer.headers["location"],
        f"/t/brest/updates/{item.id}/attendance",
        {"attendance": "going"},
    )
    assert going.status_code == 303
    assert "1 going" in (await client.get(answer.headers["location"])).text
    assert "Réunion de lancement" in (await client.get("/t/brest/meetings")).text
    assert "Réunion de lancement" not in (await client.get("/t/brest")).text  # not an update


async def test_bad_meetings_are_refused_with_a_reason(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    for overrides, message in (
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"ends": f"{NEXT_YEAR}-01-15T09:00"}, "end must come after"),
        ({"starts": "tomorrow"}, "date and time"),
        ({"online_url": "javascript:alert(1)"}, "web address"),
        ({"event_title_fr": "", "event_title_es": ""}, "at least one language"),
    ):
        answer = await post_form(client, "/t/brest", "/t/brest/events", _form(**overrides))
        assert answer.status_code == 400 and message in answer.text, overrides
    assert not await ContentItem.filter(kind="event").exists()
    await make_account("outsider")
    await log_in(client, "outsider")
    refused = await post_form(client, "/t/brest", "/t/brest/events", _form())
    assert refused.status_code == 403
    assert not await ContentItem.filter(kind="event").exists()


async def test_calendars_and_partner_only_meetings(client: httpx.AsyncClient, settings) -> None:  # type: ignore[no-untyped-def]
    maelle = await make_account("maelle")
    outsider = await make_account("outsider")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    public = await create_event(
        maelle,
        twinning,
        EventInput(
            {"fr": "Forum ouvert"},
            {"fr": "Tout le monde"},
            f"{NEXT_YEAR}-03-01T18:00",
            f"{NEXT_YEAR}-03-01T20:00",
            "America/La_Paz",
            "Plaza Murillo",
        ),
    )
    secret = await create_event(
        maelle,
        twinning,
        EventInput(
            {"fr": "Comité budgétaire"},
            {"fr": "Partenaires"},
            f"{NEXT_YEAR}-03-02T18:00",
            f"{NEXT_YEAR}-03-02T20:00",
            "UTC",
            visibility="partners",
        ),
    )
    feed = Calendar.from_ical((await client.get("/t/brest/events.ics")).content)
    events = feed.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Forum ouvert"]
    assert events[0].decoded("dtstart") == datetime(NEXT_YEAR, 3, 1, 22, 0, tzinfo=UTC)
    assert events[0]["dtstart"].params["TZID"] == "America/La_Paz"  # 18:00 where it happens
    assert [str(z["tzid"]) for z in feed.walk("VTIMEZONE")] == ["America/La_Paz"]
    mine = await client.get(calendar_path(settings.secret_key, maelle))
    summaries = [str(e["summary"]) for e in Calendar.from_ical(mine.content).walk("VEVENT")]
    assert summaries == ["Forum ouvert", "Comité budgétaire"]
    theirs = await client.get(calendar_path(settings.secret_key, outsider))
    assert "Comité" not in theirs.text
    guessed = calendar_path(settings.secret_key, maelle).replace("maelle", "outsider")
    assert (await client.get(guessed)).status_code == 404
    assert (await client.get(f"/t/brest/updates/{secret.id}")).status_code == 404
    await log_in(client, "outsider")
    assert "Comité" not in (await client.get("/t/brest/meetings")).text
    refused = await post_form(
        client, "/t/brest", f"/t/brest/updates/{secret.id}/attendance", {"attendance": "going"}
    )
    assert refused.status_code == 404
    await Membership.create(twinning=twinning, account=outsider, state="accepted")
    assert "Comité" in (await client.get("/t/brest/meetings")).text
    ap = await client.get(
        f"/t/brest/updates/{public.id}", headers={"Accept": "application/activity+json"}
    )
    obj = json.loads(ap.text)
    assert obj["type"] == "Event" and obj["timezone"] == "America/La_Paz"
    assert obj["startTime"].startswith(f"{NEXT_YEAR}-03-01T22:00")
    assert obj["location"]["name"] == "Plaza Murillo"


async def test_a_meeting_is_moved_and_a_bad_move_refused(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    item = await create_event(
        maelle,
        twinning,
        EventInput(
            {"fr": "Comité"},
            {},
            f"{NEXT_YEAR}-04-01T10:00",
            f"{NEXT_YEAR}-04-01T12:00",
            "Europe/Paris",
            "Mairie",
        ),
    )
    await log_in(client, "maelle")
    edit = f"/t/brest/updates/{item.id}/edit"
    form = (await client.get(edit)).text
    assert f'value="{NEXT_YEAR}-04-01T10:00"' in form and 'value="Europe/Paris"' in form
    base = {"title_fr": "Comité", "content_fr": "Comité", "timezone": "Europe/Paris"}
    moved = await post_form(
        client,
        edit,
        edit,
        {
            **base,
            "starts": f"{NEXT_YEAR}-04-02T14:00",
            "ends": f"{NEXT_YEAR}-04-02T16:00",
            "place": "Maison des associations",
        },
    )
    assert moved.status_code == 303
    details = await EventDetails.get(item=item)
    assert details.starts_at == datetime(NEXT_YEAR, 4, 2, 12, 0, tzinfo=UTC)
    assert details.place == "Maison des associations"
    bad = await post_form(
        client,
        edit,
        edit,
        {**base, "starts": f"{NEXT_YEAR}-04-02T14:00", "ends": f"{NEXT_YEAR}-04-02T13:00"},
    )
    assert bad.status_code == 400 and "end must come after" in bad.text
    assert (await EventDetails.get(item=item)).ends_at == datetime(
        NEXT_YEAR, 4, 2, 14, 0, tzinfo=UTC
    )
