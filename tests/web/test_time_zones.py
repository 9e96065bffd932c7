"""Dates in the reader's zone: an account's time zone chosen at sign-up or in the settings
(unknown zones refused with a reason), every date shown once, without seconds, relative when
recent, and meetings in the reader's zone beside their own."""

from __future__ import annotations

import re

import httpx

from models.accounts import Account
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
