"""The admin page: only for admins, suspensions, invitation links."""

from __future__ import annotations

import httpx

from models.accounts import Account, Invitation
from tests.conftest import log_in, make_account, post_form


async def test_admin_page_is_hidden_from_others(client: httpx.AsyncClient) -> None:
    assert (await client.get("/admin")).status_code == 303
    await make_account("lea")
    await log_in(client, "lea")
    assert (await client.get("/admin")).status_code == 404
    r = await post_form(client, "/", "/admin/invitations", {})
    assert r.status_code == 404
    assert not await Invitation.exists()


async def test_suspend_and_lift(client: httpx.AsyncClient) -> None:
    await make_account("root", role="admin")
    await make_account("spammer")
    await log_in(client, "root")
    r = await post_form(client, "/admin", "/admin/accounts/spammer", {"action": "suspend"})
    assert r.status_code == 303
    assert (await Account.get(username="spammer")).state == "suspended"
    assert (await client.get("/u/spammer")).status_code == 404
    await post_form(client, "/admin", "/admin/accounts/spammer", {"action": "unsuspend"})
    assert (await Account.get(username="spammer")).state == "active"
    own = await post_form(client, "/admin", "/admin/accounts/root", {"action": "suspend"})
    assert own.status_code == 400
    bad = await post_form(client, "/admin", "/admin/accounts/spammer", {"action": "explode"})
    assert bad.status_code == 400 and "Unknown action" in bad.text


async def test_invitation_links_are_listed(client: httpx.AsyncClient) -> None:
    await make_account("root", role="admin")
    await log_in(client, "root")
    await post_form(client, "/admin", "/admin/invitations", {})
    invitation = await Invitation.get()
    assert f"/signup?invitation={invitation.code}" in (await client.get("/admin")).text


async def test_domain_blocks_from_the_admin_page(client: httpx.AsyncClient) -> None:
    from models.remote import DomainBlock, block_of

    await make_account("root", role="admin")
    await log_in(client, "root")
    bad = await post_form(client, "/admin", "/admin/domains", {"domain": "not a domain"})
    assert bad.status_code == 400 and "example.org" in bad.text
    ok = await post_form(
        client,
        "/admin",
        "/admin/domains",
        {"domain": "Spam.Example", "severity": "suspend", "reason": "spam"},
    )
    assert ok.status_code == 303
    assert await block_of("https://mail.spam.example/users/x") is not None
    assert "spam.example" in (await client.get("/admin")).text
    await post_form(
        client, "/admin", "/admin/domains", {"domain": "spam.example", "action": "unblock"}
    )
    assert not await DomainBlock.exists()


async def test_suspending_a_domain_says_what_it_did_and_lifting_it_restores_memberships(
    client: httpx.AsyncClient,
) -> None:
    from models.queues import Delivery
    from models.remote import RemoteActor, RemoteMembership, now
    from models.twinnings import TwinningInput, create_twinning

    root = await make_account("root", role="admin")
    twinning = await create_twinning(root, "brest_lapaz", TwinningInput(title={"fr": "Brest"}))
    ana = await RemoteActor.create(
        uri="https://social.far.example/users/ana",
        actor_type="Person",
        handle="ana",
        domain="social.far.example",
        inbox="https://social.far.example/users/ana/inbox",
        fetched_at=now(),
    )
    await RemoteMembership.create(twinning=twinning, actor=ana, state="accepted")
    for n, host in enumerate(("social.far.example", "near.example")):
        await Delivery.create(
            activity_uri=f"https://x/{n}",
            payload="{}",
            inbox_url=f"https://{host}/inbox",
            host=host,
            signer_type="twinning",
            signer_id=twinning.id,
            signer_key_id="k",
            next_attempt_at=now(),
        )
    await log_in(client, "root")
    r = await post_form(
        client, "/admin", "/admin/domains", {"domain": "far.example", "severity": "suspend"}
    )
    assert r.status_code == 303
    page = (await client.get("/admin")).text
    assert "far.example is blocked: 1 membership suspended, 0 follows held back, " in page
    assert "1 pending delivery given up" in page
    assert (await RemoteMembership.get()).state == "suspended"
    assert (await Delivery.get(host="social.far.example")).state == "failed"
    assert (await Delivery.get(host="near.example")).state == "pending"
    assert "1 membership suspended, 0 follows held back" in (await client.get("/admin")).text

    await post_form(
        client, "/admin", "/admin/domains", {"domain": "far.example", "action": "unblock"}
    )
    assert (
        "far.example is no longer blocked: 1 membership active again"
        in (await client.get("/admin")).text
    )
    assert (await RemoteMembership.get()).state == "accepted"
