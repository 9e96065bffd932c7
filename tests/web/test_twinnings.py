"""Organisations, twinnings, memberships and updates through the web UI."""

from __future__ import annotations

import httpx

from models.content import ContentItem
from models.organisations import Organisation, OrganisationMember
from models.remote import RemoteActor
from models.twinnings import Membership, Twinning, TwinningPartner
from tests.conftest import log_in, make_account, post_form

ORG = {
    "slug": "brest_num",
    "name": "Brest Numérique",
    "country": "fr",
    "city": "Brest",
    "website": "https://brest.example",
    "languages": ["fr", "es"],
    "fields": ["governance"],
    "description_fr": "Une *association*.",
}
TWINNING = {
    "slug": "brest_lapaz",
    "title_fr": "Brest – La Paz",
    "title_es": "Brest – La Paz",
    "summary_en": "Participatory budgets",
    "primary_language": "fr",
    "fields": ["governance", "health"],
    "countries": "FR BO",
    "languages": ["fr", "es"],
    "phase": "agreement",
    "join_policy": "approval",
    "licence": "CC-BY-SA-4.0",
}


async def _twinning_with_owner(client: httpx.AsyncClient, **changes: object) -> Twinning:
    await make_account("owner")
    await log_in(client, "owner")
    r = await post_form(client, "/twinnings/new", "/twinnings/new", {**TWINNING, **changes})
    assert r.status_code == 303, r.text
    return await Twinning.get(slug=TWINNING["slug"])


async def test_create_and_edit_an_organisation(client: httpx.AsyncClient) -> None:
    await make_account("maelle")
    await log_in(client, "maelle")
    r = await post_form(client, "/organisations/new", "/organisations/new", ORG)
    assert r.headers["location"] == "/o/brest_num"
    page = await client.get("/o/brest_num")
    assert "Brest Numérique" in page.text and "<em>association</em>" in page.text
    r = await post_form(
        client,
        "/o/brest_num/edit",
        "/o/brest_num/edit",
        {**ORG, "name": "Brest Num", "country": "XX"},
    )
    assert r.status_code == 400 and "two-letter" in r.text
    r = await post_form(client, "/o/brest_num/edit", "/o/brest_num/edit", {**ORG, "name": "BN"})
    assert r.status_code == 303
    assert (await Organisation.get(slug="brest_num")).name == "BN"


async def test_organisation_members_are_managed_by_its_admins(client: httpx.AsyncClient) -> None:
    await make_account("maelle")
    await make_account("jorge")
    await log_in(client, "maelle")
    await post_form(client, "/organisations/new", "/organisations/new", ORG)
    r = await post_form(client, "/o/brest_num", "/o/brest_num/members", {"username": "jorge"})
    assert r.status_code == 303
    assert await OrganisationMember.filter(account__username="jorge").exists()
    await post_form(client, "/", "/logout", {})
    await log_in(client, "jorge")
    r = await post_form(
        client, "/o/brest_num", "/o/brest_num/members", {"username": "maelle", "action": "remove"}
    )
    assert r.status_code == 403
    r = await post_form(client, "/o/brest_num/edit", "/o/brest_num/edit", ORG)
    assert r.status_code == 403


async def test_create_a_twinning_with_partner_organisations(client: httpx.AsyncClient) -> None:
    owner = await make_account("owner")
    from models.organisations import OrganisationInput, create_organisation

    for slug, country in (("brest_num", "FR"), ("wiphala", "BO")):
        await create_organisation(
            owner, slug, OrganisationInput(slug, country, "", "", ["es"], ["health"], {})
        )
    await log_in(client, "owner")
    form = await client.get("/twinnings/new")
    assert "wiphala" in form.text
    r = await post_form(
        client,
        "/twinnings/new",
        "/twinnings/new",
        {**TWINNING, "partners": ["brest_num", "wiphala"]},
    )
    assert r.status_code == 303
    t = await Twinning.get(slug="brest_lapaz")
    assert await TwinningPartner.filter(twinning=t).count() == 2
    m = await Membership.get(twinning=t, account=owner)
    assert (m.role, m.state) == ("admin", "accepted")
    page = await client.get("/t/brest_lapaz")
    assert "Participatory budgets" in page.text
    assert "wiphala" in (await client.get("/t/brest_lapaz/about")).text
    listed = await client.get("/directory?field=health&country=BO&phase=agreement")
    assert "/t/brest_lapaz" in listed.text
    assert "/t/brest_lapaz" not in (await client.get("/directory?phase=sharing")).text
    chart = listed.text.split('class="chart"')[1].split("</table>")[0]
    assert 'href="/directory?field=health"' in chart and 'href="/directory?country=BO"' in chart
    await RemoteActor.create(
        uri="https://other.example/t/lyon",
        actor_type="Group",
        handle="lyon",
        name="Lyon – Bogotá",
        domain="other.example",
        inbox="https://other.example/t/lyon/inbox",
        fetched_at=t.created_at,
    )
    remote = (await client.get("/directory?kind=remote&q=lyon")).text
    assert "Lyon – Bogotá" in remote and "@lyon@other.example" in remote


