"""The twinning method on the home page is the instance's own text, edited by its admins in
three languages; others cannot edit it; an empty text brings the built-in one back. Members
read it at /about, their home being their own."""

from __future__ import annotations

import httpx

from tests.conftest import log_in, make_account, post_form


async def test_admins_edit_the_method(client: httpx.AsyncClient) -> None:
    await make_account("root", role="admin")
    await make_account("maelle")
    assert "Identification" in (await client.get("/")).text
    await log_in(client, "maelle")
    assert (await client.get("/method/edit")).status_code == 404
    await log_in(client, "root")
    saved = await post_form(
        client,
        "/method/edit",
        "/method/edit",
        {
            "method_fr": "## Notre méthode\n\nCinq étapes **partagées**.",
            "method_es": "Nuestro método",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/about#method"
    # Signed in, "/" is one's own home; the instance's presentation stays at /about.
    french = (await client.get("/about", headers={"Accept-Language": "fr"})).text
    assert "<strong>partagées</strong>" in french and "Nuestro método" in french
    await post_form(client, "/method/edit", "/method/edit", {"method_fr": "", "method_es": ""})
    assert "Identification" in (await client.get("/about")).text
    too_long = await post_form(client, "/method/edit", "/method/edit", {"method_en": "x" * 20_001})
    assert too_long.status_code == 400
