"""Moderation: a member reports a partners-only item; only the twinning's moderators and the
instance admins see the report; removing the item deletes it and queues its federated Delete;
the reporter is told (on the page and through the API); every act is in the log, which other
twinnings' moderators do not see; bad input is refused with a reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from models.accounts import Account
from models.content import ContentItem
from models.happenings import Happening
from models.moderation import ModerationEntry
from models.oauth import issue_token, register_app
from models.posting import post_update
from models.reactions import Report
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form


@asynccontextmanager
async def signed_in(client: httpx.AsyncClient, username: str) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser, on the same app, signed in as ``username``."""
    other = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with other:
        await log_in(other, username)
        yield other


async def _scene() -> tuple[Twinning, ContentItem]:
    maelle = await make_account("maelle")  # creates the twinning: its moderator
    jorge = await make_account("jorge")
    await make_account("root", role="admin")
    await make_account("nina")  # moderates another twinning
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await create_twinning(
        await Account.get(username="nina"), "vigo", TwinningInput(title={"es": "Vigo"})
    )
    ana = await make_account("ana")
    await Membership.create(twinning=twinning, account=ana, state="accepted")
    item = await post_update(ana, twinning, "partners", {"fr": "Achetez mes montres"})
    return twinning, item


async def _api_token(username: str) -> str:
    app, _ = await register_app(f"app-{username}", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, await Account.get(username=username), "read write")
    return str(token)


async def test_report_moderate_and_log(client: httpx.AsyncClient) -> None:
    twinning, item = await _scene()
    form = f"/report/items/{item.id}"
    async with signed_in(client, "nina") as nina:
        assert (await nina.get(form)).status_code == 404
        refused = await post_form(nina, "/u/maelle", form, {"reason": "spam"})
        assert refused.status_code == 404
    async with signed_in(client, "jorge") as jorge:
        page = await jorge.get(f"/t/brest/updates/{item.id}")
        assert f'href="{form}"' in page.text
        bad = await post_form(jorge, form, form, {"reason": "boring"})
        assert bad.status_code == 400 and "spam" in bad.text
        sent = await post_form(jorge, form, form, {"reason": "spam", "comment": "publicité"})
        assert sent.status_code == 303
        assert sent.headers["location"] == f"/t/brest/updates/{item.id}"
        assert "Thank you" in (await jorge.get(sent.headers["location"])).text
        assert (await jorge.get("/t/brest/reports")).status_code == 404
    report = await Report.get(reporter__username="jorge")
    assert report.item_id == item.id and report.twinning_id == twinning.id
    async with signed_in(client, "nina") as nina:
        assert (await nina.get("/t/brest/reports")).status_code == 404
        assert "publicité" not in (await nina.get("/t/vigo/reports")).text
        r = await post_form(nina, "/t/vigo/reports", f"/reports/{report.id}", {"action": "dismiss"})
        assert r.status_code == 404
    async with signed_in(client, "root") as root:
        assert "publicité" in (await root.get("/admin")).text
    async with signed_in(client, "maelle") as maelle:
        members = await maelle.get("/t/brest/members")
        assert 'href="/t/brest/reports"' in members.text and "1 open" in members.text
        assert "publicité" in (await maelle.get("/t/brest/reports")).text
        suspend = await post_form(
            maelle, "/t/brest/reports", f"/reports/{report.id}", {"action": "suspend"}
        )
        assert suspend.status_code == 403  # only instance admins suspend
        removed = await post_form(
            maelle,
            "/t/brest/reports",
            f"/reports/{report.id}",
            {"action": "remove", "note": "vente", "next": "/t/brest/reports"},
        )
        assert removed.status_code == 303 and removed.headers["location"] == "/t/brest/reports"
        again = await post_form(
            maelle, "/t/brest/reports", f"/reports/{report.id}", {"action": "dismiss"}
        )
        assert again.status_code == 400 and "already" in again.text
        log = (await maelle.get("/t/brest/reports")).text
        assert "Item removed" in log and "vente" in log and "@maelle" in log
    assert not await ContentItem.filter(id=item.id).exists()
    deleted = await Happening.get(kind="deleted")
    assert deleted.data["item"] == item.id and deleted.data["visibility"] == "partners"
    entry = await ModerationEntry.get()
    assert (entry.action, entry.reason, entry.twinning_id) == ("remove", "spam", twinning.id)
    async with signed_in(client, "jorge") as jorge:
        page = (await jorge.get("/notifications")).text
        assert "handled your report: the item was removed" in page
    api = await client.get(
        "/api/v1/notifications", headers={"Authorization": f"Bearer {await _api_token('jorge')}"}
    )
    [note] = api.json()
    assert note["type"] == "moderated" and note["report"]["outcome"] == "removed"
    assert note["account"]["username"] == "maelle"
    # A person reported, suspended by an admin; the log says so, for admins only.
    async with signed_in(client, "jorge") as jorge:
        r = await post_form(
            jorge, "/report/people/ana", "/report/people/ana", {"reason": "violation"}
        )
        assert r.status_code == 303
    person_report = await Report.get(account__username="ana", resolved=False)
    assert person_report.twinning_id is None
    async with signed_in(client, "maelle") as maelle:
        assert "Breaks the rules" not in (await maelle.get("/t/brest/reports")).text
        assert (await maelle.get("/admin/log")).status_code == 404
    async with signed_in(client, "root") as root:
        r = await post_form(root, "/admin", f"/reports/{person_report.id}", {"action": "suspend"})
        assert r.status_code == 303
        assert (await Account.get(username="ana")).state == "suspended"
        log = (await root.get("/admin/log")).text
        assert "Account suspended" in log and "Item removed" in log and "@ana" in log
    async with signed_in(client, "nina") as nina:
        assert "Item removed" not in (await nina.get("/t/vigo/reports")).text


async def test_reports_from_apps(client: httpx.AsyncClient) -> None:
    _, item = await _scene()
    headers = {"Authorization": f"Bearer {await _api_token('jorge')}"}
    ana = await Account.get(username="ana")
    r = await client.post(
        "/api/v1/reports",
        headers=headers,
        json={
            "account_id": f"p{ana.id}",
            "status_ids": [str(item.id)],
            "comment": "x",
            "category": "legal",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["category"] == "legal" and r.json()["status_ids"] == [str(item.id)]
    assert r.json()["target_account"]["username"] == "ana"
    assert (await Report.get()).twinning_id == item.twinning_id
    bad = await client.post(
        "/api/v1/reports", headers=headers, json={"account_id": f"p{ana.id}", "category": "meh"}
    )
    assert bad.status_code == 422 and "category" in bad.json()["error"]
    nobody = await client.post("/api/v1/reports", headers=headers, json={"account_id": "p99999"})
    assert nobody.status_code == 422 and "account_id" in nobody.json()["error"]
    nina = {"Authorization": f"Bearer {await _api_token('nina')}"}
    hidden = await client.post(
        "/api/v1/reports",
        headers=nina,
        json={"account_id": f"p{ana.id}", "status_ids": [str(item.id)]},
    )
    assert hidden.status_code == 404
