"""Discussions: a member starts one, others answer and quote, unread markers follow what each
member has read, partner-only threads stay with members, and the thread federates as a
``Page`` whose answers share its ``context``."""

from __future__ import annotations

import httpx

from models.content import ContentItem
from models.discussions import start_discussion
from models.posting import post_reply
from models.twinnings import Membership, TwinningInput, create_twinning
from tests.conftest import log_in, make_account, post_form


async def test_start_answer_quote_and_unread(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await log_in(client, "maelle")
    started = await post_form(
        client,
        "/t/brest",
        "/t/brest/discussions",
        {
            "subject_fr": "Calendrier du projet",
            "subject_es": "Calendario del proyecto",
            "message_fr": "Quelles dates pour la visite ?",
            "visibility": "partners",
        },
    )
    assert started.status_code == 303, started.text
    thread = await ContentItem.get(kind="discussion")
    page = (await client.get("/t/brest/discussions")).text
    assert "Calendrier du projet" in page.split('id="discussions"')[1]
    assert 'class="unread"' not in page  # her own thread, nothing new in it
    await post_reply(jorge, thread, {"es": "Propongo marzo.\nO abril."})
    assert 'class="unread"' in (await client.get("/t/brest/discussions")).text
    quote = await client.get(
        f"/t/brest/updates/{thread.id}?quote={(await ContentItem.get(kind='reply')).id}"
    )
    assert "&gt; Propongo marzo.\n&gt; O abril." in quote.text
    assert 'class="unread"' not in (await client.get("/t/brest/discussions")).text  # read
    await make_account("outsider")
    await log_in(client, "outsider")
    assert "Calendrier du projet" not in (await client.get("/t/brest")).text
    assert (await client.get(f"/t/brest/updates/{thread.id}")).status_code == 404


async def test_a_discussion_needs_a_subject_and_a_message(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    for data in ({"message_fr": "sans sujet"}, {"subject_fr": "Sans message"}):
        answer = await post_form(
            client, "/t/brest", "/t/brest/discussions", {**data, "visibility": "public"}
        )
        assert answer.status_code == 400 and "at least one language" in answer.text
    assert not await ContentItem.filter(kind="discussion").exists()


async def test_threads_federate_as_pages_with_a_context(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    thread = await start_discussion(
        maelle, twinning, "public", {"fr": "Outils numériques"}, {"fr": "Lesquels ?"}
    )
    answer = await post_reply(maelle, thread, {"fr": "Un wiki"})
    ap = {"Accept": "application/activity+json"}
    root = (await client.get(f"/t/brest/updates/{thread.id}", headers=ap)).json()
    reply = (
        await client.get(f"/t/brest/updates/{thread.id}/replies/{answer.id}", headers=ap)
    ).json()
    assert root["type"] == "Page" and root["name"] == "Outils numériques"
    assert root["context"] == root["id"] == reply["context"] == reply["inReplyTo"]


async def test_answers_nest_under_the_answer_they_answer(client: httpx.AsyncClient) -> None:
    from models.oauth import issue_token, register_app

    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    thread = await start_discussion(
        maelle, twinning, "public", {"fr": "Outils"}, {"fr": "Lesquels ?"}
    )
    first = await post_reply(maelle, thread, {"fr": "Un wiki"})
    await log_in(client, "maelle")
    page = f"/t/brest/updates/{thread.id}"
    form = (await client.get(f"{page}?parent={first.id}")).text
    assert f'name="parent" value="{first.id}"' in form
    answered = await post_form(
        client,
        f"{page}?parent={first.id}",
        f"{page}/replies",
        {"reply_fr": "Plutôt un pad", "parent": str(first.id)},
    )
    assert answered.status_code == 303
    nested = await ContentItem.filter(kind="reply").order_by("-id").first()
    assert (
        nested is not None and nested.parent_id == first.id and nested.in_reply_to_id == thread.id
    )
    shown = (await client.get(page)).text
    assert f'class="update reply depth-1" id="reply-{nested.id}"' in shown
    ap = {"Accept": "application/activity+json"}
    wire = (await client.get(f"{page}/replies/{nested.id}", headers=ap)).json()
    assert wire["inReplyTo"].endswith(f"/replies/{first.id}") and wire["context"].endswith(page)
    app, _ = await register_app("t", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, maelle, "read write")
    auth = {"Authorization": f"Bearer {token}"}
    status = (await client.get(f"/api/v1/statuses/{nested.id}", headers=auth)).json()
    assert status["in_reply_to_id"] == str(first.id)
    context = (await client.get(f"/api/v1/statuses/{first.id}/context", headers=auth)).json()
    assert [s["id"] for s in context["ancestors"]] == [str(thread.id)]
    assert [s["id"] for s in context["descendants"]] == [str(nested.id)]
    deeper = await client.post(
        "/api/v1/statuses",
        data={"status": "Et un tableur", "in_reply_to_id": str(nested.id)},
        headers=auth,
    )
    assert deeper.json()["in_reply_to_id"] == str(nested.id)
