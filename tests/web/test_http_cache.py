"""The shared cache (server.http_cache): what every visitor sees alike carries an ETag and
``Cache-Control: public`` and answers 304 to a matching ``If-None-Match``; an edit, a deletion
or a new update is seen on the next request; whatever belongs to one visitor (a signed-in
page, a partner-only or signed object fetch) stays ``private, no-store`` and is never kept."""

from __future__ import annotations

import asyncio
import time

import httpx
from starlette.types import Receive, Scope, Send
from tortoise import Tortoise
from tortoise.connection import get_connection

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.posting import delete_update, edit_update, post_update
from models.public_changes import UNSEEN_TABLES
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning, edit_twinning
from server.http_cache import Entry, SharedCache, Store
from tests.conftest import log_in, make_account
from tests.databases import is_postgres

ACTIVITY = {"Accept": "application/activity+json"}


async def _twinning() -> tuple[Account, Twinning]:
    author = await make_account("author")
    twinning = await create_twinning(author, "water_t", TwinningInput(title={"fr": "Eau"}))
    return author, twinning


async def _update(author: Account, twinning: Twinning, text: str, visibility: str = "public"):  # type: ignore[no-untyped-def]
    return await post_update(author, twinning, visibility, {"fr": text})


async def test_public_update_object_is_public_with_an_etag_and_answers_304(
    client: httpx.AsyncClient,
) -> None:
    author, twinning = await _twinning()
    item = await _update(author, twinning, "Puits creusé")
    url = f"/t/water_t/updates/{item.id}"
    first = await client.get(url, headers=ACTIVITY)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=180"
    assert first.headers["vary"].startswith("Accept")
    etag = first.headers["etag"]
    again = await client.get(url, headers={**ACTIVITY, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


async def test_actor_documents_are_public_and_revalidate(client: httpx.AsyncClient) -> None:
    await _twinning()
    for url in ("/t/water_t", "/u/author", "/actor"):
        first = await client.get(url, headers=ACTIVITY)
        assert first.status_code == 200, url
        assert first.headers["cache-control"].startswith("public"), url
        assert first.headers["content-type"].startswith("application/activity+json")
        etag = first.headers["etag"]
        again = await client.get(url, headers={**ACTIVITY, "If-None-Match": f'W/{etag}, "x"'})
        assert again.status_code == 304, url


async def test_anonymous_home_shows_a_new_update_at_once(client: httpx.AsyncClient) -> None:
    author, twinning = await _twinning()
    await _update(author, twinning, "Première nouvelle")
    first = await client.get("/")
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["vary"] == "Accept, Accept-Language, Cookie"  # Cookie: the session's
    assert "set-cookie" not in first.headers
    await _update(author, twinning, "Deuxième nouvelle")
    second = await client.get("/", headers={"If-None-Match": first.headers["etag"]})
    assert second.status_code == 200
    assert "Deuxième nouvelle" in second.text
    assert second.headers["etag"] != first.headers["etag"]


async def test_edit_and_deletion_reach_the_cached_update_page_and_object(
    client: httpx.AsyncClient,
) -> None:
    author, twinning = await _twinning()
    item = await _update(author, twinning, "Texte d'origine")
    url = f"/t/water_t/updates/{item.id}"
    assert "Texte d'origine" in (await client.get(url)).text
    assert "Texte d'origine" in (await client.get(url, headers=ACTIVITY)).text
    await edit_update(author, item, {"fr": "Texte corrigé"}, {})
    assert "Texte corrigé" in (await client.get(url)).text
    assert "Texte corrigé" in (await client.get(url, headers=ACTIVITY)).text
    await delete_update(author, await ContentItem.get(id=item.id))
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=ACTIVITY)).status_code == 404


async def test_twinning_edit_reaches_its_cached_page_and_actor(client: httpx.AsyncClient) -> None:
    author, twinning = await _twinning()
    assert "Eau" in (await client.get("/t/water_t")).text
    assert "Eau" in (await client.get("/t/water_t", headers=ACTIVITY)).text
    await edit_twinning(author, twinning, TwinningInput(title={"fr": "Eau potable"}))
    assert "Eau potable" in (await client.get("/t/water_t")).text
    assert "Eau potable" in (await client.get("/t/water_t", headers=ACTIVITY)).text


async def test_each_language_has_its_own_page(client: httpx.AsyncClient) -> None:
    await _twinning()
    french = await client.get("/", headers={"Accept-Language": "fr"})
    spanish = await client.get("/", headers={"Accept-Language": "es"})
    assert 'lang="fr"' in french.text and 'lang="es"' in spanish.text
    assert french.headers["etag"] != spanish.headers["etag"]


