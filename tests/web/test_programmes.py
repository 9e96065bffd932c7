"""Programmes on the web: who may create one (an instance admin, an organisation's admin, no
one else, with the reason), adding a twinning of this server, and the page and CSV figures:
the twinning's phase, its items, and its partner-only items counted for its members only."""

from __future__ import annotations

import csv
import io
import json

import httpx

from federation.context import Federation
from federation.fanout import fan_out
from models.accounts import Account
from models.follows import Follow
from models.organisations import OrganisationInput, create_organisation
from models.posting import post_update
from models.programmes import (
    Programme,
    ProgrammeInput,
    ProgrammeTwinning,
    add_local_twinning,
    create_programme,
)
from models.queues import Delivery
from models.remote import RemoteActor, now
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form

TITLE = {"title_fr": "Programme Ríos", "title_en": "Rivers programme", "title_es": "Programa Ríos"}


async def _twinning(owner: Account, slug: str = "rios") -> Twinning:
    twinning = await create_twinning(
        owner, slug, TwinningInput(title={"fr": "Rivières partagées"}, phase="agreement")
    )
    await post_update(owner, twinning, "public", {"fr": "Nettoyage de la rive, samedi"})
    await post_update(owner, twinning, "partners", {"fr": "Budget interne du projet"})
    return twinning


async def _programme(creator: Account) -> Programme:
    data = ProgrammeInput(title={"fr": "Programme Ríos"}, languages=["fr", "es"])
    return await create_programme(creator, "prog_rios", data, None)


def _org() -> OrganisationInput:
    return OrganisationInput("Ker Breizh", "FR", "Brest", "", ["fr"], ["governance"], {})


def _form(slug: str, **more: str) -> dict[str, str]:
    return {
        "slug": slug,
        **TITLE,
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "languages": "fr",
        **more,
    }


async def test_an_instance_admin_creates_a_programme(client: httpx.AsyncClient) -> None:
    await make_account("admin", role="admin")
    await log_in(client, "admin")
    response = await post_form(client, "/programmes/new", "/programmes/new", _form("prog_a"))
    assert response.status_code == 303
    assert response.headers["location"] == "/p/prog_a"
    programme = await Programme.get(slug="prog_a")
    assert programme.title_map["es"] == "Programa Ríos"
    assert programme.organisation_id is None
    listed = await client.get("/programmes")
    assert "/p/prog_a" in listed.text and "Rivers programme" in (await client.get("/p/prog_a")).text


async def test_an_organisation_admin_creates_one_for_their_organisation(
    client: httpx.AsyncClient,
) -> None:
    nadia = await make_account("nadia")
    await create_organisation(nadia, "ker_breizh", _org())
    await log_in(client, "nadia")
    form = _form("prog_k", organisation="ker_breizh")
    response = await post_form(client, "/programmes/new", "/programmes/new", form)
    assert response.status_code == 303
    programme = await Programme.get(slug="prog_k").prefetch_related("organisation")
    assert programme.organisation.slug == "ker_breizh"  # type: ignore[union-attr]
    page = await client.get("/p/prog_k")
    assert "Ker Breizh" in page.text


async def test_someone_else_is_refused_with_a_reason_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    nadia = await make_account("nadia")
    await create_organisation(nadia, "ker_breizh", _org())
    await make_account("omar")
    await log_in(client, "omar")
    for organisation, reason in (("", "instance"), ("ker_breizh", "organisation")):
        form = _form("prog_o", organisation=organisation)
        response = await post_form(client, "/programmes/new", "/programmes/new", form)
        assert response.status_code == 403
        assert reason in response.text
    assert not await Programme.filter(slug="prog_o").exists()
    assert "/programmes/new" not in (await client.get("/programmes")).text


async def test_odd_input_is_refused_with_reasons(client: httpx.AsyncClient) -> None:
    await make_account("admin", role="admin")
    await make_account("taken")
    await log_in(client, "admin")
    cases = [
        (_form("x"), 400, "2 to 30"),
        (_form("taken"), 409, "taken"),
        (_form("prog_d", starts_on="2027-01-01", ends_on="2026-01-01"), 400, "before"),
        (_form("prog_d", starts_on="soon"), 400, "YYYY-MM-DD"),
        (_form("prog_d", languages="klingon"), 400, "languages"),
        ({"slug": "prog_d", "title_fr": ""}, 400, "at least one language"),
        (_form("prog_d", organisation="nowhere"), 400, "Unknown organisation"),
    ]
    for form, status, words in cases:
        response = await post_form(client, "/programmes/new", "/programmes/new", form)
        assert response.status_code == status, form
        assert words in response.text, form
    assert not await Programme.filter(slug__in=["x", "taken", "prog_d"]).exists()


async def test_adding_a_twinning_of_this_server(client: httpx.AsyncClient) -> None:
    admin = await make_account("admin", role="admin")
    await _twinning(admin)
    await _programme(admin)
    await log_in(client, "admin")
    page = "/p/prog_rios"
    response = await post_form(client, page, f"{page}/twinnings", {"handle": "rios"})
    assert response.status_code == 303
    assert await ProgrammeTwinning.filter(twinning__slug="rios").count() == 1
    again = await post_form(client, page, f"{page}/twinnings", {"handle": "rios"})
    assert again.status_code == 409 and "already" in again.text.lower()
    unknown = await post_form(client, page, f"{page}/twinnings", {"handle": "nowhere"})
    assert unknown.status_code == 400 and "no twinning" in unknown.text.lower()
    assert await ProgrammeTwinning.all().count() == 1


