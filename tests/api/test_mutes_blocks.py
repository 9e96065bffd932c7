"""Mute, block and personal domain blocks from Mastodon.py against a real ``jumelage serve``:
the statuses of a muted or blocked person leave the home, public, hashtag and list timelines
and their notifications go (unless the mute keeps them); lifting it brings them back; a block
ends follows both ways; the lists and the relationship flags are real."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError

from tests.api.conftest import Instance
from tests.api.test_mastodon_py import client_for
from tests.api.test_streaming import WAIT, is_status, mastodon_stream, until


@pytest.fixture(scope="module")
def alice(instance: Instance) -> Mastodon:
    return client_for(instance, "alice")


@pytest.fixture(scope="module")
def bob(instance: Instance) -> Mastodon:
    return client_for(instance, "bob")


@pytest.fixture(scope="module")
def carla(instance: Instance) -> Mastodon:
    return client_for(instance, "carla")


def ids(statuses: list[dict[str, object]]) -> list[object]:
    return [s["id"] for s in statuses]


def mentions_from(api: Mastodon, acct: str) -> list[object]:
    return [
        n["status"]["id"]
        for n in api.notifications(types=["mention"])
        if n["account"]["acct"] == acct and n["status"]
    ]


@pytest.fixture
def carla_followed(bob: Mastodon, carla: Mastodon) -> Iterator[str]:
    """Bob follows Carla and her twinning; whatever a test mutes or blocks is lifted after."""
    carla_id = bob.account_lookup("carla")["id"]
    bob.account_follow(carla_id)
    bob.account_follow(bob.account_lookup("bogota")["id"])
    yield carla_id
    bob.account_unmute(carla_id)
    bob.account_unblock(carla_id)


def test_a_mute_keeps_statuses_and_notifications_out_until_lifted(
    bob: Mastodon, carla: Mastodon, carla_followed: str
) -> None:
    news = carla.status_post("@bogota Planting day #trees, with @bob", visibility="public")
    list_id = str(bob.account_lookup("bogota")["id"])[1:]
    assert news["id"] in ids(bob.timeline_home()) and news["id"] in ids(bob.timeline_public())
    assert news["id"] in mentions_from(bob, "carla")

    relationship = bob.account_mute(carla_followed)
    assert relationship["muting"] is True and relationship["muting_notifications"] is True
    assert [a["acct"] for a in bob.mutes()] == ["carla"]
    assert news["id"] not in ids(bob.timeline_home())
    assert news["id"] not in ids(bob.timeline_public())
    assert news["id"] not in ids(bob.timeline_hashtag("trees"))
    assert news["id"] not in ids(bob.timeline_list(list_id))
    assert news["id"] not in mentions_from(bob, "carla")
    # A mute is one person's filter: others still see it, and so does its address.
    assert news["id"] in ids(carla.timeline_public())
    assert bob.status(news["id"])["id"] == news["id"]

    relationship = bob.account_unmute(carla_followed)
    assert relationship["muting"] is False and bob.mutes() == []
    assert news["id"] in ids(bob.timeline_home())
    assert news["id"] in mentions_from(bob, "carla")


def test_a_mute_without_notifications_keeps_them(
    bob: Mastodon, carla: Mastodon, carla_followed: str
) -> None:
    relationship = bob.account_mute(carla_followed, notifications=False, duration=3600)
    assert relationship["muting"] is True and relationship["muting_notifications"] is False
    news = carla.status_post("@bogota Seeds arrived, @bob", visibility="public")
    assert news["id"] not in ids(bob.timeline_home())
    assert news["id"] in mentions_from(bob, "carla")


def test_streams_leave_out_the_muted_and_the_filtered(
    alice: Mastodon, bob: Mastodon, carla: Mastodon, carla_followed: str
) -> None:
    """Bob's public and user streams: Carla's update (muted) and a filtered word are not
    heard; Alice's update, posted after them, is (so the others had their chance)."""
    bob.account_mute(carla_followed)
    bob.account_follow(bob.account_lookup("lapaz")["id"])
    hide = bob.create_filter_v2(
        "Noise", ["home", "public"], "hide", keywords_attributes=[{"keyword": "gossip"}]
    )
    with mastodon_stream(bob.stream_public) as public, mastodon_stream(bob.stream_user) as home:
        muted = carla.status_post("@bogota Muted news", visibility="public")
        gossip = alice.status_post("@lapaz Some gossip", visibility="public")
        last = alice.status_post("@lapaz Last news", visibility="public")
        for heard in (public, home):
            events = until(
                lambda h=heard: h.events.get(timeout=WAIT), is_status("update", last["id"])
            )
            updates = [str(e[1]["id"]) for e in events if e[0] == "update"]
            assert str(muted["id"]) not in updates and str(gossip["id"]) not in updates
    bob.delete_filter_v2(hide["id"])


