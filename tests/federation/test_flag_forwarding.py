"""Two real instances: Lucía, on B, follows a twinning of A and reports two of its updates,
one from the web form and one from Mastodon.py, both with "forward"; A receives each as a
``Flag`` from B's instance actor (not from Lucía), tied to its own update, so that A's admin
and the twinning's moderator both see the report with her comment."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from mastodon import Mastodon

from tests.databases import fresh_database
from tests.federation.test_two_instances import (
    PASSWORD,
    _eventually,
    _post,
    _session,
    _subscribe,
    two_instances,
)
from tests.servers import jumelage, running_server, server_env

FIRST, SECOND = "Cheap watches, first offer", "Cheap watches, second offer"


@pytest.fixture
async def databases(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = await fresh_database(tmp_path / "a", "fa", migrated=True)
    return (a, await fresh_database(tmp_path / "b", "fb", migrated=True))


def _report_from_app(base: str, text: str) -> dict[str, object]:
    """Lucía's app finds the update in her home timeline and reports it, forwarded."""
    client_id, secret = Mastodon.create_app(
        "flag-tests", api_base_url=base, scopes=["read", "write"]
    )
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=base)
    api.log_in("lucia", PASSWORD, scopes=["read", "write"], allow_http=True)
    [status] = [s for s in api.timeline_home() if text in s["content"]]
    report = api.report(
        status["account"]["id"], [status["id"]], "Second spam", forward=True, category="spam"
    )
    return dict(report)


async def test_a_forwarded_report_reaches_the_other_servers_moderators(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("lucia",))
    env_a = server_env(tmp_path / "a", databases[0], port_a)
    env_b = server_env(tmp_path / "b", databases[1], port_b)
    for env, name in ((env_a, "root"), (env_b, "broot")):
        jumelage(
            env,
            "users",
            "create",
            name,
            "--email",
            f"{name}@x.org",
            "--password",
            PASSWORD,
            "--admin",
        )
    with running_server(tmp_path / "a", databases[0], port=port_a) as base_a:
        with running_server(tmp_path / "b", databases[1], port=port_b) as base_b:
            lucia, maelle = await _session(base_b, "lucia"), await _session(base_a, "maelle")
            await _subscribe(lucia, f"@brest_lapaz@127.0.0.1:{port_a}", "follow")

            async def accepted() -> bool:
                return "waiting for approval" not in (await lucia.get("/remote")).text

            await _eventually(accepted)
            for text in (FIRST, SECOND):
                await _post(
                    maelle,
                    "/t/brest_lapaz",
                    "/t/brest_lapaz/updates",
                    {"content_en": text, "visibility": "public"},
                )

            async def both_arrived() -> bool:
                feed = (await lucia.get("/feed")).text
                return FIRST in feed and SECOND in feed

            await _eventually(both_arrived)
            feed = (await lucia.get("/feed")).text
            first_id = re.findall(r'href="/report/items/(\d+)"', feed)[-1]  # oldest last
            form = f"/report/items/{first_id}"
            page = (await lucia.get(form)).text
            assert "Forward to 127.0.0.1" in page
            back = await _post(
                lucia, form, form, {"reason": "spam", "comment": "First spam", "forward": "1"}
            )
            assert back == "/feed"
            entity = await asyncio.to_thread(_report_from_app, base_b, SECOND)
            assert entity["forwarded"] is True
            root = await _session(base_a, "root")

            async def both_reported() -> bool:
                page = (await root.get("/admin")).text
                return "First spam" in page and "Second spam" in page

            await _eventually(both_reported)
            admin = (await root.get("/admin")).text
            assert f"{base_b}/actor" in admin  # from B's instance actor
            assert "lucia" not in admin  # the reporter's name stays on B
            reports = (await maelle.get("/t/brest_lapaz/reports")).text
            assert "First spam" in reports and "Second spam" in reports
            assert 'value="remove"' in reports  # tied to A's own updates
            b_admin = await _session(base_b, "broot")
            log = (await b_admin.get("/admin/log")).text
            assert log.count("Report forwarded") == 2 and "@lucia" in log
            for web in (lucia, maelle, root, b_admin):
                await web.aclose()
