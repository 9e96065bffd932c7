"""What follows a list's mail besides answers: bounces at each member's VERP return path,
counted until repeated hard ones stop her mail (and her settings say so); and a discussion
exported as an mbox file for those who may read it."""

from __future__ import annotations

import asyncio
import mailbox
from pathlib import Path

import httpx
from aiosmtpd.controller import Controller

from models.accounts import Account
from models.config import Settings
from models.discussions import start_discussion
from models.inbound_mail import InboundMail
from models.mail import MailPreference, bounce_address, set_mail_mode
from models.posting import post_reply
from server.mailer import send_due
from tests.conftest import log_in
from tests.servers import free_port
from tests.web.test_mail import Inbox
from tests.web.test_mail_in import HOST, _listening, _mail, _scene, _send, _settled


class Envelopes(Inbox):
    """Our outgoing mail with its envelope sender (the VERP return path)."""

    def __init__(self) -> None:
        super().__init__()
        self.senders: list[str] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.senders.append(envelope.mail_from)  # type: ignore[attr-defined]
        return await super().handle_DATA(server, session, envelope)


def _bounce(to: str, member: Account, status: str, serial: int) -> bytes:
    raw = _mail("bounce_postfix.eml", to, member.email)
    return raw.replace(b"{{status}}", status.encode()).replace(b"{{serial}}", b"%d" % serial)


async def test_hard_bounces_at_the_verp_address_stop_a_members_mail(
    settings: Settings, app, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    outgoing = Envelopes()
    controller = Controller(outgoing, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        scene = await _scene(settings, f"smtp://127.0.0.1:{controller.port}")
        await set_mail_mode(scene.ines, "each")
        await start_discussion(scene.jorge, scene.twinning, "partners", {"es": "A"}, {"es": "B"})
        assert await send_due(scene.config) == 2  # Maëlle and Inès
        verp = bounce_address(scene.config, scene.ines.id)
        assert verp in outgoing.senders
        forged = verp.replace(f"bounce+{scene.ines.id}.", f"bounce+{scene.maelle.id}.")
        async with _listening(scene.config) as port:
            for serial, (to, status) in enumerate(
                [(verp, "4.2.2"), (forged, "5.1.1"), (verp, "5.1.1"), (verp, "5.1.1")]
            ):
                raw = _bounce(to, scene.ines, status, serial)
                await asyncio.to_thread(_send, port, "", to, raw)
            await _settled()
            ines = await MailPreference.get(account=scene.ines)
            assert ines.hard_bounces == 2 and ines.stopped_at is None  # full mailbox: no count
            assert (await MailPreference.get(account=scene.maelle)).hard_bounces == 0
            await asyncio.to_thread(_send, port, "", verp, _bounce(verp, scene.ines, "5.1.1", 9))
            await _settled()
        assert (await MailPreference.get(account=scene.ines)).stopped_at is not None
        assert {r.outcome for r in await InboundMail.all()} == {"bounced"}
        sent = len(outgoing.messages)
        await start_discussion(scene.jorge, scene.twinning, "partners", {"es": "C"}, {"es": "D"})
        assert await send_due(scene.config) == 1  # Maëlle only
        assert [m["To"] for m in outgoing.messages[sent:]] == [scene.maelle.email]
        app.state.settings = scene.config
        await log_in(client, "ines")
        page = (await client.get("/settings")).text
        assert "Les courriels envoyés à ines@example.org revenaient sans" in page
        assert f"&lt;name&gt;@{HOST}" in page  # where to write to start a thread
        await set_mail_mode(scene.ines, "each")  # choosing again starts afresh
        assert (await MailPreference.get(account=scene.ines)).hard_bounces == 0
    finally:
        controller.stop()


async def test_a_discussion_exports_as_mbox_for_those_who_may_read_it(
    settings: Settings, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    scene = await _scene(settings)
    answer = await post_reply(scene.ines, scene.thread, {"fr": "From the start: oui.\nBien."})
    path = f"/t/brest/updates/{scene.thread.id}/mbox"
    assert (await client.get(path)).status_code == 404  # partners only: not for visitors
    await log_in(client, "olga")
    assert (await client.get(path)).status_code == 404  # nor for a non-member
    await log_in(client, "jorge")
    page = (await client.get(f"/t/brest/updates/{scene.thread.id}")).text
    assert f'href="{path}"' in page  # the discussion's page links its export
    got = await client.get(path)
    assert got.status_code == 200 and got.headers["content-type"] == "application/mbox"
    assert got.headers["cache-control"] == "private, no-store"
    (tmp_path / "thread.mbox").write_bytes(got.content)
    messages = list(mailbox.mbox(tmp_path / "thread.mbox"))
    assert [m["Message-ID"] for m in messages] == [
        f"<item-{scene.thread.id}@{HOST}>",
        f"<item-{answer.id}@{HOST}>",
    ]
    assert messages[1]["In-Reply-To"] == messages[0]["Message-ID"]
    assert messages[1]["Subject"] == "Re: Budget"
    assert ">From the start: oui." in messages[1].get_payload(decode=True).decode()
    assert "ines@example.org" not in got.text  # the list's address, never a member's
    assert f"brest@{HOST}" in messages[1]["From"]
