"""Taking part in discussions by e-mail. A stored mail (``models/inbound_mail.py``) is read
once: to a member's reply address (``reply+<member>.<thread>.<hmac>@``) it becomes an answer in
that thread; to a list address (``<slug>@``) it starts a thread, partner-only unless its author
chose otherwise for that list. Either goes
through the very functions the web forms call, so federation, notifications and mails follow
from there. Robots are ignored; anyone else who may not post hears why, once a day, in their
language, and nothing of their mail is kept."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
from tortoise.exceptions import BaseORMException

from models.accounts import Account
from models.config import LOCALES, Settings
from models.content import ContentItem
from models.discussions import start_discussion
from models.errors import N_, ModelError, NotAllowed
from models.happenings import acting
from models.inbound_mail import InboundMail, claim, first_refusal_today, pending
from models.langdetect import detect
from models.mail import (
    BOUNCE_PREFIX,
    bounce_target,
    count_bounce,
    list_domain,
    reply_target,
    started_visibility,
)
from models.posting import post_reply
from models.resources import ResourceInput, add_resource
from models.twinnings import Twinning, membership_of
from server import i18n
from server.mail_in_text import Attachment, Received, delivery_status, is_automatic, parse
from server.mailer import send_message

log = logging.getLogger(__name__)
_ITEM_ID = re.compile(r"<item-(\d{1,12})@")

REASONS = {
    "no_list": N_("There is no discussion list at this address."),
    "wrong_token": N_(
        "This reply address is not valid. Answer a message mail you received, or write on "
        "the discussion's page."
    ),
    "not_yours": N_(
        "This reply address is another member's, or your message did not come from the "
        "e-mail address of your account."
    ),
    "not_member": N_(
        "Only members of the twinning may write to its list, from the e-mail address of "
        "their account."
    ),
    "gone": N_("The discussion you answered no longer exists."),
    "empty": N_("Your message had no text of its own once the quoted text was removed."),
    "invalid": N_("Your message could not be posted: %(reason)s"),
}


class Refused(Exception):
    """A mail that may not be posted, with the reason its sender is told."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Posting:
    author: Account
    twinning: Twinning | None  # None: a thread of another server's twinning she belongs to
    thread: ContentItem | None  # None: the mail starts a thread


async def process_pending(settings: Settings) -> int:
    """Every stored mail not yet processed, oldest first; the number processed."""
    done = 0
    while batch := await pending():
        for mail in batch:
            try:
                await process(settings, mail)
            except BaseORMException:  # the database: the mail waits for the next pass
                raise
            except Exception:  # a mail that trips a bug must not block those behind it
                log.exception("inbound mail %s could not be processed", mail.id)
                async with acting():
                    await claim(mail, "failed", "error")
            done += 1
    return done


async def process(settings: Settings, mail: InboundMail) -> str:
    """The mail's outcome; a mail another process got to first is left to it."""
    try:
        received = parse(mail.content)
    except Exception as exc:  # a mail we cannot read must not stop the queue
        log.warning("inbound mail %s unreadable: %s", mail.id, exc)
        async with acting():
            await claim(mail, "failed", type(exc).__name__)
        return "failed"
    if mail.recipient.startswith(BOUNCE_PREFIX):
        return await _bounced(settings, mail, received)
    if _is_robot(settings, mail, received):
        async with acting():
            await claim(mail, "ignored")
        return "ignored"
    try:
        posting = await _posting(settings, mail, received)
        return await _post(settings, mail, received, posting)
    except Refused as refusal:
        await _refuse(settings, mail, received, refusal)
        return "refused"


async def _bounced(settings: Settings, mail: InboundMail, received: Received) -> str:
    """A bounce at a member's VERP address counts against her mail if it is permanent; one
    at an address we did not make counts for no one."""
    local = mail.recipient.rpartition("@")[0]
    account_id = bounce_target(settings.secret_key, local)
    status = delivery_status(received.message)
    async with acting():
        if not await claim(mail, "bounced", status or "no status"):
            return "taken"
        if account_id is not None and await count_bounce(account_id, status.startswith("5")):
            log.info("mail to account %s stopped after repeated hard bounces", account_id)
    return "bounced"


def _is_robot(settings: Settings, mail: InboundMail, received: Received) -> bool:
    """Robots, bounces (no return path) and our own mail are never answered nor posted."""
    host = settings.domain.split(":")[0]
    if is_automatic(received.message, f".{host}") or not mail.envelope_from:
        return True
    return received.sender == settings.mail_from.lower()


async def _posting(settings: Settings, mail: InboundMail, received: Received) -> Posting:
    local, _, domain = mail.recipient.rpartition("@")
    if domain != list_domain(settings) or not local:
        raise Refused("no_list")
    if local.startswith("reply+"):
        return await _answering(settings, local, received)
    twinning = await Twinning.get_or_none(slug=local)
    if twinning is None:
        raise Refused("no_list")
    author = await Account.get_or_none(email=received.sender, state="active")
    if author is None or not received.sender:
        raise Refused("not_member")
    membership = await membership_of(author, twinning)
    if membership is None or membership.state != "accepted":
        raise Refused("not_member")
    return Posting(author, twinning, None)


async def _answering(settings: Settings, local: str, received: Received) -> Posting:
    """The token names the member and the thread; the From must be that member's address."""
    target = reply_target(settings.secret_key, local)
    if target is None:
        raise Refused("wrong_token")
    author = await Account.get_or_none(id=target[0], state="active")
    thread = await ContentItem.get_or_none(id=target[1], kind="discussion")
    if author is None:
        raise Refused("wrong_token")
    if not received.sender or received.sender != author.email.lower():
        raise Refused("not_yours")
    if thread is None or (thread.twinning_id or thread.remote_twinning_id) is None:
        raise Refused("gone")
    twinning = await Twinning.get_or_none(id=thread.twinning_id or 0)
    return Posting(author, twinning, thread)


