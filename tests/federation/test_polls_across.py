"""A poll crosses two real Jumelage instances as Mastodon sends polls: Maëlle's poll on A goes
out as a ``Question``; Jorge, a member on B, sees it in his app and votes from B; A counts the
vote (a ``Note`` named after the option); Maëlle's own vote on A reaches B with the next
``Update`` of the ``Question``, so Jorge sees both counts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from mastodon import Mastodon

from tests.federation.test_two_instances import (
    PASSWORD,
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,  # noqa: F401  (the fixture)
    two_instances,
)
from tests.servers import running_server

QUESTION = "Which day for the workshop?"


def _app(base: str, username: str) -> Mastodon:
    client_id, secret = Mastodon.create_app("polls", api_base_url=base, scopes=["read", "write"])
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=base)
    api.log_in(username, PASSWORD, scopes=["read", "write"], allow_http=True)
    return api


async def _join(maelle: httpx.AsyncClient, jorge: httpx.AsyncClient, handle: str) -> None:
    await _subscribe(jorge, handle, "join")

    async def join_request_arrived() -> bool:
        return "remote_id" in (await maelle.get("/t/brest_lapaz/members")).text

    await _eventually(join_request_arrived)
    members = (await maelle.get("/t/brest_lapaz/members")).text
    remote_id = re.search(r'name="remote_id" value="(\d+)"', members)
    assert remote_id
    form = {"action": "approve_remote", "remote_id": remote_id.group(1)}
    await _post(maelle, "/t/brest_lapaz/members", "/t/brest_lapaz/members", form)

    async def accepted() -> bool:
        return "waiting for approval" not in (await jorge.get("/remote")).text

    await _eventually(accepted)


def _poll_on(api: Mastodon) -> dict[str, Any] | None:
    for status in api.timeline_home(limit=40):
        if status["poll"] is not None and QUESTION in status["content"]:
            return dict(status["poll"])
    return None


async def test_a_poll_of_a_is_voted_on_from_b_and_the_counts_come_back(
    tmp_path: Path,
    databases: tuple[str, str],  # noqa: F811
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge",))
    handle = f"@brest_lapaz@127.0.0.1:{port_a}"
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            maelle, jorge = await _session(base_a, "maelle"), await _session(base_b, "jorge")
            await _join(maelle, jorge, handle)
            form = {
                "content_en": QUESTION,
                "visibility": "public",
                "poll_option_1": "Tuesday",
                "poll_option_2": "Thursday",
                "poll_expires_in": "86400",
            }
            await _post(maelle, "/t/brest_lapaz", "/t/brest_lapaz/updates", form)
            jorge_app, maelle_app = _app(base_b, "jorge"), _app(base_a, "maelle")

            async def arrived_on_b() -> bool:
                return _poll_on(jorge_app) is not None

            await _eventually(arrived_on_b)
            remote = _poll_on(jorge_app)
            assert remote and [o["title"] for o in remote["options"]] == ["Tuesday", "Thursday"]
            assert remote["voted"] is False
            voted = jorge_app.poll_vote(remote["id"], [0])
            assert voted["own_votes"] == [0]

            async def counted_on_a() -> bool:
                poll = _poll_on(maelle_app)
                return poll is not None and poll["options"][0]["votes_count"] == 1

            await _eventually(counted_on_a)
            own = _poll_on(maelle_app)
            assert own and own["voters_count"] == 1
            maelle_app.poll_vote(own["id"], [1])

            async def counts_back_on_b() -> bool:
                poll = _poll_on(jorge_app)
                return poll is not None and [o["votes_count"] for o in poll["options"]] == [1, 1]

            await _eventually(counts_back_on_b)
            seen = _poll_on(jorge_app)
            assert seen and seen["voted"] is True and seen["voters_count"] == 2
            for web in (maelle, jorge):
                await web.aclose()
