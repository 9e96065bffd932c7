"""Moderation: a member reports a partners-only item; only the twinning's moderators and the
instance admins see the report; removing the item deletes it and queues its federated Delete;
a warning reaches the person (notification and mail); a silenced account leaves the public
lists only; a report about another server blocks its domain or goes there as a Flag; the
reporter is told (on the page and through the API); every act is in the log, which other
twinnings' moderators do not see; bad input is refused with a reason."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest
from aiosmtpd.controller import Controller

from federation.context import Federation
from federation.worker import run_once
from models.accounts import Account
from models.content import ContentItem
from models.happenings import Happening
from models.media import attach, media_key, store_media
from models.media_store import store_at
from models.moderation import ModerationEntry, report_item
from models.moderation_actions import act
from models.notifications import Notification
from models.oauth import issue_token, register_app
from models.posting import post_update
from models.reactions import Report
from models.remote import DomainBlock, RemoteActor, now
from models.social import follow_local
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from models.visibility import store_audience
from server.mailer import send_due
from tests.conftest import log_in, make_account, post_form
from tests.servers import free_port
from tests.web.test_mail import Inbox


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


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    """A real SMTP server on loopback, as in the mail tests."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield f"smtp://127.0.0.1:{controller.port}", inbox
    controller.stop()


async def _report(client: httpx.AsyncClient, reporter: str, item: ContentItem) -> Report:
    form = f"/report/items/{item.id}"
    async with signed_in(client, reporter) as web:
        sent = await post_form(web, form, form, {"reason": "violation", "comment": "insultes"})
        assert sent.status_code == 303
    return await Report.filter(item_id=item.id, resolved=False).order_by("-id").first()  # type: ignore[return-value]


async def test_a_warning_reaches_the_person_and_their_mailbox(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, smtp, settings
) -> None:
    url, inbox = smtp
    _, item = await _scene()
    ana = await Account.get(username="ana")
    ana.locale = "es"
    await ana.save(update_fields=["locale"])
    report = await _report(client, "jorge", item)
    async with signed_in(client, "maelle") as maelle:
        page = (await maelle.get("/t/brest/reports")).text
        assert 'value="warn"' in page
        assert 'value="silence"' not in page and 'value="block_domain"' not in page
        wordless = await post_form(
            maelle, "/t/brest/reports", f"/reports/{report.id}", {"action": "warn"}
        )
        assert wordless.status_code == 400 and "warning" in wordless.text
        assert not await Notification.filter(kind="warned").exists()
        warned = await post_form(
            maelle,
            "/t/brest/reports",
            f"/reports/{report.id}",
            {"action": "warn", "note": "Pas de publicité ici, merci."},
        )
        assert warned.status_code == 303
        assert "Account warned" in (await maelle.get("/t/brest/reports")).text
    async with signed_in(client, "ana") as web:
        page = (await web.get("/notifications")).text
        assert "Pas de publicité ici, merci." in page
    async with signed_in(client, "jorge") as jorge:
        assert "the account was warned" in (await jorge.get("/notifications")).text
    entry = await ModerationEntry.get(action="warn")
    assert entry.mail_to_id == ana.id and entry.target.startswith("@ana")
    assert await send_due(replace(settings, smtp_url=url)) == 1
    [mail] = inbox.messages
    assert mail["To"] == "ana@example.org"
    assert "moderadores" in mail["Subject"]  # in her language
    assert "Pas de publicité ici, merci." in str(mail.get_content())  # type: ignore[attr-defined]
    assert await send_due(replace(settings, smtp_url=url)) == 0  # once
    assert (await ModerationEntry.get(id=entry.id)).mail_to_id is None


async def _public_scene() -> tuple[ContentItem, Account]:
    """Ana's public update in Brest, a follower of hers (Nina) and an admin."""
    twinning, _ = await _scene()
    ana = await Account.get(username="ana")
    item = await post_update(ana, twinning, "public", {"fr": "Cheap watches here #watches"})
    nina = await Account.get(username="nina")
    await follow_local(nina, "person", ana.id)
    return item, ana


