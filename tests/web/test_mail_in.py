"""Taking part in discussions by e-mail, through the real SMTP/LMTP listener (``smtplib``) and
the real ``jumelage mail receive`` pipe: replies written in Thunderbird, Outlook, Gmail and Apple
Mail, in French, English and Spanish (``tests/fixtures/mail/``), land as answers with only the
new text; files become partner-only resources; robots are ignored and others refused with
nothing kept; a listener killed after accepting a message loses nothing and posts it once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.discussions import start_discussion
from models.errors import Invalid
from models.inbound_mail import InboundMail
from models.mail import (
    MailNotice,
    reply_address,
    set_list_choice,
    set_mail_mode,
    started_visibility,
)
from models.markup import to_html
from models.media import MediaFile
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from models.visibility import may_view
from server.mail_in import process_pending
from server.mail_in_listener import accept, serve
from tests.conftest import here, make_account
from tests.servers import ROOT, STARTUP, free_port
from tests.web import test_mail
from tests.web.test_mail import Inbox

FIXTURES = here() / "fixtures" / "mail"
smtp = test_mail.smtp  # the local SMTP server catching what we mail out (refusals)
HOST = "testserver.localhost"


@dataclass
class Scene:
    config: Settings
    maelle: Account
    ines: Account
    jorge: Account
    olga: Account  # not a member
    twinning: Twinning
    thread: ContentItem

    def reply_to(self, reader: Account) -> str:
        return reply_address(self.config, reader.id, self.thread.id)


async def _scene(settings: Settings, smtp_url: str = "") -> Scene:
    config = replace(settings, smtp_url=smtp_url)
    maelle = await make_account("maelle", locale="fr")
    ines = await make_account("ines", locale="fr")
    jorge = await make_account("jorge", locale="es")
    olga = await make_account("olga", locale="es")
    twinning = await create_twinning(
        maelle, "brest", TwinningInput(title={"fr": "Brest – La Paz", "es": "Brest – La Paz"})
    )
    for person in (ines, jorge):
        await Membership.create(twinning=twinning, account=person, state="accepted")
    await set_mail_mode(maelle, "each")
    thread = await start_discussion(
        maelle,
        twinning,
        "partners",
        {"fr": "Budget", "es": "Presupuesto"},
        {"fr": "Proposition A", "es": "Propuesta A"},
    )
    return Scene(config, maelle, ines, jorge, olga, twinning, thread)


def _mail(name: str, to: str, sender: str, in_reply_to: str = "") -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = text.replace("{{to}}", to).replace("{{from}}", sender)
    return text.replace("{{in_reply_to}}", in_reply_to).encode()


def _thread_id(scene: Scene) -> str:
    return f"<item-{scene.thread.id}@{HOST}>"


@contextlib.asynccontextmanager
async def _listening(config: Settings, lmtp: bool = False) -> AsyncIterator[int]:
    port = free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(serve(config, "127.0.0.1", port, lmtp, stop))
    while not await _answers(port):
        assert not task.done(), task.exception()
        await asyncio.sleep(0.05)
    try:
        yield port
    finally:
        stop.set()
        await task


async def _answers(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


def _send(port: int, sender: str, to: str, raw: bytes, lmtp: bool = False) -> None:
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    with client:  # on the wire, lines end in CRLF (the fixtures are stored with LF)
        client.sendmail(sender, [to], raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


async def _settled() -> None:
    """Until every stored mail is processed (the listener does it right after accepting)."""
    deadline = time.monotonic() + STARTUP
    while await InboundMail.filter(processed_at=None).exists():
        assert time.monotonic() < deadline, "stored mail never processed"
        await asyncio.sleep(0.05)


def _cli_env(config: Settings, smtp_url: str = "") -> dict[str, str]:
    url = config.database_url
    if url.startswith("sqlite://"):  # the test's own connection shares the file
        url += ("&" if "?" in url else "?") + "busy_timeout=10000"
    return {
        **os.environ,
        "JUMELAGE_DATA_DIR": str(config.data_dir),
        "JUMELAGE_DATABASE_URL": url,
        "JUMELAGE_DOMAIN": HOST,
        "JUMELAGE_ALLOW_PRIVATE_ADDRESSES": "1",
        "JUMELAGE_SMTP_URL": smtp_url,
    }


def _receive(config: Settings, raw: bytes, sender: str, to: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """``jumelage mail receive`` as Postfix's pipe runs it."""
    command = [sys.executable, "-m", "server.cli", "mail", "receive"]
    command += ["--sender", sender, "--recipient", to]
    return subprocess.run(
        command, input=raw, env=_cli_env(config, config.smtp_url), cwd=ROOT, capture_output=True
    )