async def test_partner_only_object_is_private_and_never_kept(client: httpx.AsyncClient) -> None:
    author, twinning = await _twinning()
    item = await _update(author, twinning, "Budget interne", visibility="partners")
    url = f"/t/water_t/updates/{item.id}"
    for _ in range(2):
        response = await client.get(url, headers=ACTIVITY)
        assert response.status_code == 404
        assert response.headers["cache-control"] == "private, no-store"
        assert "etag" not in response.headers


async def test_signed_object_fetch_is_not_answered_from_the_cache(
    client: httpx.AsyncClient,
) -> None:
    """A signature makes the route judge the signer; its answer is the signer's own."""
    author, twinning = await _twinning()
    item = await _update(author, twinning, "Puits creusé")
    url = f"/t/water_t/updates/{item.id}"
    shared = await client.get(url, headers=ACTIVITY)
    signed = {**ACTIVITY, "Signature": 'keyId="https://elsewhere.example/k",signature="x"'}
    response = await client.get(url, headers={**signed, "If-None-Match": shared.headers["etag"]})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    assert "etag" not in response.headers


async def test_signed_in_pages_are_private_and_not_the_visitors_page(
    client: httpx.AsyncClient,
) -> None:
    author, twinning = await _twinning()
    member = await make_account("member")
    await Membership.create(twinning=twinning, account=member, state="accepted")
    secret = await _update(author, twinning, "Réservé aux partenaires", visibility="partners")
    url = f"/t/water_t/updates/{secret.id}"
    visitor = await client.get("/t/water_t")
    assert "Réservé aux partenaires" not in visitor.text
    await log_in(client, "member")
    for page in ("/", "/t/water_t", url):
        response = await client.get(page, headers={"If-None-Match": visitor.headers["etag"]})
        assert response.status_code == 200, page
        assert response.headers["cache-control"] == "private, no-store", page
        assert "etag" not in response.headers
    assert "Réservé aux partenaires" in (await client.get("/t/water_t")).text


async def test_a_visitor_with_a_session_gets_no_public_answer(client: httpx.AsyncClient) -> None:
    """The session middleware sets a cookie on this answer: no proxy may keep it."""
    await _twinning()
    await client.get("/login")  # a form: the session now holds a token
    response = await client.get("/t/water_t")
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["etag"]


async def _triggered_tables() -> set[str]:
    conn = get_connection("default")
    if is_postgres():
        sql = "SELECT DISTINCT event_object_table AS t FROM information_schema.triggers"
    else:
        sql = "SELECT DISTINCT tbl_name AS t FROM sqlite_master WHERE type = 'trigger'"
    return {row["t"] for row in await conn.execute_query_dict(sql)}


async def test_every_table_raises_the_generation_or_is_declared_unseen() -> None:
    tables = {m._meta.db_table for m in Tortoise.apps["models"].values()}
    watched = await _triggered_tables()
    assert sorted(tables - watched - UNSEEN_TABLES) == []
    assert not watched & UNSEEN_TABLES


def test_the_store_keeps_within_its_bytes_the_most_recently_used() -> None:
    store = Store(size=10, max_bytes=250)
    for n in range(4):
        store.put(("page", f"/{n}", "", "fr"), Entry(1, time.monotonic(), [], b"x" * 100, b'"e"'))
    assert store.bytes == 200
    assert [key[1] for key in store.entries] == ["/2", "/3"]
    assert store.get(("page", "/3", "", "fr"), 2) is None  # another generation
    assert store.bytes == 100


async def test_a_stampede_on_a_new_document_renders_it_once(settings: Settings) -> None:
    """Servers fetch a new update all at once: one request renders, the others wait for it."""
    count = 12
    calls = []
    all_in = asyncio.Event()

    class Counted(SharedCache):
        arrived = 0

        async def _kept(
            self, key: tuple[str, str, str, str], generation: int | None
        ) -> Entry | None:
            self.arrived += 1
            if self.arrived == count:
                all_in.set()
            return await super()._kept(key, generation)

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        calls.append(scope["path"])
        await all_in.wait()  # every other request is in the cache by now
        headers = [(b"content-type", b"application/activity+json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"type": "Group"}'})

    transport = httpx.ASGITransport(app=Counted(route))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        answers = await asyncio.gather(*(c.get("/t/new_t", headers=ACTIVITY) for _ in range(count)))
    assert calls == ["/t/new_t"]
    assert {a.status_code for a in answers} == {200}
    assert len({a.headers["etag"] for a in answers}) == 1
