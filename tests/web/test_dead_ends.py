"""Dead ends members and visitors hit on a twinning, each closed: a person who wrote a reply
has a page, the "N members" link answers visitors, a refused form stays at the page's own
address with its lists and what was typed (a chosen file is asked for again), the private
calendar link is for members only, and a resource may be dated for a year to come."""

from __future__ import annotations

import re

import httpx

from models.content import ContentItem
from models.posting import post_reply, post_update
from models.resources import ResourceDetails, ResourceInput, add_resource
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from tests.conftest import csrf_of, log_in, make_account

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _twinning() -> Twinning:
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await post_update(maelle, twinning, "public", {"fr": "Nouvelles publiques"})
    return twinning


def _form_action(html: str, marker: str) -> str:
    """The action of the form that holds ``marker`` (a field name)."""
    for form in re.findall(r"<form[^>]*>.*?</form>", html, re.S):
        if marker in form:
            found = re.search(r'action="([^"]+)"', form)
            assert found
            return found.group(1)
    raise AssertionError(f"no form with {marker}")


async def test_a_person_who_has_written_a_reply_has_a_page(client: httpx.AsyncClient) -> None:
    await _twinning()
    update = await ContentItem.get(kind="update")
    answer = await post_reply(await make_account("ana"), update, {"es": "¡Bravo!"})
    page = await client.get("/u/ana")
    assert page.status_code == 200
    assert "¡Bravo!" in page.text
    assert f'href="/t/brest/updates/{update.id}#reply-{answer.id}"' in page.text


async def test_the_members_link_answers_visitors_without_naming_anyone(
    client: httpx.AsyncClient,
) -> None:
    await _twinning()
    feed = (await client.get("/t/brest")).text
    link = re.search(r'<a href="(/t/brest/members)"', feed)
    assert link, "no link to the members on the twinning's page"
    members = await client.get(link.group(1))
    assert members.status_code == 200
    assert "2 members" in members.text
    assert "/u/maelle" not in members.text and "/u/jorge" not in members.text


async def test_a_refused_update_stays_on_the_feed_with_its_updates_and_input(
    client: httpx.AsyncClient,
) -> None:
    await _twinning()
    await log_in(client, "jorge")
    feed = (await client.get("/t/brest")).text
    action = _form_action(feed, 'name="content_')
    assert action == "/t/brest"  # the page's own address, so a refusal stays there
    data = {"csrf_token": csrf_of(feed), "title_fr": "Titre gardé", "visibility": "partners"}
    refused = await client.post(action, data=data)
    assert refused.status_code == 400
    assert "Nouvelles publiques" in refused.text and "No update yet" not in refused.text
    assert 'value="Titre gardé"' in refused.text
    assert re.search(r'value="partners"\s+checked', refused.text)
    assert await ContentItem.filter(kind="update").count() == 1
    data["content_fr"] = "Contenu"
    done = await client.post(action, data=data)
    assert done.status_code == 303  # post/redirect/get
    assert (await client.get(done.headers["location"])).status_code == 200


async def test_a_refused_resource_keeps_its_list_and_asks_for_the_file_again(
    client: httpx.AsyncClient,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    twinning = await _twinning()
    maelle = await Membership.get(account__username="maelle").prefetch_related("account")
    await add_resource(
        maelle.account,
        twinning,
        ResourceInput({"fr": "Guide existant"}, {}, url="https://example.org/g"),
        settings.data_dir,
    )
    await log_in(client, "jorge")
    tab = (await client.get("/t/brest/resources")).text
    action = _form_action(tab, 'name="resource_kind"')
    assert action == "/t/brest/resources"
    data = {"csrf_token": csrf_of(tab), "resource_kind": "document", "year": "20x5"}
    data |= {"resource_title_fr": "Nouveau guide", "licence": "CC-BY-SA-4.0"}
    refused = await client.post(
        action, data=data, files={"file": ("plan.pdf", PDF, "application/pdf")}
    )
    assert refused.status_code == 400
    assert "Guide existant" in refused.text  # the list is intact
    assert 'value="Nouveau guide"' in refused.text
    assert "The file “plan.pdf” was not kept: choose it again." in refused.text
    assert await ContentItem.filter(kind="resource").count() == 1


async def test_the_private_calendar_link_is_shown_to_members_only(
    client: httpx.AsyncClient,
) -> None:
    await _twinning()
    await make_account("otto")
    await log_in(client, "otto")
    for path in ("/t/brest", "/t/brest/meetings"):
        page = await client.get(path)
        assert page.status_code == 200 and "/calendar/" not in page.text, path
    await log_in(client, "jorge")
    assert "/calendar/jorge/" in (await client.get("/t/brest/meetings")).text


async def test_a_resource_may_be_dated_2030(client: httpx.AsyncClient) -> None:
    await _twinning()
    await log_in(client, "jorge")
    tab = (await client.get("/t/brest")).text
    data = {"csrf_token": csrf_of(tab), "resource_kind": "proposal", "year": "2030"}
    data |= {"resource_title_fr": "Agenda 2030 local", "url": "https://example.org/a"}
    data |= {"licence": "CC-BY-SA-4.0", "visibility": "public"}
    added = await client.post("/t/brest/resources", data=data)
    assert added.status_code == 303, added.text
    assert (await ResourceDetails.get()).year == 2030