async def _public_lists(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, str]:
    pages = {
        path: (await client.get(path)).text
        for path in ("/", "/t/brest", "/directory?kind=updates&q=watches", "/feed.atom")
    }
    for path in ("/api/v1/timelines/public", "/api/v1/timelines/tag/watches"):
        pages[path] = (await client.get(path, headers=headers)).text
    search = await client.get("/api/v2/search", params={"q": "watches"}, headers=headers)
    pages["search"] = search.text
    return pages


async def test_silenced_items_leave_public_lists_only(client: httpx.AsyncClient) -> None:
    item, ana = await _public_scene()
    report = await _report(client, "jorge", item)
    text = "Cheap watches here"
    async with signed_in(client, "maelle") as maelle:
        refused = await post_form(
            maelle, "/t/brest/reports", f"/reports/{report.id}", {"action": "silence"}
        )
        assert refused.status_code == 403
    assert (await Account.get(id=ana.id)).silenced_at is None
    root_headers = {"Authorization": f"Bearer {await _api_token('root')}"}
    before = await _public_lists(client, root_headers)
    assert [p for p, page in before.items() if text not in page] == []
    async with signed_in(client, "root") as root:
        r = await post_form(root, "/admin", f"/reports/{report.id}", {"action": "silence"})
        assert r.status_code == 303
    assert (await Account.get(id=ana.id)).silenced_at is not None
    after = await _public_lists(client, root_headers)
    assert [p for p, page in after.items() if text in page] == []
    # Still there by its address, for the twinning's members and for her followers.
    assert text in (await client.get(f"/t/brest/updates/{item.id}")).text
    async with signed_in(client, "jorge") as jorge:
        assert text in (await jorge.get("/t/brest")).text
    nina = {"Authorization": f"Bearer {await _api_token('nina')}"}
    followed = await client.get("/api/v1/timelines/public", headers=nina)
    assert text in followed.text
    async with signed_in(client, "ana") as web:
        assert "silenced your account" in (await web.get("/")).text
    async with signed_in(client, "jorge") as jorge:
        assert "the account was silenced" in (await jorge.get("/notifications")).text
    # Lifted: back in the lists, and the log keeps both.
    async with signed_in(client, "root") as root:
        listed = await root.get("/admin/silenced")
        assert "@ana" in listed.text
        lift = f"/admin/silenced/people/{ana.id}/lift"
        r = await post_form(root, "/admin/silenced", lift, {"note": "excuses reçues"})
        assert r.status_code == 303
        again = await post_form(root, "/admin/silenced", lift, {})
        assert again.status_code == 400
        log = (await root.get("/admin/log")).text
        assert "Account silenced" in log and "Silence lifted" in log and "excuses" in log
    async with signed_in(client, "maelle") as maelle:
        assert (await maelle.get("/admin/silenced")).status_code == 404
        page = (await maelle.get("/t/brest/reports")).text
        assert "Account silenced" in page and "Silence lifted" not in page
    assert text in (await client.get("/api/v1/timelines/public")).text


async def _remote_person() -> RemoteActor:
    return await RemoteActor.create(
        uri="https://far.example/users/spammer",
        actor_type="Person",
        handle="spammer",
        domain="far.example",
        inbox="https://far.example/users/spammer/inbox",
        shared_inbox="https://far.example/inbox",
        fetched_at=now(),
    )


