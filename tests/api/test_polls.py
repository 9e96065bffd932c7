"""Polls through Mastodon.py against a real ``jumelage serve``: posted with a status, shown in
the status and at ``/api/v1/polls/:id``, voted on once, with valid choices, by those who may
see the item only (a partner-only poll is "not found" for anyone else)."""

from __future__ import annotations

import re

import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonNotFoundError

from tests.api.conftest import PASSWORD, Instance
from tests.api.test_mastodon_py import client_for


@pytest.fixture(scope="module")
def alice(instance: Instance) -> Mastodon:
    return client_for(instance, "alice")


@pytest.fixture(scope="module")
def bob(instance: Instance, alice: Mastodon) -> Mastodon:
    """Bob, a partner of La Paz: he asks to join on the web, Alice accepts from her app."""
    with httpx.Client(base_url=instance.base, follow_redirects=True) as browser:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)
        assert csrf
        form = {"csrf_token": csrf.group(1), "username": "bob", "password": PASSWORD}
        browser.post("/login", data=form)
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/t/lapaz").text)
        assert token
        browser.post("/t/lapaz/join", data={"csrf_token": token.group(1)})
    for request in alice.follow_requests():
        alice.follow_request_authorize(request["id"])
    return client_for(instance, "bob")


@pytest.fixture(scope="module")
def carla(instance: Instance) -> Mastodon:
    return client_for(instance, "carla")


def test_instance_advertises_the_poll_limits(alice: Mastodon) -> None:
    limits = alice.instance_v2()["configuration"]["polls"]
    assert limits["max_options"] == 4 and limits["max_characters_per_option"] == 50
    assert limits["min_expiration"] == 300 and limits["max_expiration"] >= 2_592_000
    assert alice.instance_v1()["configuration"]["polls"]["max_options"] == 4


def test_a_poll_is_posted_shown_and_voted_on_once(alice: Mastodon, bob: Mastodon) -> None:
    poll = alice.make_poll(["Saturday", "Sunday", "Monday"], expires_in=3600)
    status = alice.status_post("@lapaz When do we meet?", poll=poll)
    assert [o["title"] for o in status["poll"]["options"]] == ["Saturday", "Sunday", "Monday"]
    assert status["poll"]["voted"] is False and status["poll"]["expired"] is False
    shown = bob.poll(status["poll"]["id"])
    assert shown["votes_count"] == 0 and shown["multiple"] is False

    voted = bob.poll_vote(status["poll"]["id"], [1])
    assert voted["voted"] is True and voted["own_votes"] == [1]
    assert [o["votes_count"] for o in voted["options"]] == [0, 1, 0]
    assert voted["voters_count"] == 1
    with pytest.raises(MastodonAPIError) as twice:
        bob.poll_vote(status["poll"]["id"], [0])
    assert twice.value.args[1] == 422 and "already voted" in str(twice.value)
    assert [o["votes_count"] for o in bob.poll(status["poll"]["id"])["options"]] == [0, 1, 0]
    # The status, drawn again for its author, carries the counts.
    again = alice.status(status["id"])["poll"]
    assert again["votes_count"] == 1 and again["voted"] is False


def test_a_multiple_choice_poll_takes_several_choices_and_refuses_bad_ones(
    alice: Mastodon, bob: Mastodon
) -> None:
    poll = alice.make_poll(["Tea", "Coffee", "Mate"], expires_in=600, multiple=True)
    status = alice.status_post("@lapaz What do we serve?", poll=poll)
    poll_id = status["poll"]["id"]
    for bad in ([7], [-1]):
        with pytest.raises(MastodonAPIError) as refused:
            bob.poll_vote(poll_id, bad)
        assert refused.value.args[1] == 422
    assert bob.poll(poll_id)["voted"] is False
    voted = bob.poll_vote(poll_id, [0, 2])
    assert [o["votes_count"] for o in voted["options"]] == [1, 0, 1]
    assert voted["votes_count"] == 2 and voted["voters_count"] == 1


def test_a_single_choice_poll_refuses_two_choices(alice: Mastodon, bob: Mastodon) -> None:
    status = alice.status_post("@lapaz Yes or no?", poll=alice.make_poll(["Yes", "No"], 600))
    with pytest.raises(MastodonAPIError) as refused:
        bob.poll_vote(status["poll"]["id"], [0, 1])
    assert refused.value.args[1] == 422
    assert bob.poll(status["poll"]["id"])["voted"] is False


def test_hidden_totals_show_after_ones_vote(alice: Mastodon, bob: Mastodon) -> None:
    poll = alice.make_poll(["North", "South"], expires_in=600, hide_totals=True)
    status = alice.status_post("@lapaz Where?", poll=poll)
    assert [o["votes_count"] for o in status["poll"]["options"]] == [None, None]
    voted = bob.poll_vote(status["poll"]["id"], [1])
    assert [o["votes_count"] for o in voted["options"]] == [0, 1]
    assert [o["votes_count"] for o in alice.poll(status["poll"]["id"])["options"]] == [None, None]


def test_partner_only_poll_is_not_found_for_a_non_member(
    alice: Mastodon, bob: Mastodon, carla: Mastodon
) -> None:
    poll = alice.make_poll(["Budget A", "Budget B"], expires_in=600)
    status = alice.status_post("@lapaz Which budget?", poll=poll, visibility="direct")
    poll_id = status["poll"]["id"]
    with pytest.raises(MastodonNotFoundError):
        carla.poll(poll_id)
    with pytest.raises(MastodonNotFoundError):
        carla.poll_vote(poll_id, [0])
    assert [o["votes_count"] for o in bob.poll_vote(poll_id, [0])["options"]] == [1, 0]


@pytest.mark.parametrize(
    ("options", "expires_in"),
    [
        (["Only one"], 600),
        (["A", "B", "C", "D", "E"], 600),
        (["A", "x" * 51], 600),
        (["A", "B"], 60),
        (["A", "B"], 90 * 86400),
        (["Same", "Same"], 600),
    ],
)
def test_a_malformed_poll_is_refused_and_nothing_is_posted(
    alice: Mastodon, options: list[str], expires_in: int
) -> None:
    before = len(alice.account_statuses(alice.me()["id"], limit=40))
    with pytest.raises(MastodonAPIError) as refused:
        alice.status_post("@lapaz A bad poll", poll=alice.make_poll(options, expires_in))
    assert refused.value.args[1] == 422
    assert len(alice.account_statuses(alice.me()["id"], limit=40)) == before


def test_a_poll_from_a_form_post(instance: Instance, alice: Mastodon) -> None:
    """Apps that post forms send ``poll[options][]`` fields."""
    answer = httpx.post(
        f"{instance.base}/api/v1/statuses",
        data={
            "status": "@lapaz Form poll",
            "poll[options][]": ["Left", "Right"],
            "poll[expires_in]": "86400",
            "poll[hide_totals]": "true",
        },
        headers={"Authorization": f"Bearer {alice.access_token}"},
    )
    assert answer.status_code == 200, answer.text
    assert [o["title"] for o in answer.json()["poll"]["options"]] == ["Left", "Right"]
    assert alice.poll(answer.json()["poll"]["id"])["options"][0]["votes_count"] is None
