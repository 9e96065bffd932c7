"""Atom feeds: valid XML, public updates only, in the reader's language, escaped."""

from __future__ import annotations

from xml.etree import ElementTree

import httpx

from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import log_in, make_account

ATOM = "{http://www.w3.org/2005/Atom}"


async def test_feeds_hold_public_updates_only(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(
        maelle, "brest", TwinningInput(title={"fr": "Brest – La Paz", "es": "Brest – La Paz"})
    )
    await post_update(
        maelle,
        twinning,
        "public",
        {"fr": "Atelier <b>ouvert</b> & gratuit", "es": "Taller abierto"},
    )
    await post_update(maelle, twinning, "partners", {"fr": "Budget secret des partenaires"})
    await log_in(client, "maelle")  # even a member's reader gets the public feed
    for path in ("/feed.atom", "/t/brest/feed.atom"):
        answer = await client.get(path, headers={"Accept-Language": "es"})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/atom+xml")
        feed = ElementTree.fromstring(answer.content)
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["Taller abierto"]
        assert "secret" not in answer.text
    french = await client.get("/t/brest/feed.atom", headers={"Accept-Language": "fr"})
    content = ElementTree.fromstring(french.content).find(f"{ATOM}entry/{ATOM}content")
    assert content is not None and content.text is not None
    assert "&amp;" in content.text and "<b>" not in content.text  # Markdown without raw HTML
    assert (await client.get("/t/nowhere/feed.atom")).status_code == 404
    page = await client.get("/t/brest")
    assert 'href="/t/brest/feed.atom"' in page.text
