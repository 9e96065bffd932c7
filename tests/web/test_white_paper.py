"""The white paper: proposals gathered with a title page, contents, authors and licence, as a
printable page and an EPUB that an e-book library reads back; partner-only proposals only for
members, and marked."""

from __future__ import annotations

from pathlib import Path

import httpx
from ebooklib import ITEM_DOCUMENT, epub

from models.organisations import OrganisationInput, create_organisation
from models.resources import ResourceInput, add_resource
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import log_in, make_account


async def test_white_paper_page_and_epub(
    client: httpx.AsyncClient,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    maelle = await make_account("maelle")
    await create_organisation(
        maelle,
        "brest_num",
        OrganisationInput("Brest Numérique", "FR", "Brest", "", ["fr"], ["governance"], {}),
    )
    twinning = await create_twinning(
        maelle,
        "brest",
        TwinningInput(
            title={"fr": "Brest – La Paz"}, partner_slugs=["brest_num"], licence="CC-BY-4.0"
        ),
    )
    for title, visibility, authors in (
        ("Ouvrir les données budgétaires", "public", "Maëlle, Jorge"),
        ("Former les élus", "public", ""),
        ("Financement confidentiel", "partners", "Comité"),
    ):
        await add_resource(
            maelle,
            twinning,
            ResourceInput(
                {"fr": title},
                {"fr": f"Nous proposons : **{title.lower()}**."},
                resource_kind="proposal",
                url="https://example.org/p",
                authors=authors,
                visibility=visibility,
            ),
            settings.data_dir,
        )
    anonymous = (await client.get("/t/brest/white-paper")).text
    assert "Livre blanc" not in anonymous  # English by default
    assert "White paper: Brest – La Paz" in anonymous and "Brest Numérique" in anonymous
    assert "CC-BY-4.0" in anonymous and "Maëlle, Jorge" in anonymous
    assert anonymous.index("Ouvrir les données") < anonymous.index("Former les élus")
    assert "Financement confidentiel" not in anonymous
    assert "<strong>ouvrir les données budgétaires</strong>" in anonymous
    await log_in(client, "maelle")
    member = (await client.get("/t/brest/white-paper")).text
    assert "Financement confidentiel" in member and "Partners only" in member
    answer = await client.get("/t/brest/white-paper.epub")
    assert answer.headers["content-type"] == "application/epub+zip"
    path = tmp_path / "paper.epub"
    path.write_bytes(answer.content)
    book = epub.read_epub(str(path))
    assert book.get_metadata("DC", "title")[0][0] == "White paper: Brest – La Paz"
    texts = [i.get_content().decode() for i in book.get_items_of_type(ITEM_DOCUMENT)]
    assert any("Financement confidentiel" in t for t in texts)
    everyone = (await client.get("/white-paper")).text
    assert "Ouvrir les données" in everyone
    assert (await client.get("/t/nowhere/white-paper")).status_code == 404
