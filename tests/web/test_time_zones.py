"""Dates in the reader's zone: an account's time zone chosen at sign-up or in the settings
(unknown zones refused with a reason), every date shown once, without seconds, relative when
recent, and meetings in the reader's zone beside their own."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from models.accounts import Account
from models.content import ContentItem
from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning
from server.dates import day_and_time
from tests.conftest import PASSWORD, log_in, make_account, post_form

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
