"""E-mail about discussions through a real local SMTP server (aiosmtpd): one mail per message
for members who chose it, a daily digest for others, none for those who said no or may not read
the message, each in the member's language; a failing server loses nothing."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email.message import Message

import httpx
import pytest
from aiosmtpd.controller import Controller

from models.discussions import start_discussion
from models.mail import (
    MailNotice,
    MailPreference,
    now,
    set_list_choice,
    set_mail_mode,
    unsubscribe,
)
from models.posting import post_reply
from models.twinnings import Membership, TwinningInput, create_twinning
from server.mailer import send_due
from tests.conftest import log_in, make_account, post_form
from tests.servers import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield f"smtp://127.0.0.1:{controller.port}", inbox
    controller.stop()


def _text(message: Message) -> str:
    return str(message.get_content())  # type: ignore[attr-defined]


async def test_messages_and_digests_reach_those_who_asked(smtp, settings) -> None:  # type: ignore[no-untyped-def]
    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    maelle = await make_account("maelle")
    jorge = await make_account("jorge", locale="es")
    ines = await make_account("ines", locale="fr")
    quiet = await make_account("quiet")
    outsider = await make_account("outsider")
    twinning = await create_twinning(
        maelle, "brest", TwinningInput(title={"fr": "Brest – La Paz", "es": "Brest – La Paz"})
    )
    for person in (jorge, ines, quiet):
        await Membership.create(twinning=twinning, account=person, state="accepted")
    await set_mail_mode(jorge, "each")
    await set_mail_mode(ines, "daily")
    await set_mail_mode(outsider, "each")  # not a member: hears nothing
    thread = await start_discussion(
        maelle,
        twinning,
        "partners",
        {"fr": "Budget", "es": "Presupuesto"},
        {"fr": "Proposition A", "es": "Propuesta A"},
    )
    assert await send_due(config) == 2  # Jorge's mail for the thread, Inès's digest
    by_person = {m["To"]: m for m in inbox.messages}
    assert set(by_person) == {"jorge@example.org", "ines@example.org"}
    mail = by_person["jorge@example.org"]
    assert mail["Subject"] == "[Brest – La Paz] Presupuesto"
    assert "Propuesta A" in _text(mail) and "/t/brest/updates/" in _text(mail)
    digest = by_person["ines@example.org"]
    assert "1 nouveau message" in digest["Subject"] and "Proposition A" in _text(digest)
    # Jorge's own answer is not mailed to him, and waits for Inès's next digest, a day later.
    await post_reply(jorge, thread, {"es": "De acuerdo"})
    assert await send_due(config) == 0
    assert await send_due(config, now() + timedelta(days=1, minutes=1)) == 1
    assert "De acuerdo" in _text(inbox.messages[-1])


async def test_a_failing_smtp_server_loses_no_mail(settings) -> None:  # type: ignore[no-untyped-def]
    config = replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")  # nobody listens
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await set_mail_mode(jorge, "each")
    await start_discussion(maelle, twinning, "public", {"fr": "Sujet"}, {"fr": "Texte"})
    assert await send_due(config) == 0
    notice = await MailNotice.get()
    assert notice.sent_at is None and notice.attempts == 1 and notice.next_attempt_at is not None


async def test_the_settings_page_sets_the_mail_choice(
    app, client: httpx.AsyncClient, settings
) -> None:  # type: ignore[no-untyped-def]
    await make_account("maelle")
    await log_in(client, "maelle")
    assert "This instance sends no e-mail." in (await client.get("/settings")).text
    app.state.settings = replace(settings, smtp_url="smtp://127.0.0.1:25")
    answer = await post_form(client, "/settings", "/settings", {"action": "mail", "mail": "daily"})
    assert answer.status_code == 303
    assert 'value="daily" checked' in (await client.get("/settings")).text
    bad = await post_form(client, "/settings", "/settings", {"action": "mail", "mail": "hourly"})
    assert bad.status_code == 400


async def test_a_twinning_choice_wins_over_the_general_one(
    app, client: httpx.AsyncClient, smtp, settings
) -> None:  # type: ignore[no-untyped-def]
    """Jorge wants every message in general but none from Brest; Inès wants none in general
    but a daily digest of Brest. Each hears of each twinning as chosen for it."""
    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    app.state.settings = config
    maelle = await make_account("maelle")
    jorge = await make_account("jorge", locale="es")
    ines = await make_account("ines", locale="fr")
    brest = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    nantes = await create_twinning(maelle, "nantes", TwinningInput(title={"fr": "Nantes"}))
    for twinning in (brest, nantes):
        for person in (jorge, ines):
            await Membership.create(twinning=twinning, account=person, state="accepted")
    await set_mail_mode(jorge, "each")
    await log_in(client, "ines")
    page = (await client.get("/settings")).text
    assert f'name="list" value="t{brest.id}"' in page and f'value="t{nantes.id}"' in page
    choice = {"action": "mail_list", "list": f"t{brest.id}", "started": "partners"}
    saved = await post_form(client, "/settings", "/settings", {**choice, "mode": "daily"})
    assert saved.status_code == 303
    assert 'value="daily" selected' in (await client.get("/settings")).text
    for wrong in ({"mode": "hourly"}, {"list": "t999999"}, {"list": "g1"}, {"started": "all"}):
        refused = await post_form(
            client, "/settings", "/settings", {**choice, "mode": "each", **wrong}
        )
        assert refused.status_code == 400, wrong
    await set_list_choice(jorge, f"t{brest.id}", "off", "partners")
    for twinning in (brest, nantes):
        await start_discussion(maelle, twinning, "partners", {"fr": twinning.slug}, {"fr": "Texte"})
    assert await send_due(config) == 2
    by_person = {m["To"]: m for m in inbox.messages}
    assert set(by_person) == {"jorge@example.org", "ines@example.org"}
    assert by_person["jorge@example.org"]["Subject"] == "[Nantes] nantes"
    assert "[Brest] brest" in _text(by_person["ines@example.org"])
    assert "nantes" not in _text(by_person["ines@example.org"])
    await unsubscribe(ines.id)  # the one-click stop stops every list's mail too
    await start_discussion(maelle, brest, "partners", {"fr": "Encore"}, {"fr": "Texte"})
    assert not await MailNotice.filter(account_id=ines.id, sent_at=None).exists()


async def test_meeting_reminders_and_periodic_news(smtp, settings) -> None:  # type: ignore[no-untyped-def]
    from models.events import EventInput, create_event, set_attendance

    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    maelle = await make_account("maelle")
    jorge = await make_account("jorge", locale="es")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"es": "Brest – La Paz"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    tomorrow = now() + timedelta(hours=20)
    later = now() + timedelta(days=10)
    soon = await create_event(
        maelle,
        twinning,
        EventInput(
            {"es": "Comité"},
            {},
            tomorrow.strftime("%Y-%m-%dT%H:%M"),
            (tomorrow + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "UTC",
            "Casa de la cultura",
            visibility="partners",
        ),
    )
    far = await create_event(
        maelle,
        twinning,
        EventInput(
            {"es": "Foro"},
            {},
            later.strftime("%Y-%m-%dT%H:%M"),
            (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    await set_attendance(jorge, soon, "going")
    await set_attendance(jorge, far, "going")
    await set_mail_mode(jorge, "off", "week")
    assert await send_due(config) == 2  # tomorrow's reminder, and this week's news
    subjects = {m["Subject"]: m for m in inbox.messages}
    reminder = subjects["Recordatorio: Comité"]
    assert "Casa de la cultura" in _text(reminder) and f"/t/brest/updates/{soon.id}" in _text(
        reminder
    )
    news = subjects["Novedades de sus hermanamientos"]
    assert "Comité" in _text(news) and "Foro" in _text(news) and "digest?period=week" in _text(news)
    assert await send_due(config) == 0  # reminded once; news again in a week
    assert await send_due(config, now() + timedelta(days=7, minutes=1)) == 0  # nothing new


async def test_who_left_before_the_mail_went_gets_none(smtp, settings) -> None:  # type: ignore[no-untyped-def]
    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    ines = await make_account("ines")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    for person in (jorge, ines):
        await Membership.create(twinning=twinning, account=person, state="accepted")
    await set_mail_mode(jorge, "each")
    await set_mail_mode(ines, "daily")
    await start_discussion(maelle, twinning, "partners", {"fr": "Budget"}, {"fr": "Secret"})
    await Membership.filter(account_id__in=[jorge.id, ines.id]).delete()
    assert await send_due(config) == 0 and inbox.messages == []
    assert not await MailNotice.filter(sent_at=None).exists()  # settled, not retried


async def test_mails_give_times_in_the_recipients_zone(smtp, settings) -> None:  # type: ignore[no-untyped-def]
    """Jorge lives in La Paz: his reminder of a Paris meeting and the message he is mailed
    read at La Paz time, in Spanish, with the meeting's own time beside it."""
    from babel.dates import format_time

    from models.events import EventInput, create_event, set_attendance
    from server.dates import in_zone

    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    maelle = await make_account("maelle", timezone="Europe/Paris")
    jorge = await make_account("jorge", locale="es", timezone="America/La_Paz")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"es": "Brest – La Paz"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    start = (now() + timedelta(hours=20)).replace(second=0, microsecond=0)
    paris = in_zone(start, "Europe/Paris")
    meeting = await create_event(
        maelle,
        twinning,
        EventInput(
            {"es": "Comité"},
            {},
            paris.strftime("%Y-%m-%dT%H:%M"),
            (paris + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "Europe/Paris",
        ),
    )
    await set_attendance(jorge, meeting, "going")
    await set_mail_mode(jorge, "each")
    thread = await start_discussion(maelle, twinning, "partners", {"es": "Orden"}, {"es": "Ideas"})
    assert await send_due(config) == 2
    subjects = {m["Subject"]: _text(m) for m in inbox.messages}
    reminder = subjects["Recordatorio: Comité"]
    la_paz_clock = format_time(in_zone(start, "America/La_Paz"), "short", locale="es")
    assert f"{la_paz_clock} hora de Bolivia" in reminder
    paris_clock = format_time(paris, "short", locale="es")
    assert f"{paris_clock} (hora de París, zona horaria de la reunión)" in reminder
    message = subjects["[Brest – La Paz] Orden"]
    written = format_time(in_zone(thread.created_at, "America/La_Paz"), "short", locale="es")
    assert f"{written}, maelle escribió:" in message


async def test_message_mails_thread_as_a_list_and_unsubscribe_in_one_click(
    smtp, settings, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    maelle = await make_account("maelle")
    jorge = await make_account("jorge", locale="es")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await set_mail_mode(jorge, "each", "week")
    thread = await start_discussion(maelle, twinning, "partners", {"fr": "Budget"}, {"fr": "A"})
    answer = await post_reply(maelle, thread, {"fr": "Réponse de Maëlle"})
    assert await send_due(config) == 3  # the thread, the answer, the week's news
    first, second = [m for m in inbox.messages if m["List-Id"]]
    assert all(m["List-Unsubscribe"] for m in inbox.messages)
    assert first["Message-ID"] == f"<item-{thread.id}@testserver.localhost>"
    assert second["Message-ID"] == f"<item-{answer.id}@testserver.localhost>"
    assert second["In-Reply-To"] == first["Message-ID"] == second["References"]
    assert first["List-Id"] == "<brest.testserver.localhost>"
    # Both mails of the thread are answered at Jorge's own address for that thread.
    assert first["Reply-To"] == second["Reply-To"]
    assert first["Reply-To"].startswith(f"reply+{jorge.id}.{thread.id}.")
    assert first["List-Post"] == f"<mailto:{first['Reply-To']}>"
    assert "Original" not in _text(first)  # written in French only: shown as written
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    stop = first["List-Unsubscribe"].strip("<>").removeprefix("http://testserver.localhost")
    assert stop in _text(first)
    shown = await client.get(stop)  # opening the link only offers the button
    assert shown.status_code == 200 and "Stop all these mails" in shown.text
    assert (await MailPreference.get(account=jorge)).mode == "each"
    clicked = await client.post(stop, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200 and "no more mail" in clicked.text
    pref = await MailPreference.get(account=jorge)
    assert (pref.mode, pref.periodic) == ("off", "")
    forged = stop.replace(stop.split("token=")[1][:4], "AAAA")
    assert (await client.post(forged, data={})).status_code == 400


async def test_a_translated_message_is_mailed_with_its_original_below(smtp, settings) -> None:  # type: ignore[no-untyped-def]
    url, inbox = smtp
    config = replace(settings, smtp_url=url)
    maelle = await make_account("maelle")
    jorge = await make_account("jorge", locale="es")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await set_mail_mode(jorge, "each")
    thread = await start_discussion(maelle, twinning, "partners", {"fr": "Budget"}, {"fr": "Vote"})
    thread.content_map = {**thread.content_map, "es": "Votación"}
    thread.machine_languages = ["es"]
    await thread.save()
    assert await send_due(config) == 1
    text = _text(inbox.messages[0])
    assert text.index("Votación") < text.index("Traducción automática.")
    assert text.index("Original (francés):") < text.index("Vote")