def test_a_block_ends_follows_both_ways_and_hides_both_sides(
    instance: Instance, alice: Mastodon, bob: Mastodon
) -> None:
    alice_id, bob_id = bob.account_lookup("alice")["id"], alice.account_lookup("bob")["id"]
    alice.account_follow(bob_id)
    bob.account_follow(alice_id)
    news = alice.status_post("@lapaz Field report", visibility="public")
    assert news["id"] in ids(bob.timeline_home())
    mention = bob.status_post("@alice thank you", in_reply_to_id=news["id"])
    assert mention["id"] in mentions_from(alice, "bob")

    relationship = alice.account_block(bob_id)
    assert relationship["blocking"] is True
    assert relationship["following"] is False and relationship["followed_by"] is False
    assert [a["acct"] for a in alice.blocks()] == ["bob"]
    seen_by_bob = bob.account_relationships(alice_id)[0]
    assert seen_by_bob["blocked_by"] is True and seen_by_bob["following"] is False
    assert mention["id"] not in mentions_from(alice, "bob")
    assert news["id"] not in ids(bob.timeline_home())
    assert news["id"] not in ids(bob.timeline_public())
    with pytest.raises(MastodonAPIError) as refused:
        bob.account_follow(alice_id)
    assert refused.value.args[1] == 403

    alice.account_unblock(bob_id)
    assert alice.blocks() == [] and alice.account_relationships(bob_id)[0]["blocking"] is False
    assert mention["id"] in mentions_from(alice, "bob")
    assert news["id"] in ids(bob.timeline_public())


def test_domain_blocks_are_listed_and_lifted(alice: Mastodon) -> None:
    alice.domain_block("Mastodon.Example")
    alice.domain_block("social.example")
    assert sorted(alice.domain_blocks()) == ["mastodon.example", "social.example"]
    alice.domain_unblock("mastodon.example")
    assert alice.domain_blocks() == ["social.example"]
    alice.domain_unblock("social.example")
    assert alice.domain_blocks() == []


def test_odd_mute_and_block_input_is_refused_with_a_reason(
    instance: Instance, alice: Mastodon
) -> None:
    token = alice.access_token
    headers = {"Authorization": f"Bearer {token}"}
    me = alice.account_verify_credentials()["id"]
    carla_id = alice.account_lookup("carla")["id"]
    lapaz = alice.account_lookup("lapaz")["id"]
    base = f"{instance.base}/api/v1"
    cases = [
        (f"{base}/accounts/{me}/mute", {}),
        (f"{base}/accounts/{me}/block", {}),
        (f"{base}/accounts/{carla_id}/mute", {"duration": "soon"}),
        (f"{base}/accounts/{lapaz}/block", {}),
        (f"{base}/domain_blocks", {"domain": "not a/domain"}),
        (f"{base}/domain_blocks", {}),
    ]
    for url, data in cases:
        answer = httpx.post(url, data=data, headers=headers)
        assert answer.status_code == 422 and "error" in answer.json(), (url, answer.text)
    assert alice.mutes() == [] and alice.blocks() == [] and alice.domain_blocks() == []
    missing = httpx.post(f"{base}/accounts/p999999/mute", headers=headers)
    assert missing.status_code == 404