async def test_bad_twinning_input_is_explained(client: httpx.AsyncClient) -> None:
    await make_account("owner")
    await log_in(client, "owner")
    cases = [
        ({"title_fr": "", "title_es": ""}, "at least one language"),
        ({"phase": "party"}, "offered values"),
        ({"countries": "FRA"}, "two-letter"),
        ({"partners": ["ghost"]}, "Unknown organisation: ghost"),
        ({"slug": "a b"}, "2 to 30 letters"),
        ({"title_fr": "x" * 151}, "At most 150 characters"),
    ]
    for changes, message in cases:
        r = await post_form(client, "/twinnings/new", "/twinnings/new", {**TWINNING, **changes})
        assert r.status_code == 400, changes
        assert message in r.text, changes
    assert not await Twinning.exists()


async def test_join_on_approval_then_roles_and_leave(client: httpx.AsyncClient) -> None:
    t = await _twinning_with_owner(client)
    await make_account("jorge")
    jorge = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with jorge:
        await log_in(jorge, "jorge")
        assert (
            await post_form(jorge, "/t/brest_lapaz", "/t/brest_lapaz/join", {})
        ).status_code == 303
        assert (await Membership.get(twinning=t, account__username="jorge")).state == "pending"
        members = await jorge.get("/t/brest_lapaz/members")  # a count, no names yet
        assert members.status_code == 200 and "/u/owner" not in members.text
        r = await post_form(
            jorge,
            "/t/brest_lapaz",
            "/t/brest_lapaz/members",
            {"action": "approve", "username": "jorge"},
        )
        assert r.status_code == 403
        members_page = await client.get("/t/brest_lapaz/members")
        assert "jorge" in members_page.text
        await post_form(
            client,
            "/t/brest_lapaz/members",
            "/t/brest_lapaz/members",
            {"action": "approve", "username": "jorge"},
        )
        assert (await Membership.get(twinning=t, account__username="jorge")).state == "accepted"
        await post_form(
            client,
            "/t/brest_lapaz/members",
            "/t/brest_lapaz/members",
            {"action": "role", "username": "jorge", "role": "moderator"},
        )
        assert (await Membership.get(twinning=t, account__username="jorge")).role == "moderator"
        assert (
            await post_form(jorge, "/t/brest_lapaz", "/t/brest_lapaz/leave", {})
        ).status_code == 303
    assert not await Membership.filter(twinning=t, account__username="jorge").exists()
    last_admin = await post_form(client, "/t/brest_lapaz", "/t/brest_lapaz/leave", {})
    assert last_admin.status_code == 409 and "last admin" in last_admin.text


async def test_refused_request_leaves_no_membership(client: httpx.AsyncClient) -> None:
    t = await _twinning_with_owner(client)
    jorge = await make_account("jorge")
    from models.memberships import request_to_join

    await request_to_join(jorge, t)
    await post_form(
        client,
        "/t/brest_lapaz/members",
        "/t/brest_lapaz/members",
        {"action": "refuse", "username": "jorge"},
    )
    assert not await Membership.filter(twinning=t, account=jorge).exists()


