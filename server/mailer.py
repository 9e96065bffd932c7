"""Sends the mail notices (``models/mail.py``) through ``JUMELAGE_SMTP_URL``: one mail per
message for members who chose that, one digest a day for the others, each in the member's
language. Runs beside the federation worker."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.langmap import pick
from models.mail import (
    MailNotice,
    discussion_of,
    due_digests,
    due_single,
    mark_failed,
    mark_sent,
    now,
)
from models.remote import RemoteActor
from models.twinnings import Twinning
from server import i18n

log = logging.getLogger(__name__)
IDLE_SLEEP = 5.0
TIMEOUT = 30.0


async def _send(settings: Settings, message: EmailMessage) -> None:
    parts = urlsplit(settings.smtp_url)
    query = parse_qs(parts.query)
    await aiosmtplib.send(
        message,
        hostname=parts.hostname or "localhost",
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=parts.scheme == "smtps",
        start_tls=query.get("starttls", ["0"])[0] == "1",
        timeout=TIMEOUT,
    )


async def _entry(settings: Settings, item: ContentItem, lang: str) -> tuple[str, str, str]:
    """(twinning title, thread title, text with its author and address) of a message."""
    thread = await discussion_of(item)
    assert thread is not None and thread.twinning_id is not None
    twinning = await Twinning.get(id=thread.twinning_id)
    _, twinning_title = pick(twinning.title_map, lang, twinning.primary_language)
    _, subject = pick(thread.title_map, lang, thread.primary_language)
    _, text = pick(item.content_map, lang, item.primary_language)
    author: Account | RemoteActor | None = (
        await Account.get_or_none(id=item.author_id)
        if item.author_id
        else await RemoteActor.get_or_none(id=item.remote_author_id)
    )
    name = getattr(author, "name", "") or getattr(author, "handle", "")
    url = f"{settings.base_url}/t/{twinning.slug}/updates/{thread.id}"
    if item.id != thread.id:
        url += f"#reply-{item.id}"
    body = i18n.gettext("%(name)s wrote:", name=name) + f"\n\n{text}\n\n{url}\n"
    return twinning_title, subject, body


def _message(settings: Settings, to: Account, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to.email
    message["Subject"] = subject
    message["Auto-Submitted"] = "auto-generated"
    footer = i18n.gettext("You receive this because you asked for e-mail in your settings:")
    message.set_content(f"{body}\n-- \n{footer}\n{settings.base_url}/settings\n")
    return message


def _language(settings: Settings, account: Account) -> str:
    return account.locale or settings.default_locale


async def _deliver(
    settings: Settings,
    notices: list[MailNotice],
    message: EmailMessage,
    when: datetime,
    digest: bool,
) -> bool:
    try:
        await _send(settings, message)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("mail to %s failed: %s", message["To"], exc)
        await mark_failed(notices, when)
        return False
    await mark_sent(notices, when, digest=digest)
    return True


async def send_due(settings: Settings, when: datetime | None = None) -> int:
    """One pass over the notices; the number of mails sent."""
    if not settings.smtp_url:
        return 0
    when = when or now()
    sent = 0
    for notice in await due_single(when):
        account = await Account.get(id=notice.account_id)
        i18n.set_locale(_language(settings, account))
        item = await ContentItem.get(id=notice.item_id)
        twinning_title, subject, body = await _entry(settings, item, i18n.current_locale())
        message = _message(settings, account, f"[{twinning_title}] {subject}", body)
        sent += await _deliver(settings, [notice], message, when, digest=False)
    for account_id, notices in (await due_digests(when)).items():
        account = await Account.get(id=account_id)
        i18n.set_locale(_language(settings, account))
        sections = []
        for notice in notices:
            item = await ContentItem.get(id=notice.item_id)
            twinning_title, subject, body = await _entry(settings, item, i18n.current_locale())
            sections.append(f"== [{twinning_title}] {subject}\n\n{body}")
        title = i18n.ngettext(
            "Your daily digest: %(num)s new message",
            "Your daily digest: %(num)s new messages",
            len(notices),
        )
        message = _message(settings, account, title, "\n\n".join(sections))
        sent += await _deliver(settings, notices, message, when, digest=True)
    return sent


async def run(settings: Settings, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await send_due(settings)
        except Exception:  # a database hiccup must not end the loop; logged and retried
            log.exception("mail cycle failed")
        try:
            await asyncio.wait_for(stop.wait(), IDLE_SLEEP)
        except TimeoutError:
            pass
