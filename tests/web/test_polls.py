"""Polls on the web: the update form takes an optional poll, the feed and the update page show
a vote form, then the results (figures in text) after one's vote, after the end, or all along
unless hidden; a partner-only poll is "not found" for anyone else, and nothing is counted from
them; a vote after the end or a second one is refused and not counted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest_asyncio

from models.accounts import Account
from models.content import ContentItem
from models.oauth import issue_token, register_app
from models.polls import Poll, PollInput, PollVote, add_poll
from models.posting import post_update
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form

BASE = "http://testserver.localhost"


@pytest_asyncio.fixture
async def lapaz() -> None:
    """Alice runs La Paz, Bob is a partner there, Carla is not."""
    alice, bob, _ = [await make_account(n) for n in ("alice", "bob", "carla")]
    lapaz = await create_twinning(alice, "lapaz", TwinningInput(title={"fr": "Brest – La Paz"}))
    await Membership.create(twinning=lapaz, account=bob, state="accepted")


@pytest_asyncio.fixture
async def browser(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        yield c


async def _vote(web: httpx.AsyncClient, item: ContentItem, *choices: str) -> httpx.Response:
    page = f"/t/lapaz/updates/{item.id}"
    return await post_form(web, page, f"{page}/vote", {"choices": list(choices)})


async def test_an_update_with_a_poll_is_voted_on_from_the_web(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, lapaz: None
) -> None:
    await log_in(client, "alice")
    form = {
        "content_fr": "Quand se retrouve-t-on ?",
        "visibility": "public",
        "poll_option_1": "Samedi",
        "poll_option_2": "Dimanche",
        "poll_option_3": "",
        "poll_option_4": "",
        "poll_expires_in": "86400",
    }
    posted = await post_form(client, "/t/lapaz", "/t/lapaz", form)
    assert posted.status_code == 303
    item = await ContentItem.get(kind="update")
    poll = await Poll.get(item_id=item.id)
    assert poll.options == ["Samedi", "Dimanche"] and not poll.multiple

    await log_in(browser, "bob")
    feed = (await browser.get("/t/lapaz")).text
    assert 'type="radio" name="choices" value="1"' in feed and "Dimanche" in feed
    voted = await _vote(browser, item, "1")
    assert voted.status_code == 303
    page = (await browser.get(f"/t/lapaz/updates/{item.id}")).text
    assert 'name="choices"' not in page  # voted: the results, no form
    assert re.search(r"Dimanche.*your choice.*100 % · 1 vote", page, re.S)
    assert "0 % · 0 votes" in page and "1 person voted" in page

    again = await _vote(browser, item, "0")
    assert again.status_code == 303
    assert await PollVote.filter(poll_id=poll.id).count() == 1
    assert "already voted" in (await browser.get(f"/t/lapaz/updates/{item.id}")).text


async def test_a_refused_poll_keeps_what_was_typed(client: httpx.AsyncClient, lapaz: None) -> None:
    await log_in(client, "alice")
    form = {"content_fr": "Un seul choix ?", "visibility": "public", "poll_option_1": "Seul"}
    refused = await post_form(client, "/t/lapaz", "/t/lapaz", form)
    assert refused.status_code == 400 and "from 2 to 4 options" in refused.text
    assert 'value="Seul"' in refused.text
    assert not await ContentItem.exists()


async def test_hidden_totals_show_after_the_end_and_a_late_vote_is_refused(
    client: httpx.AsyncClient, lapaz: None
) -> None:
    alice = await Account.get(username="alice")
    item = await post_update(
        alice, await Twinning.get(slug="lapaz"), "public", {"fr": "Nord ou sud ?"}
    )
    poll = await add_poll(item, PollInput(["Nord", "Sud"], 600, hide_totals=True))
    anonymous = (await client.get(f"/t/lapaz/updates/{item.id}")).text
    assert "The results are shown when the poll ends." in anonymous and "% ·" not in anonymous

    await log_in(client, "bob")
    poll.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    await poll.save()
    late = await _vote(client, item, "0")
    assert late.status_code == 303
    assert not await PollVote.exists()
    page = (await client.get(f"/t/lapaz/updates/{item.id}")).text
    assert "The poll has ended" in page and "Closed" in page and "0 % · 0 votes" in page


async def test_an_ended_poll_refuses_a_vote_from_an_app(
    client: httpx.AsyncClient, lapaz: None
) -> None:
    alice, bob = await Account.get(username="alice"), await Account.get(username="bob")
    item = await post_update(alice, await Twinning.get(slug="lapaz"), "public", {"fr": "Oui ?"})
    poll = await add_poll(item, PollInput(["Oui", "Non"], 600))
    poll.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await poll.save()
    oauth_app, _ = await register_app("t", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(oauth_app, bob, "read write")
    answer = await client.post(
        f"/api/v1/polls/{poll.id}/votes",
        data={"choices[]": ["0"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422 and "ended" in answer.json()["error"]
    shown = await client.get(f"/api/v1/polls/{poll.id}")
    assert shown.json()["expired"] is True
    assert not await PollVote.exists()


async def test_a_partner_only_poll_is_not_found_for_a_non_member(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, lapaz: None
) -> None:
    alice = await Account.get(username="alice")
    item = await post_update(
        alice, await Twinning.get(slug="lapaz"), "partners", {"fr": "Quel budget ?"}
    )
    poll = await add_poll(item, PollInput(["A", "B"], 600))
    await log_in(client, "carla")
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get("/")).text)
    assert token
    refused = await client.post(
        f"/t/lapaz/updates/{item.id}/vote", data={"csrf_token": token.group(1), "choices": "0"}
    )
    assert refused.status_code == 404
    assert (await client.get(f"/api/v1/polls/{poll.id}")).status_code == 404
    assert not await PollVote.exists()
    await log_in(browser, "bob")
    assert (await _vote(browser, item, "0")).status_code == 303
    assert await PollVote.filter(poll_id=poll.id).count() == 1