async def test_a_report_about_another_server_blocks_it_or_goes_there(
    client: httpx.AsyncClient,
) -> None:
    await _scene()
    spammer = await _remote_person()
    headers = {"Authorization": f"Bearer {await _api_token('jorge')}"}
    answers = [
        await client.post(
            "/api/v1/reports",
            headers=headers,
            json={"account_id": f"r{spammer.id}", "comment": c, "forward": f},
        )
        for c, f in (("relayed", "true"), ("kept here", "false"))
    ]
    assert [a.json()["forwarded"] for a in answers] == [True, False]
    forwarded = await Report.get(comment="relayed")
    kept = await Report.get(comment="kept here")
    [flag] = await Happening.filter(kind="report_forwarded")
    assert flag.data == {"reports": [forwarded.id], "actor": spammer.id}
    async with signed_in(client, "root") as root:
        page = (await root.get("/admin")).text
        assert "Block far.example" in page and "Forward to far.example" in page
        assert "Forwarded to far.example." in page
        r = await post_form(root, "/admin", f"/reports/{kept.id}", {"action": "forward"})
        assert r.status_code == 303
        assert await Happening.filter(kind="report_forwarded").count() == 2
        twice = await post_form(root, "/admin", f"/reports/{kept.id}", {"action": "forward"})
        assert twice.status_code == 400
        r = await post_form(
            root, "/admin", f"/reports/{kept.id}", {"action": "block_domain", "note": "spam"}
        )
        assert r.status_code == 303
        r = await post_form(root, "/admin", f"/reports/{forwarded.id}", {"action": "silence"})
        assert r.status_code == 303
        log = (await root.get("/admin/log")).text
        assert log.count("Report forwarded") == 2 and "Domain blocked" in log
        assert "Account silenced" in log and "@spammer@far.example" in log
        assert "@jorge" in log  # who asked for the first forwarding
    block = await DomainBlock.get(domain="far.example")
    assert (block.severity, block.reason) == ("suspend", "spam")
    assert (await Report.get(id=kept.id)).outcome == "domain_blocked"
    async with signed_in(client, "jorge") as jorge:
        page = (await jorge.get("/notifications")).text
        assert "its server was blocked" in page
    # A twinning moderator may not block a domain, and a warning goes there as a message.
    await Membership.filter(account__username="jorge").update(role="moderator")
    item = await ContentItem.create(
        remote_author=spammer,
        uri="https://far.example/notes/1",
        twinning=await Twinning.get(slug="brest"),
        visibility="public",
        content_map={"en": "Remote cheap pills"},
    )
    await store_audience(item)
    # Silenced: out of the public timeline, still in the twinning's feed for its members.
    assert (await RemoteActor.get(id=spammer.id)).silenced_at is not None
    assert "Remote cheap pills" not in (await client.get("/api/v1/timelines/public")).text
    assert "Remote cheap pills" not in (await client.get("/t/brest")).text
    async with signed_in(client, "jorge") as jorge:
        assert "Remote cheap pills" in (await jorge.get("/t/brest")).text
    await DomainBlock.filter(domain="far.example").delete()
    report = await Report.create(
        reporter_uri="",
        activity_uri="local:x",
        item=item,
        twinning=await Twinning.get(slug="brest"),
    )
    async with signed_in(client, "maelle") as maelle:
        r = await post_form(
            maelle, "/t/brest/reports", f"/reports/{report.id}", {"action": "block_domain"}
        )
        assert r.status_code == 403
        r = await post_form(
            maelle, "/t/brest/reports", f"/reports/{report.id}", {"action": "warn", "note": "stop"}
        )
        assert r.status_code == 303
    warning = await Happening.get(kind="warned_afar")
    assert warning.data == {"actor": spammer.id, "note": "stop"}


async def test_an_item_removed_on_a_report_leaves_no_file_behind(
    client: httpx.AsyncClient, fed: Federation
) -> None:
    """The files of an item go with it whoever removes it: here a moderator acting on a
    report, once the removal has committed and the worker has run."""
    _, item = await _scene()
    media = await store_media(
        await Account.get(username="ana"), fed.settings.data_dir, b"%PDF-1.4 montres"
    )
    await attach(item, [media.id])
    store = store_at(fed.settings.data_dir)
    assert await store.exists(media_key(media.name))
    report = await report_item(await Account.get(username="jorge"), item, "spam", "")
    await act(await Account.get(username="maelle"), report, "remove")
    await run_once(fed)
    assert not await ContentItem.filter(id=item.id).exists()
    assert not await store.exists(media_key(media.name))
