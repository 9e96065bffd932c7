"""Trilingual content: members add or correct a language of an item; the configured
LibreTranslate-compatible service (a local one here) fills a language, labelled as a machine
translation that a person's translation then replaces; non-members cannot translate."""

from __future__ import annotations

from dataclasses import replace

import httpx

from models.content import ContentItem
from models.posting import post_update
from models.twinnings import Membership, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form
from tests.translate_server import API_KEY, translate_server


async def test_members_translate_by_hand_and_by_machine(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    item = await post_update(
        maelle, twinning, "partners", {"fr": "Réunion jeudi"}, {"fr": "Agenda"}
    )
    page = f"/t/brest/updates/{item.id}"
    with translate_server() as (url, service):
        app.state.settings = replace(app.state.settings, translate_url=url, translate_key=API_KEY)
        await log_in(client, "jorge")
        done = await post_form(client, page, f"{page}/translations/machine", {"language": "en"})
        assert done.status_code == 303
        item = await ContentItem.get(id=item.id)
        assert item.content_map["en"] == "[en] Réunion jeudi" and item.machine_languages == ["en"]
        assert item.title_map["en"] == "[en] Agenda"
        shown = await client.get(page, headers={"Accept-Language": "en"})
        assert "machine translation" in shown.text
        corrected = await post_form(
            client,
            page,
            f"{page}/translations",
            {"language": "en", "title": "Agenda", "content": "Meeting on Thursday"},
        )
        assert corrected.status_code == 303
        item = await ContentItem.get(id=item.id)
        assert item.content_map["en"] == "Meeting on Thursday" and item.machine_languages == []
        again = await post_form(client, page, f"{page}/translations/machine", {"language": "en"})
        assert again.status_code == 303  # refused with a message: a person translated it
        assert (await ContentItem.get(id=item.id)).content_map["en"] == "Meeting on Thursday"
        service.failing = True
        failed = await post_form(client, page, f"{page}/translations/machine", {"language": "es"})
        assert failed.status_code == 303
        assert "es" not in (await ContentItem.get(id=item.id)).content_map
        assert "Machine translation failed" in (await client.get(page)).text
        assert [c["api_key"] for c in service.calls] == [API_KEY] * len(service.calls)
    await make_account("outsider")
    await log_in(client, "outsider")
    refused = await client.post(f"{page}/translations", data={"language": "es", "content": "x"})
    assert refused.status_code in (403, 404)
    assert "es" not in (await ContentItem.get(id=item.id)).content_map


async def test_without_a_service_there_is_no_machine_button(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    item = await post_update(maelle, twinning, "public", {"fr": "Bonjour"})
    await log_in(client, "maelle")
    page = (await client.get(f"/t/brest/updates/{item.id}")).text
    assert "Save the translation" in page and "Machine-translate" not in page
    bad = await post_form(
        client,
        f"/t/brest/updates/{item.id}",
        f"/t/brest/updates/{item.id}/translations",
        {"language": "xx", "content": "?"},
    )
    assert bad.status_code == 303
    assert "xx" not in (await ContentItem.get(id=item.id)).content_map


async def _token_of(account: object) -> dict[str, str]:
    from models.oauth import issue_token, register_app

    oauth_app, _ = await register_app("t", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(oauth_app, account, "read")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


async def test_apps_translate_a_status(app, client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    maelle = await make_account("maelle")
    jorge = await make_account("jorge", locale="es")
    outsider = await make_account("outsider", locale="es")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    item = await post_update(maelle, twinning, "partners", {"fr": "Réunion <b>jeudi</b>"})
    path = f"/api/v1/statuses/{item.id}/translate"
    auth = await _token_of(jorge)
    off = await client.post(path, headers=auth)
    assert off.status_code == 404 and "no translation service" in off.json()["error"]
    assert not (await client.get("/api/v2/instance")).json()["configuration"]["translation"][
        "enabled"
    ]
    with translate_server() as (url, service):
        app.state.settings = replace(app.state.settings, translate_url=url, translate_key=API_KEY)
        assert (await client.get("/api/v2/instance")).json()["configuration"]["translation"][
            "enabled"
        ]
        done = await client.post(path, headers=auth)
        assert done.status_code == 200, done.text
        body = done.json()
        assert body["detected_source_language"] == "fr" and body["provider"] == "LibreTranslate"
        assert body["content"].startswith("[es] ") and "jeudi" in body["content"]
        assert service.calls[-1]["target"] == "es" and service.calls[-1]["format"] == "html"
        english = await client.post(path, data={"lang": "en"}, headers=auth)
        assert english.json()["content"].startswith("[en] ")
        assert (await client.post(path, data={"lang": "xx"}, headers=auth)).status_code == 422
        assert (await client.post(path, data={"lang": "fr"}, headers=auth)).status_code == 422
        hidden = await client.post(path, headers=await _token_of(outsider))
        assert hidden.status_code == 404  # partners only: not the outsider's to read
        service.failing = True
        down = await client.post(path, data={"lang": "en"}, headers=auth)
        assert down.status_code == 503 and "Translation unavailable" in down.json()["error"]
    item.content_map = {**item.content_map, "es": "Reunión el jueves"}
    await item.save()
    kept = (await client.post(path, headers=auth)).json()  # a partner's translation, no service
    assert kept["content"].strip() == "<p>Reunión el jueves</p>" and kept["provider"] == "Jumelage"