async def _answers_of(scene: Scene) -> list[ContentItem]:
    return list(await ContentItem.filter(in_reply_to_id=scene.thread.id).order_by("id"))


REPLIES = [
    ("thunderbird_fr.eml", "ines", "fr", "D'accord pour le budget, on valide mardi."),
    ("outlook_fr.eml", "ines", "fr", "Très bien pour moi, je réserve la salle."),
    ("apple_mail_fr.eml", "ines", "fr", "Ça me va, je préviens la mairie."),
    ("outlook_en.eml", "jorge", "en", "Fine by me, let's meet on Tuesday to sign it."),
    ("apple_mail_en.eml", "jorge", "en", "Sounds good; I will bring the signed copy."),
    ("gmail_es.eml", "jorge", "es", "De acuerdo, lo vemos el martes con la alcaldía."),
    ("outlook_es.eml", "jorge", "es", "Me parece bien, enviaré el acta el lunes."),
]


@pytest.mark.parametrize(("fixture", "who", "language", "expected"), REPLIES)
async def test_a_reply_by_mail_lands_as_an_answer_with_only_the_new_text(
    settings: Settings, fixture: str, who: str, language: str, expected: str
) -> None:
    scene = await _scene(settings)
    member: Account = getattr(scene, who)
    raw = _mail(fixture, scene.reply_to(member), member.email, _thread_id(scene))
    async with _listening(scene.config) as port:
        await asyncio.to_thread(_send, port, member.email, scene.reply_to(member), raw)
        await _settled()
    [answer] = await _answers_of(scene)
    assert answer.author_id == member.id and answer.visibility == "partners"
    assert answer.content_map == {language: expected}
    assert (await InboundMail.get()).outcome == "posted"
    # What follows a post follows here too: Maëlle, who asked for each message, is to hear of it.
    assert await MailNotice.filter(account=scene.maelle, item=answer).exists()


async def test_an_html_only_mail_becomes_sanitised_markdown(settings: Settings) -> None:
    scene = await _scene(settings)
    to = scene.reply_to(scene.jorge)
    raw = _mail("gmail_en_html_only.eml", to, scene.jorge.email, _thread_id(scene))
    async with _listening(scene.config, lmtp=True) as port:
        await asyncio.to_thread(_send, port, scene.jorge.email, to, raw, True)
        await _settled()
    [answer] = await _answers_of(scene)
    text = answer.content_map["en"]
    assert text == "Agreed, **Tuesday** works for the [agenda](https://example.org/agenda)."
    html = to_html(text, "markdown")
    assert "<strong>Tuesday</strong>" in html and "script" not in html and "Proposal" not in html


async def test_an_attachment_becomes_a_partner_only_resource(settings: Settings) -> None:
    scene = await _scene(settings)
    to = scene.reply_to(scene.jorge)
    raw = _mail("thunderbird_es_attachment.eml", to, scene.jorge.email, _thread_id(scene))
    done = await asyncio.to_thread(_receive, scene.config, raw, scene.jorge.email, to)
    assert done.returncode == 0, done.stderr
    [answer] = await _answers_of(scene)
    resource = await ContentItem.get(kind="resource")
    assert resource.twinning_id == scene.twinning.id and resource.visibility == "partners"
    assert resource.title_map == {"es": "presupuesto-2027.pdf"}
    assert await MediaFile.filter(item_id=resource.id, media_type="application/pdf").exists()
    assert answer.content_map["es"].startswith("Adjunto el presupuesto revisado")
    assert f"/t/brest/updates/{resource.id}" in answer.content_map["es"]
    assert await may_view(scene.ines, resource) and not await may_view(scene.olga, resource)
    assert not await may_view(None, resource)


async def test_a_mail_to_the_list_address_starts_a_partner_only_thread(settings: Settings) -> None:
    scene = await _scene(settings)
    raw = _mail("new_thread_fr.eml", f"brest@{HOST}", scene.ines.email)
    done = await asyncio.to_thread(_receive, scene.config, raw, scene.ines.email, f"brest@{HOST}")
    assert done.returncode == 0, done.stderr
    started = await ContentItem.get(kind="discussion", author_id=scene.ines.id)
    assert started.title_map == {"fr": "Calendrier des visites"}
    assert started.visibility == "partners" and started.twinning_id == scene.twinning.id
    assert started.content_map["fr"].endswith("vienne à Brest en mars.")
    assert "Inès Martin" not in started.content_map["fr"]  # the signature is cut