async def test_only_managers_add_twinnings(client: httpx.AsyncClient) -> None:
    admin = await make_account("admin", role="admin")
    await _twinning(admin)
    await _programme(admin)
    await make_account("omar")
    await log_in(client, "omar")
    response = await post_form(client, "/p/prog_rios", "/p/prog_rios/twinnings", {"handle": "rios"})
    assert response.status_code == 403
    assert "managers" in response.text
    assert not await ProgrammeTwinning.exists()


async def _programme_with_twinning() -> None:
    admin = await make_account("admin", role="admin")
    twinning = await _twinning(admin)
    programme = await _programme(admin)
    await ProgrammeTwinning.create(programme=programme, twinning=twinning)
    member = await make_account("mia")
    await Membership.create(twinning=twinning, account=member, state="accepted")
    await make_account("omar")


def _items_cell(html: str) -> str:
    return html.split('data-items="', 1)[1].split('"', 1)[0]


async def test_the_page_shows_the_phase_and_counts_partner_only_items_for_members_only(
    client: httpx.AsyncClient,
) -> None:
    await _programme_with_twinning()
    anonymous = await client.get("/p/prog_rios")
    assert anonymous.status_code == 200
    assert 'data-phase="agreement"' in anonymous.text
    assert _items_cell(anonymous.text) == "1"
    assert "Nettoyage de la rive" in anonymous.text
    assert "Budget interne" not in anonymous.text
    await log_in(client, "omar")
    assert _items_cell((await client.get("/p/prog_rios")).text) == "1"
    await client.post("/logout", data={})
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as mia:
        await log_in(mia, "mia")
        page = (await mia.get("/p/prog_rios")).text
        assert _items_cell(page) == "2"
        assert "Budget interne" in page


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_the_csv_holds_the_same_figures_by_the_same_rule(client: httpx.AsyncClient) -> None:
    await _programme_with_twinning()
    public = await client.get("/p/prog_rios/report.csv")
    assert public.status_code == 200
    assert public.headers["content-type"].startswith("text/csv")
    rows = _csv(public.text)
    phase = [r for r in rows if r["section"] == "twinnings" and r["measure"] == "phase"]
    assert phase == [{**phase[0], "name": "rios", "value": "agreement"}]
    items = next(r for r in rows if r["section"] == "twinnings" and r["measure"] == "items")
    assert items["value"] == "1"
    updates = sum(
        int(r["value"]) for r in rows if r["section"] == "activity" and r["measure"] == "update"
    )
    assert updates == 1
    await log_in(client, "mia")
    member_rows = _csv((await client.get("/p/prog_rios/report.csv")).text)
    items = next(r for r in member_rows if r["section"] == "twinnings" and r["measure"] == "items")
    assert items["value"] == "2"


async def test_a_programme_answers_webfinger_and_serves_its_actor(
    client: httpx.AsyncClient,
) -> None:
    await _programme_with_twinning()
    finger = await client.get(
        "/.well-known/webfinger", params={"resource": "acct:prog_rios@testserver.localhost"}
    )
    assert finger.status_code == 200, finger.text
    href = finger.json()["links"][0]["href"]
    assert href.endswith("/p/prog_rios")
    actor = await client.get("/p/prog_rios", headers={"Accept": "application/activity+json"})
    document = actor.json()
    assert document["type"] == "Group"
    assert {"type": "PropertyValue", "name": "Programme"}.items() <= document["attachment"][
        0
    ].items()
    featured = await client.get("/p/prog_rios/featured")
    assert featured.json()["orderedItems"] == [href.replace("/p/prog_rios", "/t/rios")]
    outbox = (await client.get("/p/prog_rios/outbox")).json()
    assert outbox["orderedItems"][0]["type"] == "Add"
    missing = await client.get("/p/nowhere", headers={"Accept": "application/activity+json"})
    assert missing.status_code == 404


def test_what_a_remote_twinning_publishes_is_read_safely() -> None:
    """The phase from the ``Phase`` field; a programme's document is no twinning; an item
    whose address is not http(s) is not kept (it would become a link)."""
    from federation.programmes import _item_of, _phase_of

    field = {"type": "PropertyValue", "name": "Phase", "value": "Implementation"}
    assert _phase_of({"attachment": [field]}) == ("implementation", False)
    marker = {"type": "PropertyValue", "name": "Programme", "value": "2026"}
    assert _phase_of({"attachment": [marker, "odd"]}) == ("", True)
    assert _phase_of({"attachment": "odd"}) == ("", False)
    bad = {"object": {"content": "<p>hi</p>", "url": "javascript:alert(1)"}}
    assert _item_of(bad) is None
    good = {"object": {"name": "News", "id": "https://b.example/t/x/updates/1"}}
    assert _item_of(good) == {
        "text": "News",
        "url": "https://b.example/t/x/updates/1",
        "published": "",
    }


async def test_followers_hear_of_a_twinning_joining_through_the_delivery_queue(
    fed: Federation,
) -> None:
    admin = await make_account("admin", role="admin")
    await _twinning(admin)
    programme = await _programme(admin)
    follower = await RemoteActor.create(
        uri="https://far.example/users/lia",
        actor_type="Person",
        handle="lia",
        domain="far.example",
        inbox="https://far.example/users/lia/inbox",
        shared_inbox="https://far.example/inbox",
        fetched_at=now(),
    )
    await Follow.create(follower=follower, target_type="programme", target_id=programme.id)
    await add_local_twinning(admin, programme, "rios")
    assert await fan_out(fed) >= 1
    delivery = await Delivery.get(inbox_url="https://far.example/inbox")
    activity = json.loads(delivery.payload)
    assert activity["type"] == "Add"
    assert activity["actor"].endswith("/p/prog_rios")
    assert activity["object"].endswith("/t/rios")
    assert (delivery.signer_type, delivery.signer_id) == ("programme", programme.id)