def test_filters_hide_whole_words_and_warn_with_their_results(
    alice: Mastodon, carla: Mastodon
) -> None:
    hide = alice.create_filter_v2(
        "Money",
        ["home", "public", "notifications"],
        "hide",
        keywords_attributes=[{"keyword": "budget", "whole_word": True}],
    )
    warn = alice.create_filter_v2(
        "Weather", ["home"], "warn", keywords_attributes=[{"keyword": "rain", "whole_word": False}]
    )
    assert [f["title"] for f in alice.filters_v2()] == ["Money", "Weather"]
    assert hide["keywords"][0]["keyword"] == "budget" and hide["filter_action"] == "hide"
    hidden = alice.status_post("@lapaz The budget is ready", visibility="public")
    kept = alice.status_post("@lapaz Budgetary notes follow", visibility="public")
    rainy = alice.status_post("@lapaz Heavy rainfall today", visibility="public")
    home = {s["id"]: s for s in alice.timeline_home()}
    assert hidden["id"] not in home and hidden["id"] not in ids(alice.timeline_public())
    assert kept["id"] in home and home[kept["id"]]["filtered"] == []
    result = home[rainy["id"]]["filtered"]
    assert [r["filter"]["title"] for r in result] == ["Weather"]
    assert result[0]["keyword_matches"] == ["rain"]
    # Only in the filter's contexts: the account timeline keeps it.
    assert hidden["id"] in ids(alice.account_statuses(alice.account_verify_credentials()["id"]))
    mention = carla.status_post("@bogota @alice our budget too", visibility="public")
    assert mention["id"] not in mentions_from(alice, "carla")

    chosen = alice.add_filter_status_v2(hide["id"], kept["id"])
    assert chosen["status_id"] == kept["id"]
    assert kept["id"] not in ids(alice.timeline_home())
    alice.delete_filter_v2(hide["id"])
    alice.delete_filter_v2(warn["id"])
    home_ids = ids(alice.timeline_home())
    assert hidden["id"] in home_ids and kept["id"] in home_ids
    assert mention["id"] in mentions_from(alice, "carla")
    assert alice.filters_v2() == []


def test_filters_v1_are_a_view_of_the_keywords(alice: Mastodon) -> None:
    made = alice.filter_create("storm", ["home"], irreversible=True, whole_word=True)
    assert made["phrase"] == "storm" and made["irreversible"] is True
    [v2] = alice.filters_v2()
    assert v2["filter_action"] == "hide" and v2["keywords"][0]["keyword"] == "storm"
    stormy = alice.status_post("@lapaz A storm is coming", visibility="public")
    assert stormy["id"] not in ids(alice.timeline_home())
    changed = alice.filter_update(made["id"], phrase="storm", irreversible=False)
    assert changed["irreversible"] is False
    assert alice.filters()[0]["phrase"] == "storm"
    home = {s["id"]: s for s in alice.timeline_home()}
    assert home[stormy["id"]]["filtered"][0]["keyword_matches"] == ["storm"]
    alice.filter_delete(made["id"])
    assert alice.filters() == [] and alice.filters_v2() == []


def test_odd_filter_input_is_refused_with_a_reason(instance: Instance, alice: Mastodon) -> None:
    headers = {"Authorization": f"Bearer {alice.access_token}"}
    base = f"{instance.base}/api/v2/filters"
    cases = [
        {"title": "", "context": ["home"]},
        {"title": "x", "context": ["nowhere"]},
        {"title": "x", "context": ["home"], "filter_action": "explode"},
        {"title": "x", "context": ["home"], "expires_in": "soon"},
        {"title": "x", "context": ["home"], "keywords_attributes": [{"keyword": ""}]},
        {"title": "x", "context": ["home"], "keywords_attributes": "budget"},
    ]
    for body in cases:
        answer = httpx.post(base, json=body, headers=headers)
        assert answer.status_code == 422 and "error" in answer.json(), (body, answer.text)
    assert alice.filters_v2() == []
    assert httpx.get(f"{base}/999999", headers=headers).status_code == 404