async def test_a_member_who_chose_public_starts_public_threads_by_mail(
    settings: Settings,
) -> None:
    """The visibility of threads started by mail is the member's choice for that list; an
    answer by mail keeps its thread's audience whatever she chose."""
    scene = await _scene(settings)
    await set_list_choice(scene.ines, f"t{scene.twinning.id}", "", "public")
    raw = _mail("new_thread_fr.eml", f"brest@{HOST}", scene.ines.email)
    done = await asyncio.to_thread(_receive, scene.config, raw, scene.ines.email, f"brest@{HOST}")
    assert done.returncode == 0, done.stderr
    started = await ContentItem.get(kind="discussion", author_id=scene.ines.id)
    assert started.visibility == "public"
    assert await may_view(None, started)
    to = scene.reply_to(scene.ines)
    answer = _mail("thunderbird_fr.eml", to, scene.ines.email, _thread_id(scene))
    done = await asyncio.to_thread(_receive, scene.config, answer, scene.ines.email, to)
    assert done.returncode == 0, done.stderr
    (reply,) = await _answers_of(scene)
    assert reply.visibility == "partners" and not await may_view(None, reply)


async def test_one_cannot_choose_for_a_list_one_does_not_belong_to(settings: Settings) -> None:
    scene = await _scene(settings)
    with pytest.raises(Invalid):
        await set_list_choice(scene.olga, f"t{scene.twinning.id}", "each", "public")
    with pytest.raises(Invalid):
        await set_list_choice(scene.ines, f"t{scene.twinning.id}", "each", "everyone")
    assert await started_visibility(scene.olga, scene.twinning) == "partners"


def _forged(scene: Scene) -> tuple[bytes, str, str]:
    """Jorge writes to Inès's reply address: the token is right, the sender is not her."""
    to = scene.reply_to(scene.ines)
    return _mail("thunderbird_fr.eml", to, scene.jorge.email, _thread_id(scene)), "jorge", to


def _wrong_token(scene: Scene) -> tuple[bytes, str, str]:
    to = f"reply+{scene.ines.id}.{scene.thread.id}.{'a' * 24}@{HOST}"
    return _mail("thunderbird_fr.eml", to, scene.ines.email, _thread_id(scene)), "ines", to


def _non_member(scene: Scene) -> tuple[bytes, str, str]:
    to = f"brest@{HOST}"
    return _mail("new_thread_fr.eml", to, scene.olga.email), "olga", to


