"""Sends the mail notices (``models/mail.py``) through ``JUMELAGE_SMTP_URL``: one mail per
message for members who chose that, one digest a day for the others, each in the member's
language. Runs beside the federation worker."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from federation.serialize import item_uri
from models.accounts import Account, account_zone
from models.config import Settings
from models.content import ContentItem
from models.events import EventDetails, queue_reminders
from models.langmap import pick
from models.mail import (
    PERIOD_LENGTH,
    MailNotice,
    MailPreference,
    bounce_address,
    discussion_of,
    due_digests,
    due_periodic,
    due_single,
    mail_stopped,
    mark_failed,
    mark_sent,
    now,
    reply_address,
    unsubscribe_token,
)
from models.moderation import ModerationEntry
from models.moderation_actions import warning_mailed, warnings_to_mail
from models.remote import RemoteActor
from models.tasks import Task, due_tomorrow, mark_reminded
from models.twinnings import Membership, Twinning
from models.visibility import may_view, visible_items
from server import dates, i18n

log = logging.getLogger(__name__)
IDLE_SLEEP = 5.0
TIMEOUT = 30.0


async def send_message(settings: Settings, message: EmailMessage) -> None:
    """One mail through ``JUMELAGE_SMTP_URL``; SMTP and network failures are raised."""
    await _send(settings, message)


async def _send(settings: Settings, message: EmailMessage, sender: str | None = None) -> None:
    """``sender``: the envelope's return path (a member's VERP address)."""
    parts = urlsplit(settings.smtp_url)
    query = parse_qs(parts.query)
    await aiosmtplib.send(
        message,
        sender=sender,
        hostname=parts.hostname or "localhost",
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=parts.scheme == "smtps",
        start_tls=query.get("starttls", ["0"])[0] == "1",
        timeout=TIMEOUT,
    )


@dataclass(frozen=True)
class ListOf:
    """The list a thread is mailed as: one of our twinnings, or a twinning of another server
    one of our people belongs to (answered here too, through this server's addresses)."""

    title: str
    list_id: str
    archive: str
    thread_url: str


async def _list_of(settings: Settings, thread: ContentItem, lang: str) -> ListOf:
    host = settings.domain.split(":")[0]
    if thread.twinning_id is not None:
        twinning = await Twinning.get(id=thread.twinning_id)
        _, title = pick(twinning.title_map, lang, twinning.primary_language)
        archive = f"{settings.base_url}/t/{twinning.slug}/discussions"
        return ListOf(
            title, f"{twinning.slug}.{host}", archive, item_uri(settings, twinning, thread)
        )
    group = await RemoteActor.get(id=thread.remote_twinning_id or 0)
    there = urlsplit(group.uri).hostname or host
    url = thread.uri or group.url or group.uri
    return ListOf(group.name or group.handle, f"{group.handle}.{there}", group.url or url, url)


async def _entry(
    settings: Settings, item: ContentItem, lang: str, zone: str
) -> tuple[str, str, str]:
    """(twinning title, thread title, text with its author, time and address) of a message;
    the time in the recipient's ``zone``."""
    thread = await discussion_of(item)
    assert thread is not None
    where = await _list_of(settings, thread, lang)
    _, subject = pick(thread.title_map, lang, thread.primary_language)
    shown, text = pick(item.content_map, lang, item.primary_language)
    author: Account | RemoteActor | None = (
        await Account.get_or_none(id=item.author_id)
        if item.author_id
        else await RemoteActor.get_or_none(id=item.remote_author_id)
    )
    name = getattr(author, "name", "") or getattr(author, "handle", "")
    url = where.thread_url
    if item.id != thread.id:  # another server's thread: the answer's own address, if any
        url = url + f"#reply-{item.id}" if thread.twinning_id else item.uri or url
    date = dates.day_and_time(item.created_at, zone, lang)
    wrote = i18n.gettext("On %(date)s, %(name)s wrote:", date=date, name=name)
    body = f"{wrote}\n\n{text}\n\n{url}\n"
    return where.title, subject, body + _original(item, shown)


def _original(item: ContentItem, shown: str) -> str:
    """Below a translation, the words as written, and whether a machine translated them."""
    written = item.primary_language
    translated = shown in item.machine_languages or shown in (item.translators or {})
    if not translated or shown == written or written not in item.content_map:
        return ""
    label = i18n.gettext("Original (%(language)s):", language=i18n.language_name(written))
    machine = i18n.gettext("Machine translation.") + "\n" if shown in item.machine_languages else ""
    return f"\n{machine}{label}\n{item.content_map[written]}\n"


def _message(settings: Settings, to: Account, subject: str, body: str) -> EmailMessage:
    """Every mail says how to stop it: the settings page, and a one-click unsubscribe address
    mail clients offer as a button (RFC 2369, RFC 8058)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to.email
    message["Subject"] = subject
    message["Auto-Submitted"] = "auto-generated"
    token = unsubscribe_token(settings.secret_key, to.id)
    stop = f"{settings.base_url}/mail/unsubscribe?token={token}"
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    footer = i18n.gettext("You receive this because you asked for e-mail in your settings:")
    unsubscribe_line = i18n.gettext("Stop all these mails:")
    message.set_content(
        f"{body}\n-- \n{footer}\n{settings.base_url}/settings\n{unsubscribe_line} {stop}\n"
    )
    return message


def _mail_id(settings: Settings, item_id: int) -> str:
    return f"<item-{item_id}@{settings.domain.split(':')[0]}>"


async def _thread_headers(
    settings: Settings,
    message: EmailMessage,
    item: ContentItem,
    where: ListOf,
    reader: Account,
) -> None:
    """A message's mail is one of the twinning's list: mail clients group a thread by its
    Message-ID, In-Reply-To and References, and filter the list by List-Id. Answering it
    (reply or reply-to-list) goes to the reader's own address for the thread, which posts the
    answer there as her (``server/mail_in.py``)."""
    message["Message-ID"] = _mail_id(settings, item.id)
    if item.in_reply_to_id:
        parent = item.parent_id or item.in_reply_to_id
        message["In-Reply-To"] = _mail_id(settings, parent)
        chain = [item.in_reply_to_id] + ([parent] if parent != item.in_reply_to_id else [])
        message["References"] = " ".join(_mail_id(settings, i) for i in chain)
    message["List-Id"] = f"<{where.list_id}>"
    message["List-Archive"] = f"<{where.archive}>"
    thread = await discussion_of(item)
    answer_to = reply_address(settings, reader.id, (thread or item).id)
    message["Reply-To"] = answer_to
    message["List-Post"] = f"<mailto:{answer_to}>"


def _language(settings: Settings, account: Account) -> str:
    return account.locale or settings.default_locale


def _zone(settings: Settings, account: Account) -> str:
    return account_zone(account, settings.default_timezone)


async def _deliver(
    settings: Settings,
    notices: list[MailNotice],
    message: EmailMessage,
    when: datetime,
    digest: bool,
) -> bool:
    try:
        await _send(settings, message, bounce_address(settings, notices[0].account_id))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("mail to %s failed: %s", message["To"], exc)
        await mark_failed(notices, when)
        return False
    await mark_sent(notices, when, digest=digest)
    return True


async def _reminder(settings: Settings, item: ContentItem, lang: str, zone: str) -> tuple[str, str]:
    """The meeting's start in the recipient's ``zone``, and in its own when that differs."""
    details = await EventDetails.get(item_id=item.id)
    twinning = await Twinning.get(id=item.twinning_id or 0)
    _, title = pick(item.title_map, lang, item.primary_language)
    when = dates.meeting_text(details.starts_at, details.timezone, zone, lang)
    lines = [when, details.place, details.online_url]
    url = item_uri(settings, twinning, item)
    subject = i18n.gettext("Reminder: %(title)s", title=title)
    return subject, "\n".join(line for line in lines if line) + f"\n\n{url}\n"


async def _single(settings: Settings, notice: MailNotice, when: datetime) -> bool:
    account = await Account.get(id=notice.account_id)
    i18n.set_locale(_language(settings, account))
    item = await ContentItem.get(id=notice.item_id)
    if not await may_view(account, item):  # left the twinning since: nothing goes out
        await mark_sent([notice], when)
        return False
    if notice.mode == "reminder":
        subject, body = await _reminder(
            settings, item, i18n.current_locale(), _zone(settings, account)
        )
    else:
        twinning_title, title, body = await _entry(
            settings, item, i18n.current_locale(), _zone(settings, account)
        )
        subject = f"[{twinning_title}] {title}"
    message = _message(settings, account, subject, body)
    if notice.mode != "reminder":
        thread = await discussion_of(item)
        where = await _list_of(settings, thread or item, i18n.current_locale())
        await _thread_headers(settings, message, item, where, account)
    return await _deliver(settings, [notice], message, when, digest=False)


async def _periodic(settings: Settings, pref: MailPreference, when: datetime) -> bool:
    """The weekly or monthly publication of each of the member's twinnings, in one mail."""
    account = await Account.get(id=pref.account_id)
    lang = _language(settings, account)
    i18n.set_locale(lang)
    since = when - PERIOD_LENGTH[pref.periodic]
    ids = await Membership.filter(account=account, state="accepted").values_list(
        "twinning_id", flat=True
    )
    sections = []
    for twinning in await Twinning.filter(id__in=list(ids)).order_by("slug"):
        items = (
            await visible_items(account)
            .filter(twinning=twinning, created_at__gte=since, in_reply_to_id=None)
            .order_by("created_at")
            .limit(50)
        )
        if not items:
            continue
        _, name = pick(twinning.title_map, lang, twinning.primary_language)
        lines = [f"== {name}"]
        for item in items:
            _, title = pick(item.title_map or item.content_map, lang, item.primary_language)
            url = item_uri(settings, twinning, item)
            date = dates.day_and_time(item.created_at, _zone(settings, account), lang)
            lines.append(f"- {title.splitlines()[0][:120]} · {date}\n  {url}")
        lines.append(f"{settings.base_url}/t/{twinning.slug}/digest?period={pref.periodic}")
        sections.append("\n".join(lines))
    await MailPreference.filter(id=pref.id).update(last_periodic_at=when)
    if not sections:
        return False
    subject = i18n.gettext("News of your twinnings")
    message = _message(settings, account, subject, "\n\n".join(sections))
    try:
        await _send(settings, message, bounce_address(settings, account.id))
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("periodic mail to %s failed: %s", account.email, exc)
        await MailPreference.filter(id=pref.id).update(last_periodic_at=pref.last_periodic_at)
        return False
    return True


async def send_due(settings: Settings, when: datetime | None = None) -> int:
    """One pass over the notices; the number of mails sent."""
    if not settings.smtp_url:
        return 0
    when = when or now()
    await queue_reminders(when)
    sent = 0
    for notice in await due_single(when):
        sent += await _single(settings, notice, when)
    for account_id, notices in (await due_digests(when)).items():
        account = await Account.get(id=account_id)
        i18n.set_locale(_language(settings, account))
        sections = []
        for notice in notices:
            item = await ContentItem.get(id=notice.item_id)
            if not await may_view(account, item):  # the rule is asked again when mailing
                continue
            twinning_title, subject, body = await _entry(
                settings, item, i18n.current_locale(), _zone(settings, account)
            )
            sections.append(f"== [{twinning_title}] {subject}\n\n{body}")
        if not sections:
            await mark_sent(notices, when, digest=True)
            continue
        title = i18n.ngettext(
            "Your daily digest: %(num)s new message",
            "Your daily digest: %(num)s new messages",
            len(sections),
        )
        message = _message(settings, account, title, "\n\n".join(sections))
        sent += await _deliver(settings, notices, message, when, digest=True)
    for pref in await due_periodic(when):
        sent += await _periodic(settings, pref, when)
    for entry in await warnings_to_mail():
        sent += await _warning(settings, entry)
    sent += await send_task_reminders(settings, when)
    return sent


def _task_place(settings: Settings, task: Task, lang: str) -> tuple[str, str]:
    """The name of the task's twinning and the address of its task page."""
    task_list, anchor = task.task_list, f"#task-{task.id}"
    twinning, group = task_list.twinning, task_list.remote_group
    if twinning is not None:
        _, name = pick(twinning.title_map, lang, twinning.primary_language)
        return name, f"{settings.base_url}/t/{twinning.slug}/tasks{anchor}"
    name = (group.name or group.handle) if group is not None else ""
    return name, f"{settings.base_url}/remote/groups/{task_list.remote_group_id}/tasks{anchor}"


def _task_reminder(settings: Settings, task: Task, account: Account) -> EmailMessage:
    lang = _language(settings, account)
    i18n.set_locale(lang)
    where, url = _task_place(settings, task, lang)
    subject = i18n.gettext("Due tomorrow: %(title)s", title=task.title)
    lines = [f"{where} · {task.task_list.title}", task.title, task.description]
    body = "\n".join(line for line in lines if line) + f"\n\n{url}\n"
    return _message(settings, account, subject, body)


async def send_task_reminders(settings: Settings, when: datetime) -> int:
    """The day before a task is due, its assignee (one of our people, still able to see its
    list) hears of it once, unless mail to them stopped for bouncing."""
    today, sent = when.date(), 0
    for task, account in await due_tomorrow(today):
        if await mail_stopped(account):
            continue
        message = _task_reminder(settings, task, account)
        try:
            await _send(settings, message, bounce_address(settings, account.id))
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            log.warning("task reminder to %s failed: %s", account.email, exc)
            continue
        await mark_reminded(task, today)
        sent += 1
    return sent


async def _warning(settings: Settings, entry: ModerationEntry) -> bool:
    """A moderator's warning, in the warned person's language. It is no list mail: it goes
    whatever the person chose for mail, and says where to read it again."""
    account = await Account.get_or_none(id=entry.mail_to_id or 0)
    if account is None:
        await warning_mailed(entry)
        return False
    i18n.set_locale(_language(settings, account))
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = account.email
    message["Subject"] = i18n.gettext(
        "A warning from the moderators of %(name)s", name=settings.instance_name
    )
    message["Auto-Submitted"] = "auto-generated"
    intro = i18n.gettext("The moderators of %(name)s warn you:", name=settings.instance_name)
    message.set_content(f"{intro}\n\n{entry.note}\n\n{settings.base_url}/notifications\n")
    try:
        await _send(settings, message)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        log.warning("warning mail to %s failed: %s", account.email, exc)
        return False
    await warning_mailed(entry)
    return True


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
