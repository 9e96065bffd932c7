"""The workspace across two real instances: a twinning on A, a partner (Jorge) on B and a
follower (Lucía, standing for a Mastodon follower) on B. A trilingual partner-only discussion,
a partner-only document and a partner-only meeting reach Jorge alone; his answer from a
Mastodon app on B lands in the discussion on A; Lucía sees only the public meeting."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import csrf_of
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

__all__ = ["databases"]
PDF = b"%PDF-1.4\n% minutes of the steering committee\n%%EOF\n"


async def _app_token(base: str, username: str) -> str:
    """Logs in as a Mastodon app does (app registration, then the password grant)."""
    async with httpx.AsyncClient(base_url=base) as http:
        app = await http.post(
            "/api/v1/apps",
            data={
                "client_name": "app",
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": "read write",
            },
        )
        client = {k: app.json()[k] for k in ("client_id", "client_secret")}
        token = await http.post(
            "/oauth/token",
            data={
                **client,
                "grant_type": "password",
                "username": username,
                "password": PASSWORD,
                "scope": "read write",
            },
        )
        return str(token.json()["access_token"])


async def test_partner_workspace_across_two_instances(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge", "lucia"))
    handle = f"@brest_lapaz@127.0.0.1:{port_a}"
    with (
        running_server(tmp_path / "a", databases[0], port=port_a) as base_a,
        running_server(tmp_path / "b", databases[1], port=port_b) as base_b,
    ):
        jorge, lucia = await _session(base_b, "jorge"), await _session(base_b, "lucia")
        maelle = await _session(base_a, "maelle")
        await _subscribe(jorge, handle, "join")
        await _subscribe(lucia, handle, "follow")

        async def join_request_arrived() -> bool:
            return "remote_id" in (await maelle.get("/t/brest_lapaz/members")).text

        await _eventually(join_request_arrived)
        members = (await maelle.get("/t/brest_lapaz/members")).text
        remote_id = re.search(r'name="remote_id" value="(\d+)"', members)
        assert remote_id
        await _post(
            maelle,
            "/t/brest_lapaz/members",
            "/t/brest_lapaz/members",
            {"action": "approve_remote", "remote_id": remote_id.group(1)},
        )

        async def accepted() -> bool:
            return "waiting for approval" not in (await jorge.get("/remote")).text

        await _eventually(accepted)
        page = "/t/brest_lapaz"
        thread_url = await _post(
            maelle,
            page,
            "/t/brest_lapaz/discussions",
            {
                "subject_fr": "Budget participatif",
                "subject_es": "Presupuesto participativo",
                "subject_en": "Participatory budget",
                "message_fr": "Première proposition",
                "message_es": "Primera propuesta",
                "visibility": "partners",
            },
        )
        token = csrf_of((await maelle.get(page)).text)
        uploaded = await maelle.post(
            "/t/brest_lapaz/resources",
            data={
                "csrf_token": token,
                "resource_kind": "document",
                "resource_title_en": "Steering committee minutes",
                "licence": "CC-BY-SA-4.0",
                "visibility": "partners",
            },
            files={"file": ("minutes.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 303, uploaded.text
        meeting = {"starts": "2031-03-01T10:00", "ends": "2031-03-01T12:00"}
        meeting |= {"timezone": "America/La_Paz"}
        await _post(
            maelle,
            page,
            "/t/brest_lapaz/events",
            {**meeting, "event_title_en": "Partners' meeting", "visibility": "partners"},
        )
        await _post(
            maelle,
            page,
            "/t/brest_lapaz/events",
            {**meeting, "event_title_en": "Open forum", "visibility": "public"},
        )

        async def all_arrived() -> bool:
            feed = (await jorge.get("/feed")).text
            wanted = ("Participatory budget", "Steering committee minutes", "Partners")
            return all(w in feed for w in wanted) and "Open forum" in feed

        await _eventually(all_arrived)
        feed = (await jorge.get("/feed", headers={"Accept-Language": "es"})).text
        assert "Presupuesto participativo" in feed and "Primera propuesta" in feed
        file_link = re.search(r'href="(/media/[^"]+)"', feed)
        assert file_link
        download = await jorge.get(file_link.group(1))
        assert download.status_code == 200 and download.content == PDF
        assert (await lucia.get(file_link.group(1))).status_code == 404

        async def public_meeting_for_lucia() -> bool:
            return "Open forum" in (await lucia.get("/feed")).text

        await _eventually(public_meeting_for_lucia)
        lucia_feed = (await lucia.get("/feed")).text
        for secret in ("Participatory budget", "Steering committee", "Partners&#39; meeting"):
            assert secret not in lucia_feed

        auth = {"Authorization": f"Bearer {await _app_token(base_b, 'jorge')}"}
        async with httpx.AsyncClient(base_url=base_b, headers=auth) as app:
            home = (await app.get("/api/v1/timelines/home", params={"limit": 40})).json()
            # The app shows the thread in a language it has (here its first, French).
            thread = next(s for s in home if "Budget participatif" in s["content"])
            assert thread["visibility"] == "private"
            answer = await app.post(
                "/api/v1/statuses",
                data={"status": "Estamos de acuerdo", "in_reply_to_id": thread["id"]},
            )
            assert answer.status_code == 200, answer.text

        async def answer_in_place() -> bool:
            return "Estamos de acuerdo" in (await maelle.get(thread_url)).text

        await _eventually(answer_in_place)
        for web in (jorge, lucia, maelle):
            await web.aclose()


async def test_a_twinning_invites_a_person_of_another_instance(
    tmp_path: Path, databases: tuple[str, str]
) -> None:
    port_a, port_b = two_instances(tmp_path, databases, ("jorge",))
    with (
        running_server(tmp_path / "a", databases[0], port=port_a) as base_a,
        running_server(tmp_path / "b", databases[1], port=port_b) as base_b,
    ):
        maelle, jorge = await _session(base_a, "maelle"), await _session(base_b, "jorge")
        members = "/t/brest_lapaz/members"
        await _post(
            maelle,
            members,
            members,
            {"action": "invite_remote", "handle": f"@jorge@127.0.0.1:{port_b}"},
        )
        assert "@jorge@127.0.0.1" in (await maelle.get(members)).text

        async def invitation_arrived() -> bool:
            return "subscription_id" in (await jorge.get("/remote")).text

        await _eventually(invitation_arrived)
        page = (await jorge.get("/remote")).text
        invitation = re.search(r'name="subscription_id" value="(\d+)"', page)
        assert invitation
        await _post(
            jorge,
            "/remote",
            "/remote/invitation",
            {"subscription_id": invitation.group(1), "decision": "accept"},
        )

        async def member_on_a() -> bool:
            listed = (await maelle.get(members)).text
            return "Members on other servers" in listed and "@jorge@127.0.0.1" in listed

        await _eventually(member_on_a)
        await _post(
            maelle,
            "/t/brest_lapaz",
            "/t/brest_lapaz/updates",
            {"content_en": "Welcome, partner", "visibility": "partners"},
        )

        async def partner_news_arrived() -> bool:
            return "Welcome, partner" in (await jorge.get("/feed")).text

        await _eventually(partner_news_arrived)
        await maelle.aclose()
        await jorge.aclose()
