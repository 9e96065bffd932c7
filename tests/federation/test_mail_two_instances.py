"""A twinning's list across two real instances, each with its own real SMTP server (aiosmtpd):
Jorge, on B, belongs to a twinning of A and chose, for that twinning's list, one mail per
message. Maëlle starts a trilingual partner-only discussion on A; B mails it to Jorge in
Spanish, with B's own reply address for him. He answers that mail; B's mail server hands the
answer to ``jumelage mail receive`` on B; the answer lands in the thread on A without the quoted
text, and A mails it to Maëlle in French."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage, Message
from email.utils import make_msgid
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.federation.test_two_instances import (
    _eventually,
    _post,
    _session,
    _subscribe,
    databases,
    two_instances,
)
from tests.servers import ROOT, free_port, running_server, server_env
from tests.web.test_mail import Inbox

__all__ = ["databases"]
TITLES = {
    "subject_fr": "Budget participatif",
    "subject_es": "Presupuesto participativo",
    "subject_en": "Participatory budget",
}
ANSWER = "Estamos de acuerdo con la primera propuesta."


@pytest.fixture
def sinks() -> Iterator[tuple[Inbox, Inbox, int, int]]:
    """One SMTP server per instance: what A mails, what B mails."""
    inboxes = (Inbox(), Inbox())
    controllers = [Controller(i, hostname="127.0.0.1", port=free_port()) for i in inboxes]
    for controller in controllers:
        controller.start()
    yield inboxes[0], inboxes[1], controllers[0].port, controllers[1].port
    for controller in controllers:
        controller.stop()


def _mail_to(inbox: Inbox, address: str, subject: str) -> Message | None:
    return next((m for m in inbox.messages if m["To"] == address and m["Subject"] == subject), None)


def _text(message: Message) -> str:
    return str(message.get_content())  # type: ignore[attr-defined]


def _answer(mailed: Message) -> bytes:
    """Jorge's reply as his mail client writes it: his words, then the quoted mail."""
    answer = EmailMessage()
    answer["From"] = "Jorge <jorge@b.org>"
    answer["To"] = mailed["Reply-To"]
    answer["Subject"] = f"Re: {mailed['Subject']}"
    answer["Message-ID"] = make_msgid(domain="b.org")
    answer["In-Reply-To"] = mailed["Message-ID"]
    answer["References"] = mailed["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in _text(mailed).splitlines())
    answer.set_content(f"{ANSWER}\n\nEl 4 dic 2026, Brest escribió:\n{quoted}\n")
    return answer.as_bytes()


def _receive(env: dict[str, str], raw: bytes, recipient: str) -> None:
    """What B's mail server does with mail for B's domain: the pipe command."""
    command = [sys.executable, "-m", "server.cli", "mail", "receive", "--sender", "jorge@b.org"]
    done = subprocess.run(
        [*command, "--recipient", recipient],
        input=raw,
        env=env,
        cwd=ROOT,
        timeout=120,
        capture_output=True,
    )
    assert done.returncode == 0, done.stderr.decode()


async def _join(jorge: httpx.AsyncClient, maelle: httpx.AsyncClient, handle: str) -> None:
    await _subscribe(jorge, handle, "join")

    async def join_request_arrived() -> bool:
        return "remote_id" in (await maelle.get("/t/brest_lapaz/members")).text

    await _eventually(join_request_arrived)
    remote_id = re.search(
        r'name="remote_id" value="(\d+)"', (await maelle.get("/t/brest_lapaz/members")).text
    )
    assert remote_id
    members = "/t/brest_lapaz/members"
    await _post(maelle, members, members, {"action": "approve_remote", "remote_id": remote_id[1]})

    async def accepted() -> bool:
        return "waiting for approval" not in (await jorge.get("/remote")).text

    await _eventually(accepted)


async def _choose(web: httpx.AsyncClient, locale: str, **mail: str) -> None:
    """The interface's language, then a mail choice, on the settings page."""
    profile = {"action": "profile", "locale": locale, "display_name": "", "bio": ""}
    await _post(web, "/settings", "/settings", profile)
    await _post(web, "/settings", "/settings", mail)


async def test_a_member_on_b_answers_a_discussion_of_a_by_mail(
    tmp_path: Path,
    databases: tuple[str, str],
    sinks: tuple[Inbox, Inbox, int, int],
) -> None:
    inbox_a, inbox_b, smtp_a, smtp_b = sinks
    port_a, port_b = two_instances(tmp_path, databases, ("jorge",))
    mail_a = {"JUMELAGE_SMTP_URL": f"smtp://127.0.0.1:{smtp_a}", "JUMELAGE_MAIL_DOMAIN": "a.test"}
    mail_b = {"JUMELAGE_SMTP_URL": f"smtp://127.0.0.1:{smtp_b}", "JUMELAGE_MAIL_DOMAIN": "b.test"}
    with (
        running_server(tmp_path / "a", databases[0], port=port_a, **mail_a) as base_a,
        running_server(tmp_path / "b", databases[1], port=port_b, **mail_b) as base_b,
    ):
        maelle, jorge = await _session(base_a, "maelle"), await _session(base_b, "jorge")
        await _join(jorge, maelle, f"@brest_lapaz@127.0.0.1:{port_a}")
        await _choose(maelle, "fr", action="mail", mail="each", periodic="")
        settings_b = (await jorge.get("/settings")).text
        key = re.search(r'name="list" value="(g\d+)"', settings_b)
        assert key, "the twinning of A is one of Jorge's lists on B"
        await _choose(jorge, "es", action="mail_list", list=key[1], mode="each", started="partners")
        assert 'value="each" selected' in (await jorge.get("/settings")).text

        thread_url = await _post(
            maelle,
            "/t/brest_lapaz",
            "/t/brest_lapaz/discussions",
            {**TITLES, "message_fr": "Première proposition", "visibility": "partners"},
        )

        async def mailed_on_b() -> bool:
            return _mail_to(inbox_b, "jorge@b.org", "[Brest] Presupuesto participativo") is not None

        await _eventually(mailed_on_b, seconds=90)
        mailed = _mail_to(inbox_b, "jorge@b.org", "[Brest] Presupuesto participativo")
        assert mailed is not None
        reply_to = str(mailed["Reply-To"])
        assert re.fullmatch(r"reply\+\d+\.\d+\.[a-z2-7]{24}@b\.test", reply_to), reply_to
        assert mailed["List-Post"] == f"<mailto:{reply_to}>"
        assert "escribió" in _text(mailed) and "Première proposition" in _text(mailed)

        _receive(
            server_env(tmp_path / "b", databases[1], port_b, **mail_b), _answer(mailed), reply_to
        )

        async def answer_on_a() -> bool:
            return ANSWER in (await maelle.get(thread_url)).text

        await _eventually(answer_on_a, seconds=90)
        page = (await maelle.get(thread_url)).text
        assert "escribió" not in page and "&gt; " not in page  # only his new words

        async def mailed_on_a() -> bool:
            return _mail_to(inbox_a, "m@a.org", "[Brest] Budget participatif") is not None

        await _eventually(mailed_on_a, seconds=90)
        to_maelle = _mail_to(inbox_a, "m@a.org", "[Brest] Budget participatif")
        assert to_maelle is not None
        body = _text(to_maelle)
        assert ANSWER in body and "a écrit" in body and "jorge" in body.lower()
        assert re.fullmatch(
            r"<?reply\+\d+\.\d+\.[a-z2-7]{24}@a\.test>?", str(to_maelle["Reply-To"])
        )
        assert all(m["To"] != "m@a.org" for m in inbox_b.messages)  # B mails its own only
        await maelle.aclose()
        await jorge.aclose()
