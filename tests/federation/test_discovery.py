"""WebFinger, host-meta, NodeInfo and actor documents served by content negotiation."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from models.accounts import Account
from models.organisations import OrganisationInput, create_organisation
from models.posting import post_update
from models.twinnings import Membership, TwinningInput, create_twinning
from tests.conftest import make_account

BASE = "http://testserver.localhost"
AP = {"Accept": "application/activity+json"}


async def _world() -> None:
    maelle = await make_account("maelle", display_name="Maëlle")
    jorge = await make_account("jorge")
    await create_organisation(
        maelle,
        "brest_num",
        OrganisationInput(
            "Brest Numérique", "FR", "Brest", "", ["fr"], ["governance"], {"fr": "Asso"}
        ),
    )
    t = await create_twinning(
        maelle,
        "brest_lapaz",
        TwinningInput(
            title={"fr": "Brest – La Paz", "es": "Brest – La Paz"},
            summary={"fr": "Budgets participatifs", "es": "Presupuestos participativos"},
            primary_language="fr",
        ),
    )
    await Membership.create(twinning=t, account=jorge, state="accepted", role="moderator")
    await post_update(maelle, t, "public", {"fr": "Bonjour"})
    await post_update(maelle, t, "partners", {"fr": "Secret"})


@pytest.mark.parametrize(
    ("resource", "href"),
    [
        ("acct:maelle@testserver.localhost", f"{BASE}/u/maelle"),
        ("acct:Brest_LaPaz@testserver.localhost", f"{BASE}/t/brest_lapaz"),
        ("acct:brest_num@testserver.localhost", f"{BASE}/o/brest_num"),
        ("acct:jumelage@testserver.localhost", f"{BASE}/actor"),
        (f"{BASE}/t/brest_lapaz", f"{BASE}/t/brest_lapaz"),
    ],
)
async def test_webfinger_finds_every_kind_of_actor(
    client: httpx.AsyncClient, resource: str, href: str
) -> None:
    await _world()
    r = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/jrd+json")
    links = {link["rel"]: link["href"] for link in r.json()["links"]}
    assert links["self"] == href
    assert links["http://webfinger.net/rel/profile-page"] == href


@pytest.mark.parametrize(
    ("resource", "status"),
    [
        ("", 400),
        ("acct:ghost@testserver.localhost", 404),
        ("acct:maelle@other.example", 404),
        ("https://other.example/u/maelle", 404),
        ("acct:", 404),
    ],
)
async def test_webfinger_errors(client: httpx.AsyncClient, resource: str, status: int) -> None:
    await _world()
    r = await client.get("/.well-known/webfinger", params={"resource": resource})
    assert r.status_code == status and "error" in r.json()


async def test_suspended_people_are_not_found(client: httpx.AsyncClient) -> None:
    await _world()
    await Account.filter(username="jorge").update(state="suspended")
    r = await client.get(
        "/.well-known/webfinger", params={"resource": "acct:jorge@testserver.localhost"}
    )
    assert r.status_code == 404
    assert (await client.get("/u/jorge", headers=AP)).status_code == 404


async def test_twinning_is_a_group_with_members_and_moderators(client: httpx.AsyncClient) -> None:
    await _world()
    r = await client.get("/t/brest_lapaz", headers=AP)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/activity+json"
    assert "Accept" in r.headers["vary"]
    group = r.json()
    assert group["type"] == "Group" and group["id"] == f"{BASE}/t/brest_lapaz"
    assert group["preferredUsername"] == "brest_lapaz"
    assert group["members"] == f"{BASE}/t/brest_lapaz/members"
    assert set(group["attributedTo"]) == {f"{BASE}/u/maelle", f"{BASE}/u/jorge"}
    assert group["summaryMap"]["es"] == "Presupuestos participativos"
    assert group["summary"] == "Budgets participatifs"
    assert group["publicKey"]["owner"] == group["id"]
    assert group["publicKey"]["id"] == f"{BASE}/t/brest_lapaz#main-key"
    load_pem_public_key(group["publicKey"]["publicKeyPem"].encode())
    icon = await client.get(group["icon"]["url"].removeprefix(BASE))
    assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")
    for key in (
        "inbox",
        "outbox",
        "followers",
        "following",
        "endpoints",
        "url",
        "manuallyApprovesFollowers",
        "discoverable",
        "postingRestrictedToMods",
    ):
        assert key in group


async def test_the_same_key_is_served_every_time(client: httpx.AsyncClient) -> None:
    await _world()
    first = (await client.get("/u/maelle", headers=AP)).json()
    second = (await client.get("/u/maelle", headers=AP)).json()
    assert first["type"] == "Person" and first["name"] == "Maëlle"
    assert first["publicKey"] == second["publicKey"]


async def test_ld_json_with_profile_gets_json_and_browsers_get_html(
    client: httpx.AsyncClient,
) -> None:
    await _world()
    ld = {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
    org = await client.get("/o/brest_num", headers=ld)
    assert org.json()["type"] == "Organization"
    html = await client.get("/o/brest_num", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")


async def test_instance_actor_and_host_meta(client: httpx.AsyncClient) -> None:
    actor = (await client.get("/actor", headers=AP)).json()
    assert actor["type"] == "Application" and actor["id"] == f"{BASE}/actor"
    meta = await client.get("/.well-known/host-meta")
    assert f"{BASE}/.well-known/webfinger?resource={{uri}}" in meta.text


async def test_nodeinfo_counts_only_public_posts(client: httpx.AsyncClient) -> None:
    await _world()
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    assert links[0]["href"] == f"{BASE}/nodeinfo/2.1"
    info = (await client.get("/nodeinfo/2.1")).json()
    assert info["software"]["name"] == "jumelage"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["users"]["total"] == 2
    assert info["usage"]["localPosts"] == 1


async def test_outbox_lists_public_updates_only(client: httpx.AsyncClient) -> None:
    await _world()
    outbox = (await client.get("/t/brest_lapaz/outbox", headers=AP)).json()
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 1
    page = (await client.get(outbox["first"].removeprefix(BASE), headers=AP)).json()
    assert page["type"] == "OrderedCollectionPage"
    [create] = page["orderedItems"]
    assert create["type"] == "Create" and "Bonjour" in create["object"]["content"]
    assert "Secret" not in str(page)
    person = (await client.get("/u/maelle/outbox?page=1", headers=AP)).json()
    assert len(person["orderedItems"]) == 1
    assert (await client.get("/u/maelle/outbox?page=x", headers=AP)).status_code == 400
    assert (await client.get("/u/ghost/outbox", headers=AP)).status_code == 404


async def test_followers_following_and_members_give_sizes(client: httpx.AsyncClient) -> None:
    await _world()
    members = (await client.get("/t/brest_lapaz/members", headers=AP)).json()
    assert members["totalItems"] == 2 and "orderedItems" not in members
    followers = (await client.get("/t/brest_lapaz/followers", headers=AP)).json()
    assert followers["totalItems"] == 0
    following = (await client.get("/o/brest_num/following", headers=AP)).json()
    assert following["type"] == "OrderedCollection"
    page = await client.get("/t/brest_lapaz/members")  # HTML: a visitor sees how many, not who
    assert page.status_code == 200 and "Maëlle" not in page.text and "@jorge" not in page.text
