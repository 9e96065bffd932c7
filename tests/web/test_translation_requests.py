"""Asking for a translation: a French reader asks for a Spanish partners-only update in
French; the member who declared es→fr sees the request on her home and is notified, answers
it, and is credited; the reader is told and reads it in French. A member who translates the
pair but does not belong to the twinning sees nothing of it. A translation is not an edit.
Bad input (an unknown language or pair, an empty answer) is refused with its reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from models.accounts import Account
from models.content import ContentItem, ItemRevision
from models.notifications import visible_notifications
from models.oauth import issue_token, register_app
from models.posting import edit_update, post_update
from models.translation_requests import TranslationRequest, ask_translation, set_pairs
from models.translations import keep_machine_translation, translate
from models.twinnings import Membership, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form

TEXT_ES = "El presupuesto participativo se vota el jueves."
TEXT_FR = "Le budget participatif est voté jeudi."


@asynccontextmanager
async def signed_in(app: Any, username: str, lang: str) -> AsyncIterator[httpx.AsyncClient]:
    """One person's browser: her own cookies, her language."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver.localhost",
        headers={"Accept-Language": lang},
    ) as browser:
        await log_in(browser, username)
        yield browser


async def _partners_update() -> tuple[ContentItem, dict[str, Account]]:
    people = {
        "ana": await make_account("ana", locale="es"),
        "fleur": await make_account("fleur", locale="fr"),
        "bili": await make_account("bili", locale="fr"),
        "outsider": await make_account("outsider", locale="fr"),
    }
    twinning = await create_twinning(
        people["ana"], "lapaz_lyon", TwinningInput(title={"es": "La Paz – Lyon"})
    )
    for name in ("fleur", "bili"):
        await Membership.create(twinning=twinning, account=people[name], state="accepted")
    await set_pairs(people["bili"], ["es>fr"])
    await set_pairs(people["outsider"], ["es>fr"])
    item = await post_update(
        people["ana"], twinning, "partners", {"es": TEXT_ES}, {"es": "Presupuesto"}
    )
    return item, people


async def test_a_reader_asks_and_a_translator_of_the_pair_answers(app) -> None:  # type: ignore[no-untyped-def]
    item, people = await _partners_update()
    page = f"/t/lapaz_lyon/updates/{item.id}"
    async with signed_in(app, "fleur", "fr") as fleur:
        shown = await fleur.get(page)
        assert TEXT_ES in shown.text and f"{page}/translations/ask" in shown.text
        asked = await post_form(fleur, page, f"{page}/translations/ask", {"language": "fr"})
        assert asked.status_code == 303 and asked.headers["location"] == page
        again = await post_form(fleur, page, f"{page}/translations/ask", {"language": "fr"})
        assert again.status_code == 303
    wanted = await TranslationRequest.get(item=item)
    assert (wanted.language, wanted.state) == ("fr", "open")
    assert await TranslationRequest.all().count() == 1

    told = await visible_notifications(people["bili"]).filter(kind="translate")
    assert [(n.item_id, n.from_account_id) for n in told] == [(item.id, people["fleur"].id)]
    assert not await visible_notifications(people["ana"]).filter(kind="translate").exists()
    assert not await visible_notifications(people["outsider"]).exists()

    async with signed_in(app, "outsider", "fr") as outsider:
        home = await outsider.get("/")
        assert f"/translations/{wanted.id}" not in home.text and TEXT_ES not in home.text
        assert (await outsider.get(f"/translations/{wanted.id}")).status_code == 404
        refused = await outsider.post(f"/translations/{wanted.id}", data={"content": "x"})
        assert refused.status_code in (403, 404)
        assert (await outsider.get("/notifications")).text.count(TEXT_ES) == 0

    async with signed_in(app, "bili", "fr") as bili:
        apps, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read", "")
        _, token, _ = await issue_token(apps, people["bili"], "read")
        served = await bili.get(
            "/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}
        )
        kinds = [(n["type"], n["status"]["id"]) for n in served.json()]
        assert ("translate", str(item.id)) in kinds  # the rows the page shows
        home = await bili.get("/")
        assert f'href="/translations/{wanted.id}"' in home.text
        form = await bili.get(f"/translations/{wanted.id}")
        assert form.status_code == 200 and TEXT_ES in form.text
        empty = await post_form(bili, f"/translations/{wanted.id}", form.url.path, {"content": ""})
        assert empty.status_code == 400 and "au moins une langue" in empty.text
        answer = {"title": "Budget", "content": TEXT_FR}
        done = await post_form(bili, f"/translations/{wanted.id}", form.url.path, answer)
        assert done.status_code == 303 and done.headers["location"] == page
        assert f"/translations/{wanted.id}" not in (await bili.get("/")).text

    item = await ContentItem.get(id=item.id)
    assert item.content_map["fr"] == TEXT_FR and item.machine_languages == []
    assert item.translators == {"fr": people["bili"].id}
    assert item.updated_at is None
    wanted = await TranslationRequest.get(id=wanted.id)
    assert (wanted.state, wanted.translator_id) == ("done", people["bili"].id)
    back = await visible_notifications(people["fleur"]).filter(kind="translated")
    assert [(n.item_id, n.from_account_id) for n in back] == [(item.id, people["bili"].id)]

    async with signed_in(app, "fleur", "fr") as fleur:
        shown = await fleur.get(page)
        assert TEXT_FR in shown.text and '<a href="/u/bili">@bili</a>' in shown.text
        assert "modifié" not in shown.text.split('class="update full"')[1].split("</article>")[0]
        assert f"{page}/translations/ask" not in shown.text
        assert "traduit ce que vous aviez demandé" in (await fleur.get("/notifications")).text


