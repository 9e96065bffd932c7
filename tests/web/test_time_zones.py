"""Dates in the reader's zone: an account's time zone chosen at sign-up or in the settings
(unknown zones refused with a reason), every date shown once, without seconds, relative when
recent, and meetings in the reader's zone beside their own."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from models.accounts import Account
from models.content import ContentItem
from models.events import EventDetails, EventInput, create_event
from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning
from server.dates import day_and_time
from tests.conftest import PASSWORD, log_in, make_account, post_form

NEXT_YEAR = datetime.now(UTC).year + 1
SIGNUP = {"username": "rosa", "email": "rosa@example.org", "password": PASSWORD}


async def test_sign_up_keeps_the_chosen_zone_and_refuses_an_unknown_one(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/signup")).text
    assert "data-guess-zone" in page and '<option value="America/La_Paz">' in page
    refused = await post_form(client, "/signup", "/signup", {**SIGNUP, "timezone": "Mars/Olympus"})
    assert refused.status_code == 400 and "Not a time zone" in refused.text
    assert not await Account.exists(username="rosa")
    done = await post_form(client, "/signup", "/signup", {**SIGNUP, "timezone": "America/La_Paz"})
    assert done.status_code == 303
    assert (await Account.get(username="rosa")).timezone == "America/La_Paz"


async def test_settings_save_a_zone_and_refuse_an_unknown_one(client: httpx.AsyncClient) -> None:
    await make_account("maelle")
    await log_in(client, "maelle")
    page = (await client.get("/settings")).text
    assert "data-guess-zone" in page  # none chosen yet: the browser's zone is offered
    assert re.search(r'<option value="UTC" selected>', page)
    profile = {"action": "profile", "display_name": "Maëlle"}
    for bad in ("Mars/Olympus", "../../etc/passwd", ""):
        refused = await post_form(client, "/settings", "/settings", {**profile, "timezone": bad})
        assert refused.status_code == 400 and "Not a time zone" in refused.text, bad
    assert (await Account.get(username="maelle")).timezone == ""
    saved = await post_form(
        client, "/settings", "/settings", {**profile, "timezone": "America/La_Paz"}
    )
    assert saved.status_code == 303
    assert (await Account.get(username="maelle")).timezone == "America/La_Paz"
    page = (await client.get("/settings", headers={"Accept-Language": "es"})).text
    assert "data-guess-zone" not in page
    assert '<option value="America/La_Paz" selected>La Paz · hora de Bolivia</option>' in page


async def _twinning_with_two_updates() -> datetime:
    """Maëlle (in La Paz) posts twice in Brest; the first update is back-dated three days, to
    a moment with seconds, which is returned."""
    maelle = await make_account("maelle", timezone="America/La_Paz")
    brest = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest – La Paz"}))
    old = await post_update(maelle, brest, "public", {"fr": "Ancienne nouvelle"})
    await post_update(maelle, brest, "public", {"fr": "Nouvelle du jour"})
    three_days_ago = (datetime.now(UTC) - timedelta(days=3)).replace(hour=14, minute=0, second=37)
    await ContentItem.filter(id=old.id).update(created_at=three_days_ago)
    return three_days_ago


def _words(html: str) -> str:
    """The text of a page, tags removed and spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _shown_text(html: str) -> str:
    """The page without its machine-readable moments (ISO dates keep their seconds)."""
    return re.sub(r'datetime="[^"]*"', "", html)


