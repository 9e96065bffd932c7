"""The two ways the admin's mail server hands mail over: an SMTP or LMTP listener on aiosmtpd
(``jumelage mail serve``, for Postfix's ``transport`` or Exim's router) and one message on
standard input (``jumelage mail receive``, for a pipe). Both store the message raw and only
then say "accepted"; processing follows from the table (``server/mail_in.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import email.policy
import logging
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from tortoise.exceptions import BaseORMException

from models.config import Settings
from models.inbound_mail import MAX_MESSAGE, store_raw
from models.mail import BOUNCE_PREFIX, REPLY_PREFIX, list_domain
from models.twinnings import Twinning
from server.mail_in import process_pending

log = logging.getLogger(__name__)
IDLE_SLEEP = 5.0
MAX_RECIPIENTS = 20


def message_id_of(raw: bytes) -> str:
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    return str(headers.get("Message-ID", "") or "").strip()


async def accept(raw: bytes, recipients: list[str], envelope_from: str) -> int:
    """Stores the message for each recipient; the number of new rows (0: seen before)."""
    return len(await store_raw(raw, message_id_of(raw), recipients, envelope_from))


class Handler:
    """aiosmtpd hooks: recipients outside the mail domain are refused at RCPT time (we relay
    nothing); the message is committed to the database before the 250 answer."""

    def __init__(self, settings: Settings, wake: asyncio.Event, lmtp: bool) -> None:
        self.domain = list_domain(settings)
        self.wake = wake
        self.lmtp = lmtp

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        local, _, domain = address.lower().rpartition("@")
        if domain != self.domain:
            return "550 5.1.1 not an address of this server"
        if not await _is_ours(local):
            return "550 5.1.1 no such list here"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)
        sender = envelope.mail_from or ""
        try:
            await accept(raw, list(envelope.rcpt_tos), sender)
        except (BaseORMException, OSError) as exc:
            log.warning("inbound mail not stored: %s", exc)
            return self._status("451 4.3.0 try again later", envelope)
        self.wake.set()
        return self._status("250 2.0.0 OK", envelope)

    def _status(self, status: str, envelope: Envelope) -> str:
        """LMTP answers DATA once per recipient (RFC 2033)."""
        if not self.lmtp:
            return status
        return "\r\n".join([status] * max(1, len(envelope.rcpt_tos)))


async def _is_ours(local: str) -> bool:
    """Reply and bounce addresses (their codes are checked when processed, so a wrong one is
    told why) and the twinnings' list addresses; anything else is refused at RCPT time, so
    the sending server, not we, tells its sender."""
    if local.startswith((REPLY_PREFIX, BOUNCE_PREFIX)):
        return True
    return await Twinning.exists(slug=local)


async def serve(settings: Settings, host: str, port: int, lmtp: bool, stop: asyncio.Event) -> None:
    """Listens until ``stop``; what is stored is processed right after, and what a previous
    run left unprocessed (a crash) at start."""
    wake = asyncio.Event()
    handler = Handler(settings, wake, lmtp)
    protocol = LMTP if lmtp else SMTP
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: protocol(
            handler,
            data_size_limit=MAX_MESSAGE,
            enable_SMTPUTF8=True,
            hostname=list_domain(settings),
            ident="Jumelage",
        ),
        host,
        port,
    )
    print(f"mail {'LMTP' if lmtp else 'SMTP'} listener on {host}:{port}", flush=True)
    try:
        while not stop.is_set():
            wake.clear()
            try:
                await process_pending(settings)
            except BaseORMException:  # a database hiccup: the mail waits for the next pass
                log.exception("inbound mail pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(wake, stop), IDLE_SLEEP)
    finally:
        server.close()
        await server.wait_closed()


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()


def pipe_recipients(raw: bytes, given: list[str], domain: str) -> list[str]:
    """The recipients a pipe was given, else those the delivering server wrote in the
    headers (Delivered-To, X-Original-To), else the To and Cc addresses of our domain."""
    if given:
        return given
    headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
    for name in ("Delivered-To", "X-Original-To", "Envelope-To"):
        found = [str(v).strip().strip("<>") for v in headers.get_all(name, [])]
        if found:
            return found
    listed = getaddresses([str(v) for v in headers.get_all("To", []) + headers.get_all("Cc", [])])
    return [a for _, a in listed if a.lower().endswith("@" + domain)]


def pipe_sender(raw: bytes, given: str | None) -> str:
    """The envelope sender: as given, else the Return-Path the delivering server added (empty
    for a bounce), else the From address."""
    if given is not None:
        return given
    headers = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    path = headers.get("Return-Path")
    if path is not None:
        return str(path).strip().strip("<>")
    return parseaddr(str(headers.get("From", "") or ""))[1]