async def test_a_non_member_cannot_see_or_ask_about_a_partners_only_item(app) -> None:  # type: ignore[no-untyped-def]
    item, _ = await _partners_update()
    page = f"/t/lapaz_lyon/updates/{item.id}"
    async with signed_in(app, "outsider", "fr") as outsider:
        assert (await outsider.get(page)).status_code == 404
        token_page = await outsider.get("/settings")
        asked = await post_form(
            outsider, "/settings", f"{page}/translations/ask", {"language": "fr"}
        )
        assert asked.status_code == 404 and token_page.status_code == 200
    assert not await TranslationRequest.exists()


async def test_bad_languages_are_refused_with_a_reason(app) -> None:  # type: ignore[no-untyped-def]
    item, _ = await _partners_update()
    page = f"/t/lapaz_lyon/updates/{item.id}"
    async with signed_in(app, "fleur", "fr") as fleur:
        unknown = await post_form(fleur, page, f"{page}/translations/ask", {"language": "xx"})
        assert unknown.status_code == 400 and "choisissez" in unknown.text.lower()
        written = await post_form(fleur, page, f"{page}/translations/ask", {"language": "es"})
        assert written.status_code == 400 and "déjà écrit" in written.text
        pairs = await post_form(
            fleur, "/settings", "/settings", {"action": "translations", "pairs": "xx>fr"}
        )
        assert pairs.status_code == 400 and "choisissez" in pairs.text.lower()
        saved = await post_form(
            fleur, "/settings", "/settings", {"action": "translations", "pairs": ["fr>es", "en>es"]}
        )
        assert saved.status_code == 303
        settings = (await fleur.get("/settings")).text
        assert 'value="fr&gt;es" checked' in settings and 'value="es&gt;fr" checked' not in settings
    assert not await TranslationRequest.exists()


async def test_a_translation_by_hand_answers_the_open_request(app) -> None:  # type: ignore[no-untyped-def]
    item, people = await _partners_update()
    assert await ask_translation(people["fleur"], item, "fr")
    page = f"/t/lapaz_lyon/updates/{item.id}"
    async with signed_in(app, "bili", "fr") as bili:
        form = {"language": "fr", "content": TEXT_FR, "title": "Budget"}
        assert (await post_form(bili, page, f"{page}/translations", form)).status_code == 303
    wanted = await TranslationRequest.get(item=item)
    assert (wanted.state, wanted.translator_id) == ("done", people["bili"].id)
    told = await visible_notifications(people["fleur"]).filter(kind="translated").count()
    assert told == 1


async def test_without_script_the_compose_form_shows_every_language(app) -> None:  # type: ignore[no-untyped-def]
    await _partners_update()
    async with signed_in(app, "fleur", "fr") as fleur:
        page = (await fleur.get("/t/lapaz_lyon")).text
    for field in ("content", "title"):
        ids = [f'id="{field}_{code}"' for code in ("fr", "en", "es")]
        assert all(i in page for i in ids) and page.index(ids[0]) < page.index(ids[2])
    assert "data-langfields" in page and " hidden" not in page.split("compose")[1]


async def test_a_translation_is_not_an_edit(client: httpx.AsyncClient) -> None:
    item, people = await _partners_update()
    await translate(people["bili"], item, "fr", TEXT_FR, "Budget")
    await keep_machine_translation(people["fleur"], item, "en", {"content": "Budget on Thursday"})
    item = await ContentItem.get(id=item.id)
    assert item.updated_at is None and not await ItemRevision.filter(item=item).exists()
    assert item.translators == {"fr": people["bili"].id} and item.machine_languages == ["en"]
    await log_in(client, "fleur")
    shown = (await client.get(f"/t/lapaz_lyon/updates/{item.id}")).text
    article = shown.split('class="update full"')[1].split("</article>")[0]
    assert TEXT_FR in article and "modifié" not in article and "@bili" in article


async def test_an_edit_keeps_the_credit_of_an_unchanged_translation_only() -> None:
    item, people = await _partners_update()
    await translate(people["bili"], item, "fr", TEXT_FR, "Budget")
    await translate(people["fleur"], item, "en", "Budget vote on Thursday", "Budget")
    item = await ContentItem.get(id=item.id)
    texts = {**item.content_map, "es": TEXT_ES + " (sala 2)", "en": "Vote on Thursday"}
    await edit_update(people["ana"], item, texts, item.title_map)
    item = await ContentItem.get(id=item.id)
    assert item.updated_at is not None  # the author's change is an edit
    assert item.translators == {"fr": people["bili"].id}