async def test_invitation_only_twinning(client: httpx.AsyncClient) -> None:
    t = await _twinning_with_owner(client, join_policy="invitation")
    await make_account("ana")
    ana = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with ana:
        await log_in(ana, "ana")
        r = await post_form(ana, "/t/brest_lapaz", "/t/brest_lapaz/join", {})
        assert r.status_code == 403 and "invitation" in r.text
        await post_form(
            client,
            "/t/brest_lapaz/members",
            "/t/brest_lapaz/members",
            {"action": "invite", "username": "ana"},
        )
        m = await Membership.get(twinning=t, account__username="ana")
        assert m.state == "invited"
        page = await ana.get("/t/brest_lapaz")
        assert "Accept the invitation" in page.text
        await post_form(ana, "/t/brest_lapaz", "/t/brest_lapaz/join", {})
    assert (await Membership.get(twinning=t, account__username="ana")).state == "accepted"


async def test_updates_post_edit_delete(client: httpx.AsyncClient) -> None:
    await _twinning_with_owner(client)
    r = await post_form(
        client,
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {
            "content_fr": "Bonjour **La Paz** <script>alert(1)</script>",
            "content_es": "Hola Brest",
            "visibility": "public",
            "title_fr": "Nouvelles",
        },
    )
    assert r.status_code == 303
    item = await ContentItem.get()
    page = await client.get(r.headers["location"], headers={"Accept-Language": "es"})
    assert "Hola Brest" in page.text and "<strong>La Paz</strong>" in page.text
    assert "<script>alert" not in page.text
    edit_url = f"/t/brest_lapaz/updates/{item.id}/edit"
    r = await post_form(client, edit_url, edit_url, {"content_fr": "", "content_es": ""})
    assert r.status_code == 400 and "at least one language" in r.text
    r = await post_form(client, edit_url, edit_url, {"content_en": "Hello", "visibility": "x"})
    assert r.status_code == 303
    assert (await ContentItem.get(id=item.id)).content_map == {"en": "Hello"}
    r = await post_form(client, edit_url, f"/t/brest_lapaz/updates/{item.id}/delete", {})
    assert r.status_code == 303
    assert not await ContentItem.exists()


async def test_non_members_cannot_post_or_edit(client: httpx.AsyncClient) -> None:
    await _twinning_with_owner(client)
    await post_form(
        client,
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {"content_en": "Hello", "visibility": "public"},
    )
    item = await ContentItem.get()
    await make_account("stranger")
    other = httpx.AsyncClient(transport=client._transport, base_url=client.base_url)
    async with other:
        await log_in(other, "stranger")
        token_page = "/t/brest_lapaz"
        r = await post_form(
            other,
            token_page,
            "/t/brest_lapaz/updates",
            {"content_en": "Spam", "visibility": "public"},
        )
        assert r.status_code == 403
        r = await post_form(other, token_page, f"/t/brest_lapaz/updates/{item.id}/delete", {})
        assert r.status_code == 403
        assert (await other.get(f"/t/brest_lapaz/updates/{item.id}/edit")).status_code == 404
    assert await ContentItem.all().count() == 1


async def test_unknown_paths_and_ids_are_404(client: httpx.AsyncClient) -> None:
    for path in (
        "/nope",
        "/t/ghost",
        "/o/ghost",
        "/u/ghost",
        "/t/ghost/updates/1",
        "/t/ghost/updates/abc",
    ):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert "Page not found" in r.text


async def test_oversized_body_is_413_before_parsing(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/login",
        content=b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413


async def test_bad_page_number_is_400(client: httpx.AsyncClient) -> None:
    assert (await client.get("/directory?page=-1")).status_code == 400
    assert (await client.get("/directory?page=abc")).status_code == 400


async def test_bad_member_forms_re_render_with_the_reason(client: httpx.AsyncClient) -> None:
    await _twinning_with_owner(client)
    r = await post_form(
        client,
        "/t/brest_lapaz/members",
        "/t/brest_lapaz/members",
        {"action": "invite", "username": "ghost"},
    )
    assert r.status_code == 400 and "No active account has this name" in r.text
    assert 'id="invite-username"' in r.text
    await post_form(client, "/organisations/new", "/organisations/new", ORG)
    r = await post_form(client, "/o/brest_num", "/o/brest_num/members", {"username": "ghost"})
    assert r.status_code == 400 and "No active account has this name" in r.text
    assert 'id="add-username"' in r.text
