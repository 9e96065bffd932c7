"""A twinning's phases as its moderators and partners live them: the About tab tells each
phase entered, when and by whom; a moderator moves the twinning on to the next phase (a
partner may not, and nothing follows the last); the group's document names its phase, and
each change is sent to the servers that follow it."""

from __future__ import annotations

import httpx

from federation.actors import twinning_document
from models.config import Settings
from models.happenings import Happening
from models.phases import PhaseChange
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form


async def _twinning() -> Twinning:
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    return twinning


async def test_a_moderator_moves_the_twinning_through_the_phases(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    twinning = await _twinning()
    await log_in(client, "maelle")
    about = (await client.get("/t/brest/about", headers={"Accept-Language": "fr"})).text
    assert "Les phases du projet" in about and "Passer à la phase suivante : Accord" in about
    moved = await post_form(client, "/t/brest/about", "/t/brest/phase", {})
    assert moved.status_code == 303 and moved.headers["location"] == "/t/brest/about"
    assert (await Twinning.get(id=twinning.id)).phase == "agreement"
    page = (await client.get("/t/brest/about")).text
    assert "The twinning is now in the phase: Agreement." in page
    steps = page.split('class="timeline"')[1].split("</ol>")[0]
    assert steps.index("Identification") < steps.index("Agreement")
    assert 'aria-current="step"><strong>Agreement' in steps and "by maelle" in steps
    assert await Happening.filter(kind="actor_changed").exists()
    document = await twinning_document(settings, await Twinning.get(id=twinning.id))
    assert {"type": "PropertyValue", "name": "Phase", "value": "Agreement"} in document[
        "attachment"
    ]
    assert [c.phase for c in await PhaseChange.filter(twinning=twinning).order_by("id")] == [
        "identification",
        "agreement",
    ]


async def test_partners_may_not_and_nothing_follows_the_last_phase(
    client: httpx.AsyncClient,
) -> None:
    twinning = await _twinning()
    await log_in(client, "jorge")
    about = (await client.get("/t/brest/about")).text
    assert "Move on to the next phase" not in about
    refused = await post_form(client, "/t/brest/about", "/t/brest/phase", {})
    assert refused.status_code == 403
    await post_form(client, "/", "/logout", {})
    await log_in(client, "maelle")
    twinning.phase = "sharing"
    await twinning.save()
    assert "Move on to the next phase" not in (await client.get("/t/brest/about")).text
    last = await post_form(client, "/t/brest/about", "/t/brest/phase", {})
    assert last.status_code == 400 and "last phase already" in last.text
