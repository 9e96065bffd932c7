"""Across two real instances from a Mastodon app (Mastodon.py on B): a person of B finds
Maëlle of A by handle, follows her, sees her public update in the home timeline (never her
partner-only one), unfollows and is no longer her follower on A; a member of A's twinning posts
to it from B by mentioning it, publicly and for partners only, and each reaches exactly its
audience on A; a non-member mentioning the twinning is refused with a reason."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.api.conftest import password_token
from tests.federation.test_two_instances import (
    PASSWORD,
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,
    two_instances,
)
from tests.servers import running_server

__all__ = ["databases"]  # the fixture, shared with the two-instance test

PUBLIC_NEWS = "Maëlle's public news for her followers"
SECRET = "Partner budget 5821"
FROM_B = "Jorge writes from B to everyone"
SECRET_FROM_B = "Jorge's partner-only figures 9034"


def _app(base: str, username: str) -> Mastodon:
    token = password_token(base, username, "read write follow", PASSWORD)
    return Mastodon(access_token=token, api_base_url=base)


def _texts(statuses: list[Any]) -> str:
    return " ".join(s["content"] for s in statuses)


async def _approve_join(maelle: httpx.AsyncClient, name: str) -> None:
    """Maëlle approves the pending request of ``name`` to join her twinning, on A."""

    async def request_arrived() -> bool:
        return f"@{name}@127.0.0.1" in (await maelle.get("/t/brest_lapaz/members")).text

    await _eventually(request_arrived)
    members = (await maelle.get("/t/brest_lapaz/members")).text
    remote_id = re.search(r'name="remote_id" value="(\d+)"', members)
    assert remote_id
    await _post(
        maelle,
        "/t/brest_lapaz/members",
        "/t/brest_lapaz/members",
        {"action": "approve_remote", "remote_id": remote_id.group(1)},
    )


async def test_following_a_person_of_another_server_from_an_app(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("lucia",))
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            lucia, maelle_app = _app(base_b, "lucia"), _app(base_a, "maelle")
            found = lucia.search_v2(f"@maelle@127.0.0.1:{port_a}", resolve=True)["accounts"]
            assert [a["acct"] for a in found] == [f"maelle@127.0.0.1:{port_a}"]
            maelle_there = found[0]
            asked = lucia.account_follow(maelle_there["id"])
            assert asked["following"] or asked["requested"]

            async def accepted() -> bool:
                return bool(lucia.account_relationships(maelle_there["id"])[0]["following"])

            await _eventually(accepted)
            me_on_a = maelle_app.me()
            followers = maelle_app.account_followers(me_on_a["id"])
            assert [a["acct"] for a in followers] == [f"lucia@127.0.0.1:{port_b}"]
            assert any(
                a["acct"] == maelle_there["acct"] for a in lucia.account_following(lucia.me()["id"])
            )

            maelle = await _session(base_a, "maelle")
            for content, visibility in ((SECRET, "partners"), (PUBLIC_NEWS, "public")):
                data = {"content_en": content, "visibility": visibility}
                await _post(maelle, "/t/brest_lapaz", "/t/brest_lapaz/updates", data)

            async def in_home() -> bool:
                return PUBLIC_NEWS in _texts(lucia.timeline_home())

            await _eventually(in_home)
            home = lucia.timeline_home()
            assert SECRET not in _texts(home)
            news = next(s for s in home if PUBLIC_NEWS in s["content"])
            assert news["account"]["acct"] == maelle_there["acct"]
            assert news["visibility"] == "public"
            async with httpx.AsyncClient(base_url=base_b) as anonymous:
                assert SECRET not in (await anonymous.get("/api/v1/timelines/public")).text

            lucia.account_unfollow(maelle_there["id"])
            assert not lucia.account_relationships(maelle_there["id"])[0]["following"]

            async def no_longer_follower() -> bool:
                return maelle_app.account_followers(me_on_a["id"]) == []

            await _eventually(no_longer_follower)
            await maelle.aclose()


async def test_posting_to_a_twinning_of_another_server_from_an_app(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge", "pablo"))
    group = f"@brest_lapaz@127.0.0.1:{port_a}"
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            maelle = await _session(base_a, "maelle")
            web_jorge, web_pablo = await _session(base_b, "jorge"), await _session(base_b, "pablo")
            await _subscribe(web_jorge, group, "join")
            await _subscribe(web_pablo, group, "follow")  # a follower is no member
            await _approve_join(maelle, "jorge")
            jorge, pablo = _app(base_b, "jorge"), _app(base_b, "pablo")

            async def joined() -> bool:
                return "waiting for approval" not in (await web_jorge.get("/remote")).text

            await _eventually(joined)
            public = jorge.status_post(f"{group} {FROM_B}")
            assert public["visibility"] == "public" and group not in public["content"]
            secret = jorge.status_post(f"{group} {SECRET_FROM_B}", visibility="private")
            assert secret["visibility"] == "private"

            async def both_on_a() -> bool:
                page = (await maelle.get("/t/brest_lapaz")).text
                return FROM_B in page and SECRET_FROM_B in page

            await _eventually(both_on_a)
            async with httpx.AsyncClient(base_url=base_a) as anonymous:
                page = (await anonymous.get("/t/brest_lapaz")).text
                assert FROM_B in page and SECRET_FROM_B not in page
            async with httpx.AsyncClient(base_url=base_b) as anonymous:
                timeline = (await anonymous.get("/api/v1/timelines/public")).text
                assert FROM_B in timeline and SECRET_FROM_B not in timeline
            assert SECRET_FROM_B not in _texts(pablo.timeline_home())
            for path in ("/", "/u/jorge", "/feed"):  # B's pages show the author's post too
                page = await web_jorge.get(path)
                assert page.status_code == 200 and FROM_B in page.text, path
            assert (await web_jorge.get("/directory?kind=updates&q=writes")).status_code == 200

            jorge.status_update(public["id"], f"{FROM_B} (edited)")
            jorge.status_delete(secret["id"])

            async def changes_on_a() -> bool:
                page = (await maelle.get("/t/brest_lapaz")).text
                return f"{FROM_B} (edited)" in page and SECRET_FROM_B not in page

            await _eventually(changes_on_a)
            with pytest.raises(MastodonAPIError) as refused:
                pablo.status_post(f"{group} Pablo is no member")
            assert refused.value.args[1] in (403, 422)
            assert "members" in str(refused.value.args[-1])
            for web in (maelle, web_jorge, web_pablo):
                await web.aclose()