async def test_dates_are_in_the_readers_zone_without_seconds_and_relative_when_recent(
    client: httpx.AsyncClient,
) -> None:
    moment = await _twinning_with_two_updates()
    await log_in(client, "maelle")
    french = (await client.get("/t/brest", headers={"Accept-Language": "fr"})).text
    assert "il y a 1 minute" in french  # today's update
    assert f'<time datetime="{moment.isoformat(timespec="seconds")}"' in french
    assert day_and_time(moment, "America/La_Paz", "fr") in french  # 10:00 in La Paz
    assert "10:00" in day_and_time(moment, "America/La_Paz", "fr")
    assert "heure de Bolivie" in french  # the tooltip names the zone
    assert not re.search(r"\d:\d\d:\d\d", _shown_text(french))
    spanish = (await client.get("/t/brest", headers={"Accept-Language": "es"})).text
    assert "hace 1 minuto" in spanish and "hora de Bolivia" in spanish
    assert not re.search(r"\d:\d\d:\d\d", _shown_text(spanish))


async def test_visitors_read_dates_in_the_instance_zone(client: httpx.AsyncClient) -> None:
    moment = await _twinning_with_two_updates()
    page = (await client.get("/t/brest", headers={"Accept-Language": "en"})).text
    assert day_and_time(moment, "UTC", "en") in page and "14:00" in page
    assert "1 minute ago" in page


async def _paris_meeting(author: Account) -> ContentItem:
    brest = await create_twinning(author, "brest", TwinningInput(title={"fr": "Brest – La Paz"}))
    return await create_event(
        author,
        brest,
        EventInput(
            title={"fr": "Comité de jumelage"},
            description={},
            starts=f"{NEXT_YEAR}-01-16T00:00",
            ends=f"{NEXT_YEAR}-01-16T01:30",
            timezone="Europe/Paris",
        ),
    )


async def test_a_member_in_la_paz_reads_a_paris_meeting_at_la_paz_time(
    client: httpx.AsyncClient,
) -> None:
    maelle = await make_account("maelle", timezone="Europe/Paris")
    item = await _paris_meeting(maelle)
    await make_account("rosa", timezone="America/La_Paz", locale="es")
    await log_in(client, "rosa")
    page = _words((await client.get(f"/t/brest/updates/{item.id}")).text)
    # Midnight in Paris is 19:00 the day before in La Paz; both are shown, the reader's first.
    friday = day_and_time(datetime(NEXT_YEAR, 1, 15, 23, 0, tzinfo=UTC), "America/La_Paz", "es")
    saturday = day_and_time(datetime(NEXT_YEAR, 1, 15, 23, 0, tzinfo=UTC), "Europe/Paris", "es")
    assert (
        f"{friday} – 20:30 (hora de La Paz) · {saturday} – 1:30"
        " (hora de París, zona horaria de la reunión)"
    ) in page
    listed = _words((await client.get("/t/brest/meetings")).text)
    assert f"{friday} (hora de La Paz) · {saturday} (hora de París" in listed
    await log_in(client, "maelle")  # in Paris: one time, no second zone
    page = (await client.get(f"/t/brest/updates/{item.id}", headers={"Accept-Language": "fr"})).text
    assert "– 01:30 (heure de Paris)" in _words(page) and "fuseau de la réunion" not in page


async def test_the_meeting_form_starts_in_the_authors_zone(client: httpx.AsyncClient) -> None:
    rosa = await make_account("rosa", timezone="America/La_Paz")
    await create_twinning(rosa, "brest", TwinningInput(title={"fr": "Brest – La Paz"}))
    await log_in(client, "rosa")
    form = (await client.get("/t/brest/meetings")).text
    assert '<option value="America/La_Paz" selected>' in form
    assert '<option value="Europe/Paris" selected>' not in form
    fields = {
        "event_title_es": "Asamblea",
        "starts": f"{NEXT_YEAR}-02-01T18:00",
        "ends": f"{NEXT_YEAR}-02-01T19:00",
        "visibility": "public",
    }  # a client without the select: the author's zone too
    answer = await post_form(client, "/t/brest/meetings", "/t/brest/meetings", fields)
    assert answer.status_code == 303, answer.text
    details = await EventDetails.get(item__kind="event")
    assert details.timezone == "America/La_Paz"
    assert details.starts_at == datetime(NEXT_YEAR, 2, 1, 22, 0, tzinfo=UTC)