REFUSED = {"forged sender": _forged, "wrong token": _wrong_token, "non-member": _non_member}
EXPLANATIONS = {
    "forged sender": "dirección de respuesta es de otro miembro",
    "wrong token": "adresse de réponse n'est pas valable",
    "non-member": "Solo los miembros del hermanamiento",
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_refused_mail_is_explained_once_a_day_and_nothing_is_kept(
    settings: Settings, smtp: tuple[str, Inbox], case: str
) -> None:
    url, inbox = smtp
    scene = await _scene(settings, url)
    before = await ContentItem.all().count()
    raw, who, to = REFUSED[case](scene)
    sender: Account = getattr(scene, who)
    async with _listening(scene.config) as port:
        await asyncio.to_thread(_send, port, sender.email, to, raw)
        await _settled()
        again = raw.replace(b"Message-ID: <", b"Message-ID: <again-")
        await asyncio.to_thread(_send, port, sender.email, to, again)
        await _settled()
    assert await ContentItem.all().count() == before
    rows = await InboundMail.all()
    assert [(r.outcome, r.source) for r in rows] == [("refused", ""), ("refused", "")]
    [told] = inbox.messages  # once, though the sender wrote twice
    assert told["To"] == sender.email and told["Auto-Submitted"] == "auto-replied"
    assert EXPLANATIONS[case] in str(told.get_content())  # type: ignore[attr-defined]


ROBOTS = {
    "out of office": lambda raw: raw,
    "precedence bulk": lambda raw: b"Precedence: bulk\n" + _plain(raw),
    "x-autoreply": lambda raw: b"X-Autoreply: yes\n" + _plain(raw),
    "our own list": lambda raw: f"List-Id: <brest.{HOST}>\n".encode() + _plain(raw),
    "french subject": lambda raw: _plain(raw).replace(
        b"Subject: ", b"Subject: =?utf-8?q?R=C3=A9ponse_automatique?= : ", 1
    ),
}


def _plain(raw: bytes) -> bytes:
    return raw.replace(b"Auto-Submitted: auto-replied\n", b"").replace(b"Automatic reply: ", b"")


@pytest.mark.parametrize("case", list(ROBOTS))
async def test_auto_replies_are_ignored_and_never_answered(
    settings: Settings, smtp: tuple[str, Inbox], case: str
) -> None:
    url, inbox = smtp
    scene = await _scene(settings, url)
    before = await ContentItem.all().count()
    to = scene.reply_to(scene.jorge)
    raw = ROBOTS[case](_mail("out_of_office_en.eml", to, scene.jorge.email, _thread_id(scene)))
    async with _listening(scene.config) as port:
        await asyncio.to_thread(_send, port, scene.jorge.email, to, raw)
        await _settled()
    assert await ContentItem.all().count() == before
    assert [(r.outcome, r.source) for r in await InboundMail.all()] == [("ignored", "")]
    assert inbox.messages == []


async def test_a_bounce_is_never_answered(settings: Settings, smtp: tuple[str, Inbox]) -> None:
    url, inbox = smtp
    scene = await _scene(settings, url)
    raw = _mail("thunderbird_fr.eml", f"brest@{HOST}", "mailer-daemon@example.org")
    async with _listening(scene.config) as port:
        await asyncio.to_thread(_send, port, "", f"brest@{HOST}", raw)
        await _settled()
    assert (await InboundMail.get()).outcome == "ignored" and inbox.messages == []


async def test_oversize_and_foreign_mail_are_refused_at_smtp_time(settings: Settings) -> None:
    scene = await _scene(settings)
    to = scene.reply_to(scene.ines)
    huge = _mail("thunderbird_fr.eml", to, scene.ines.email) + b"x" * (25 * 1024 * 1024)
    async with _listening(scene.config) as port:
        with pytest.raises(smtplib.SMTPSenderRefused) as too_big:
            await asyncio.to_thread(_send, port, scene.ines.email, to, huge)
        assert too_big.value.smtp_code == 552
        for foreign in ("ines@example.net", f"nosuchlist@{HOST}"):
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                await asyncio.to_thread(_send, port, scene.ines.email, foreign, b"Hi\n")
    assert not await InboundMail.exists()


async def test_a_message_delivered_twice_is_posted_once(settings: Settings) -> None:
    scene = await _scene(settings)
    to = scene.reply_to(scene.ines)
    raw = _mail("outlook_fr.eml", to, scene.ines.email, _thread_id(scene))
    assert await accept(raw, [to], scene.ines.email) == 1
    assert await accept(raw, [to], scene.ines.email) == 0  # the mail server tried again
    assert await process_pending(scene.config) == 1
    assert await process_pending(scene.config) == 0
    assert len(await _answers_of(scene)) == 1


@contextlib.contextmanager
def _mail_server(config: Settings, port: int, log: Path) -> Iterator[subprocess.Popen]:  # type: ignore[type-arg]
    command = [sys.executable, "-m", "server.cli", "mail", "serve"]
    command += ["--listen", f"127.0.0.1:{port}"]
    with log.open("ab") as out:
        proc = subprocess.Popen(command, env=_cli_env(config), cwd=ROOT, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + STARTUP
        while not _port_open(port):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


async def test_a_listener_killed_after_accepting_loses_nothing_and_posts_once(
    settings: Settings, tmp_path: Path
) -> None:
    scene = await _scene(settings)
    to = scene.reply_to(scene.jorge)
    raw = _mail("gmail_es.eml", to, scene.jorge.email, _thread_id(scene))
    port, log = free_port(), tmp_path / "mail-serve.log"
    with _mail_server(scene.config, port, log) as proc:
        await asyncio.to_thread(_send, port, scene.jorge.email, to, raw)
        proc.kill()  # SIGKILL right after the 250: no chance to tidy up
        proc.wait(timeout=30)
    assert await InboundMail.filter(recipient=to).count() == 1  # accepted means stored
    with _mail_server(scene.config, port, log):
        await _settled()  # the restart takes up whatever the crash left
    [answer] = await _answers_of(scene)
    assert answer.content_map == {"es": "De acuerdo, lo vemos el martes con la alcaldía."}
    assert (await InboundMail.get()).outcome == "posted"