async def _post(settings: Settings, mail: InboundMail, received: Received, posting: Posting) -> str:
    """The answer (or the new thread) and its files, in one transaction with the mail marked
    processed: a crash leaves both undone, to be done once on the next pass."""
    author = posting.author
    lang = detect(received.text, author.locale or settings.default_locale)
    if not received.text and not received.attachments:
        raise Refused("empty")
    outcome = "posted" if posting.thread else "started"
    visibility = await _visibility(posting)
    try:
        async with acting():
            if not await claim(mail, outcome):
                return "taken"
            links = []
            for attachment in received.attachments:
                link = await _attach(settings, posting, visibility, attachment, lang)
                if link:
                    links.append(link)
            text = "\n\n".join([received.text, *links]).strip()
            item = await _write(posting, received, text, lang, visibility)
            await InboundMail.filter(id=mail.id).update(detail=f"item {item.id}")
    except NotAllowed as exc:
        raise Refused("not_member", exc.message) from exc
    except ModelError as exc:
        raise Refused("invalid", i18n.gettext(exc.message, **exc.params)) from exc
    log.info("inbound mail %s %s as item %s", mail.id, outcome, item.id)
    return outcome


async def _visibility(posting: Posting) -> str:
    """An answer has its thread's audience; a new thread the one its author chose for the
    threads she starts by mail to that list (partners only unless she said otherwise)."""
    if posting.thread is not None:
        return posting.thread.visibility
    assert posting.twinning is not None
    return await started_visibility(posting.author, posting.twinning)


async def _write(
    posting: Posting, received: Received, text: str, lang: str, visibility: str
) -> ContentItem:
    if posting.thread is None:
        assert posting.twinning is not None
        title = received.subject or text.splitlines()[0][:120]
        return await start_discussion(
            posting.author, posting.twinning, visibility, {lang: title}, {lang: text}, lang
        )
    parent = await _parent(received, posting.thread)
    return await post_reply(posting.author, posting.thread, {lang: text}, parent=parent)


async def _parent(received: Received, thread: ContentItem) -> ContentItem | None:
    """The answer a mail replies to, when it is one of the thread's (its Message-ID is ours)."""
    found = _ITEM_ID.search(received.header("In-Reply-To"))
    if found is None or int(found[1]) == thread.id:
        return None
    return await ContentItem.get_or_none(id=int(found[1]), in_reply_to_id=thread.id)


async def _attach(
    settings: Settings, posting: Posting, visibility: str, attachment: Attachment, lang: str
) -> str:
    """A file becomes a resource of the twinning with the thread's audience, through the
    upload's own checks; a file those refuse is left out (the text still goes), and so are
    files answering another server's thread (its twinning keeps no resources here)."""
    if posting.twinning is None:
        log.info("attachment %r left out: a thread of another server", attachment.filename)
        return ""
    data = ResourceInput(
        title={lang: attachment.filename},
        description={},
        visibility=visibility,
    )
    try:
        item = await add_resource(
            posting.author, posting.twinning, data, settings.data_dir, attachment.content
        )
    except ModelError as exc:
        log.info("attachment %r left out: %s", attachment.filename, exc.message)
        return ""
    url = f"{settings.base_url}/t/{posting.twinning.slug}/updates/{item.id}"
    return f"[{attachment.filename}]({url})"


async def _refuse(
    settings: Settings, mail: InboundMail, received: Received, refusal: Refused
) -> None:
    """Nothing is posted and the raw mail is emptied; the sender is told why at most once a
    day, at the envelope's return path (RFC 3834), never a robot's."""
    to = (mail.envelope_from or received.sender).lower()
    async with acting():
        if not await claim(mail, "refused", refusal.reason):
            return
        tell = bool(to) and bool(settings.smtp_url) and await first_refusal_today(to)
    log.info("inbound mail %s refused: %s", mail.id, refusal.reason)
    if not tell:
        return
    try:
        await send_message(settings, await _refusal_mail(settings, to, received, refusal))
    except (aiosmtplib.SMTPException, OSError, TimeoutError, ValueError) as exc:
        log.warning("refusal to %s not sent: %s", to, exc)


async def _refusal_mail(
    settings: Settings, to: str, received: Received, refusal: Refused
) -> EmailMessage:
    i18n.set_locale(await _language_of(settings, to, received))
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = i18n.gettext("Your message was not posted")
    message["Auto-Submitted"] = "auto-replied"
    original = received.header("Message-ID")
    if original:
        message["In-Reply-To"] = original
        message["References"] = original
    reason = i18n.gettext(REASONS[refusal.reason], reason=refusal.detail)
    name = settings.instance_name
    where = i18n.gettext("The discussions of %(name)s are on its site:", name=name)
    message.set_content(f"{reason}\n\n{where}\n{settings.base_url}/\n")
    return message


async def _language_of(settings: Settings, to: str, received: Received) -> str:
    """The sender's account's language, else the one their mail declares, else the one it is
    written in."""
    account = await Account.get_or_none(email=received.sender) if received.sender else None
    account = account or await Account.get_or_none(email=to)
    if account is not None and account.locale:
        return account.locale
    declared = received.header("Content-Language").split(",")[0].strip().lower()[:2]
    if declared in LOCALES:
        return declared
    return detect(received.text, settings.default_locale)
