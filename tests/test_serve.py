"""``jumelage serve`` as a real process: answers the home page in French, English or Spanish by
Accept-Language, and unknown paths with 404."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.databases import fresh_database
from tests.servers import running_server


async def test_serve_speaks_the_visitors_language(tmp_path: Path) -> None:
    url = await fresh_database(tmp_path, "serve")
    with running_server(tmp_path, url) as base:
        async with httpx.AsyncClient(base_url=base) as c:
            expected = {
                "fr-FR,fr;q=0.9": ("fr", "Annuaire"),
                "es-MX": ("es", "Directorio"),
                "en-GB": ("en", "Directory"),
                "de-DE": ("en", "Directory"),
            }
            for header, (lang, word) in expected.items():
                r = await c.get("/", headers={"Accept-Language": header})
                assert r.status_code == 200
                assert f'<html lang="{lang}">' in r.text and word in r.text
            missing = await c.get("/no/such/page", headers={"Accept-Language": "es"})
            assert missing.status_code == 404 and "Página no encontrada" in missing.text
            assert (await c.get("/static/css/jumelage.css")).status_code == 200
