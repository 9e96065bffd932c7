"""Evaluations at each phase's end: a member answers for her partner organisation in her own
language; the answers are the members' until a moderator publishes them; published proposals
join the white paper's appendix (page and EPUB); nobody answers for an organisation that is
not theirs, nor for a phase the twinning has not been in."""

from __future__ import annotations

import io

import httpx
import pytest
from ebooklib import ITEM_DOCUMENT, epub

from models.accounts import Account
from models.evaluations import Evaluation
from models.memberships import decide_request, request_to_join
from models.organisations import Organisation, OrganisationInput, create_organisation
from models.twinnings import Twinning, TwinningInput, advance_phase, create_twinning
from tests.conftest import csrf_of, log_in, make_account

WORKED = "Les ateliers du samedi ont réuni 40 habitants."
PROPOSAL = "Ouvrir un budget participatif numérique dans chaque quartier."
SPANISH = "Faltó conexión estable en la sede de El Alto."


@pytest.fixture
async def twinning() -> Twinning:
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    await make_account("nadia")  # a member of the twinning, of no partner organisation
    await make_account("visitor")
    await create_organisation(
        maelle,
        "brest_num",
        OrganisationInput("Brest Numérique", "FR", "Brest", "", ["fr"], ["governance"], {}),
    )
    await create_organisation(
        jorge,
        "alto_red",
        OrganisationInput("Red El Alto", "BO", "El Alto", "", ["es"], ["governance"], {}),
    )
    twinning = await create_twinning(
        maelle,
        "brest",
        TwinningInput(title={"fr": "Brest – La Paz"}, partner_slugs=["brest_num", "alto_red"]),
    )
    for name in ("jorge", "nadia"):
        await request_to_join(await Account.get(username=name), twinning)
        await decide_request(maelle, twinning, name, accept=True)
    await advance_phase(maelle, twinning)  # identification → agreement
    return await Twinning.get(id=twinning.id)


async def _answer(client: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    page = await client.get("/t/brest/evaluations")
    return await client.post(
        "/t/brest/evaluations", data={"csrf_token": csrf_of(page.text), **data}
    )


async def _org_id(slug: str) -> str:
    return str((await Organisation.get(slug=slug)).id)


async def test_answers_stay_with_members_until_published_then_join_the_white_paper(
    client: httpx.AsyncClient,
    app,
    twinning: Twinning,  # type: ignore[no-untyped-def]
) -> None:
    await log_in(client, "jorge")
    saved = await _answer(
        client,
        {
            "organisation": await _org_id("alto_red"),
            "phase": "identification",
            "language": "es",
            "missing": SPANISH,
            "proposals": "Una red de puntos de acceso.",
        },
    )
    assert saved.status_code == 303, saved.text
    await log_in(client, "maelle")
    saved = await _answer(
        client,
        {
            "organisation": await _org_id("brest_num"),
            "phase": "identification",
            "language": "fr",
            "worked": WORKED,
            "proposals": PROPOSAL,
        },
    )
    assert saved.status_code == 303
    members_view = (await client.get("/t/brest/evaluations")).text
    assert WORKED in members_view and SPANISH in members_view
    assert '<dd lang="es">' in members_view and "Partners only" in members_view

    transport = httpx.ASGITransport(app=app, client=("127.0.0.2", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=client.base_url) as anon:
        assert WORKED not in (await anon.get("/t/brest/evaluations")).text
        assert PROPOSAL not in (await anon.get("/t/brest/white-paper")).text
        await log_in(anon, "visitor")
        assert SPANISH not in (await anon.get("/t/brest/evaluations")).text

        mine = await Evaluation.get(organisation__slug="brest_num")
        page = await client.get("/t/brest/evaluations")
        published = await client.post(
            f"/t/brest/evaluations/{mine.id}/publish",
            data={"csrf_token": csrf_of(page.text), "publish": "1"},
        )
        assert published.status_code == 303
        refused = await anon.post(
            f"/t/brest/evaluations/{mine.id}/publish",
            data={"csrf_token": csrf_of((await anon.get("/t/brest/evaluations")).text)},
        )
        assert refused.status_code == 403
        public = (await anon.get("/t/brest/evaluations")).text
        assert WORKED in public and SPANISH not in public  # the other one is not published
        paper = (await anon.get("/t/brest/white-paper")).text
        assert "Appendix: evaluations of Brest – La Paz" in paper and PROPOSAL in paper
        assert "Una red de puntos" not in paper
        book_bytes = (await anon.get("/t/brest/white-paper.epub")).content
        assert PROPOSAL in (await anon.get("/white-paper")).text  # the instance's paper too
    book = epub.read_epub(io.BytesIO(book_bytes))
    texts = [i.get_content().decode() for i in book.get_items_of_type(ITEM_DOCUMENT)]
    assert any(PROPOSAL in t and "Brest Numérique" in t for t in texts)
    assert not any("Una red de puntos" in t for t in texts)


async def test_answering_again_edits_the_organisations_evaluation(
    client: httpx.AsyncClient, twinning: Twinning
) -> None:
    await log_in(client, "maelle")
    org = await _org_id("brest_num")
    for text in ("Premier jet", "Version relue"):
        answer = await _answer(
            client, {"organisation": org, "phase": "agreement", "language": "fr", "worked": text}
        )
        assert answer.status_code == 303
    assert [e.answers["worked"] for e in await Evaluation.all()] == ["Version relue"]


@pytest.mark.parametrize(
    ("who", "data", "status", "reason"),
    [
        ("nadia", {"organisation": "brest_num", "phase": "agreement"}, 403, "partner organisation"),
        ("jorge", {"organisation": "brest_num", "phase": "agreement"}, 403, "partner organisation"),
        ("maelle", {"organisation": "brest_num", "phase": "sharing"}, 400, "not been in"),
        ("maelle", {"organisation": "brest_num", "phase": "agreement", "worked": ""}, 400, "least"),
        ("maelle", {"organisation": "x", "phase": "agreement"}, 403, "partner organisation"),
        ("maelle", {"organisation": "brest_num", "phase": "agreement", "language": "de"}, 400, ""),
    ],
)
async def test_refusals_say_why(
    client: httpx.AsyncClient,
    twinning: Twinning,
    who: str,
    data: dict[str, str],
    status: int,
    reason: str,
) -> None:
    await log_in(client, who)
    values = {"language": "fr", "worked": "Quelque chose", **data}
    if values["organisation"] != "x":
        values["organisation"] = await _org_id(values["organisation"])
    answer = await _answer(client, values)
    assert answer.status_code == status
    assert reason in answer.text
    assert not await Evaluation.exists()
