"""E-mail about discussions: each member chooses none, one mail per message, or a daily
digest. New messages become notices here, whatever surface they came from; the mailer
(``server/mailer.py``) turns notices into mails and marks them sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.errors import N_, Invalid
from models.remote import RemoteActor, Subscription
from models.twinnings import Membership, Twinning
from models.visibility import may_view

MODES = ("off", "each", "daily")
STARTED = ("partners", "public")
PERIODS = ("", "week", "month")
UNSUBSCRIBE_SALT = "mail-unsubscribe"
PERIOD_LENGTH = {"week": timedelta(days=7), "month": timedelta(days=30)}
REMIND_BEFORE = timedelta(hours=24)
DIGEST_EVERY = timedelta(days=1)
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 50
HARD_BOUNCES = 3


class MailPreference(Model):
    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="mail_preference", on_delete=fields.CASCADE
    )
    account_id: int
    mode = fields.CharField(max_length=8, default="off")
    last_digest_at = fields.DatetimeField(null=True)
    # The periodic publication of the member's twinnings, by mail: "", "week" or "month".
    periodic = fields.CharField(max_length=8, default="", db_default=SqlDefault("''"))
    last_periodic_at = fields.DatetimeField(null=True)
    # Hard bounces counted at the member's VERP return path; past HARD_BOUNCES, no more mail
    # until she chooses again in her settings (her address may have changed).
    hard_bounces = fields.IntField(default=0, db_default=0)
    stopped_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_preferences"


class MailNotice(Model):
    """One message one member is to hear of, alone (``each``) or in a digest (``daily``)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="mail_notices", on_delete=fields.CASCADE
    )
    account_id: int
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="mail_notices", on_delete=fields.CASCADE
    )
    item_id: int
    mode = fields.CharField(max_length=8)  # each, daily, reminder
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_notices"
        indexes = (("sent_at", "mode"),)


class MailListChoice(Model):
    """A member's choice for one twinning's list, ours (``twinning``) or another server's
    that she belongs to (``group``): its mail (``mode``, over her general choice when set)
    and who sees the threads she starts by mail to it (``started``; partners by default)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="mail_list_choices", on_delete=fields.CASCADE
    )
    account_id: int
    twinning: fields.ForeignKeyNullableRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="mail_list_choices", null=True, on_delete=fields.CASCADE
    )
    twinning_id: int | None
    group: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="mail_list_choices", null=True, on_delete=fields.CASCADE
    )
    group_id: int | None
    mode = fields.CharField(max_length=8, default="")  # "": as her general choice
    started = fields.CharField(max_length=10, default="partners")

    class Meta:
        table = "mail_list_choices"
        unique_together = (("account", "twinning"), ("account", "group"))


async def mail_mode(account: Account) -> str:
    pref = await MailPreference.get_or_none(account=account)
    return pref.mode if pref else "off"


async def set_mail_mode(account: Account, mode: str, periodic: str = "") -> None:
    if mode not in MODES or periodic not in PERIODS:
        raise Invalid("mail", N_("choose one of the offered values"))
    await MailPreference.update_or_create(
        account=account,
        defaults={"mode": mode, "periodic": periodic, "hard_bounces": 0, "stopped_at": None},
    )


def unsubscribe_token(secret: str, account_id: int) -> str:
    """The signed account id in a mail's unsubscribe address: whoever holds the mail may
    stop that member's mail, and no one else's, without logging in (RFC 8058)."""
    return URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).dumps(account_id)


def account_of_token(secret: str, token: str) -> int | None:
    try:
        value = URLSafeSerializer(secret, salt=UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


REPLY_PREFIX = "reply+"
BOUNCE_PREFIX = "bounce+"
_REPLY_RE = re.compile(r"^reply\+(\d{1,12})\.(\d{1,12})\.([a-z2-7]{24})$")
_BOUNCE_RE = re.compile(r"^bounce\+(\d{1,12})\.([a-z2-7]{24})$")


def list_domain(settings: Settings) -> str:
    """Where the lists' addresses live: ``JUMELAGE_MAIL_DOMAIN``, else the instance's host."""
    return settings.mail_domain or settings.domain.split(":")[0]


def _mac(secret: str, purpose: str) -> str:
    digest = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:15]).decode().lower()


def _reply_mac(secret: str, account_id: int, thread_id: int) -> str:
    return _mac(secret, f"mail-reply:{account_id}:{thread_id}")


def bounce_address(settings: Settings, account_id: int) -> str:
    """The return path of every mail to a member (VERP): a bounce names whom it is about,
    and the HMAC keeps anyone from counting bounces against someone else."""
    mac = _mac(settings.secret_key, f"mail-bounce:{account_id}")
    return f"{BOUNCE_PREFIX}{account_id}.{mac}@{list_domain(settings)}"


def bounce_target(secret: str, local_part: str) -> int | None:
    found = _BOUNCE_RE.match(local_part.lower())
    if found is None:
        return None
    account_id = int(found[1])
    if not hmac.compare_digest(found[2], _mac(secret, f"mail-bounce:{account_id}")):
        return None
    return account_id


async def count_bounce(account_id: int, hard: bool) -> bool:
    """A hard bounce counts (a full mailbox or a busy server does not); past
    ``HARD_BOUNCES`` the member's mail stops and what waited for her is dropped. True when
    this bounce stopped it."""
    pref = await MailPreference.get_or_none(account_id=account_id)
    if pref is None or not hard or pref.stopped_at is not None:
        return False
    pref.hard_bounces += 1
    stopping = pref.hard_bounces >= HARD_BOUNCES
    if stopping:
        pref.stopped_at = now()
        await MailNotice.filter(account_id=account_id, sent_at=None).update(sent_at=now())
    await pref.save(update_fields=["hard_bounces", "stopped_at"])
    return stopping


async def mail_stopped(account: Account) -> datetime | None:
    """When mail to the member stopped for bouncing (for her settings page), if it did."""
    pref = await MailPreference.get_or_none(account=account)
    return pref.stopped_at if pref else None


def reply_address(settings: Settings, account_id: int, thread_id: int) -> str:
    """The address a member answers a thread's mail at. Its HMAC names one member and one
    thread, so only mail to that member's own address posts as her, in that thread; lower
    case, as some mail servers fold local parts."""
    mac = _reply_mac(settings.secret_key, account_id, thread_id)
    return f"{REPLY_PREFIX}{account_id}.{thread_id}.{mac}@{list_domain(settings)}"


def reply_target(secret: str, local_part: str) -> tuple[int, int] | None:
    """(account id, thread id) of a genuine reply address's local part; None for a forged,
    altered or malformed one."""
    found = _REPLY_RE.match(local_part.lower())
    if found is None:
        return None
    account_id, thread_id = int(found[1]), int(found[2])
    if not hmac.compare_digest(found[3], _reply_mac(secret, account_id, thread_id)):
        return None
    return account_id, thread_id


async def unsubscribe(account_id: int) -> None:
    """No more mail of any kind: messages, digests, weekly or monthly news."""
    await MailPreference.filter(account_id=account_id).update(mode="off", periodic="")
    await MailListChoice.filter(account_id=account_id).update(mode="off")


async def periodic_choice(account: Account) -> str:
    pref = await MailPreference.get_or_none(account=account)
    return pref.periodic if pref else ""


async def due_periodic(when: datetime) -> list[MailPreference]:
    """Members whose weekly or monthly publication is due."""
    due = []
    for pref in await MailPreference.filter(periodic__in=("week", "month"), stopped_at=None):
        last = pref.last_periodic_at
        if last is None or last <= when - PERIOD_LENGTH[pref.periodic]:
            due.append(pref)
    return due


async def discussion_of(item: ContentItem) -> ContentItem | None:
    """The discussion an item belongs to (itself, or the thread it answers), if any."""
    if item.kind == "discussion":
        return item
    if item.in_reply_to_id is not None:
        root = await ContentItem.get(id=item.in_reply_to_id)
        return root if root.kind == "discussion" else None
    return None


async def _readers(thread: ContentItem) -> tuple[dict[str, int], list[Any]]:
    """The list a thread belongs to (its twinning here, or the twinning of another server
    it came from) and our people who belong to it."""
    if thread.twinning_id is not None:
        ids = await Membership.filter(twinning_id=thread.twinning_id, state="accepted").values_list(
            "account_id", flat=True
        )
        return {"twinning_id": thread.twinning_id}, ids
    if thread.remote_twinning_id is not None:
        ids = await Subscription.filter(
            group_id=thread.remote_twinning_id, kind="join", state="accepted"
        ).values_list("account_id", flat=True)
        return {"group_id": thread.remote_twinning_id}, ids
    return {}, []


async def queue_notices(item: ContentItem) -> int:
    """Members of the discussion's list who asked for its mail (for that twinning, else in
    general) and may read the message, except its author and those whose mail bounced."""
    thread = await discussion_of(item)
    if thread is None:
        return 0
    where, members = await _readers(thread)
    if not members:
        return 0
    prefs = {p.account_id: p for p in await MailPreference.filter(account_id__in=members)}
    chosen = await MailListChoice.filter(account_id__in=members, **where).exclude(mode="")
    modes = {pref.account_id: pref.mode for pref in prefs.values()}
    modes |= {choice.account_id: choice.mode for choice in chosen}
    queued = 0
    wanting = [a for a, m in modes.items() if m in ("each", "daily") and a != item.author_id]
    for account in await Account.filter(id__in=wanting, state="active").order_by("id"):
        pref = prefs.get(account.id)
        if (pref and pref.stopped_at) or not await may_view(account, item):
            continue
        await MailNotice.create(account=account, item=item, mode=modes[account.id])
        queued += 1
    return queued


@dataclass
class ListChoice:
    """One list of a member, for her settings: ``key`` is ``t<id>`` for a twinning here,
    ``g<id>`` for one of another server."""

    key: str
    twinning: Twinning | None
    group: RemoteActor | None
    mode: str
    started: str


async def list_choices(account: Account) -> list[ListChoice]:
    """Every twinning the member belongs to, here and on other servers, with her choice."""
    chosen = {
        (c.twinning_id, c.group_id): c for c in await MailListChoice.filter(account_id=account.id)
    }
    found = []
    local = Twinning.filter(memberships__account_id=account.id, memberships__state="accepted")
    for twinning in await local.order_by("slug"):
        c = chosen.get((twinning.id, None))
        found.append(
            ListChoice(f"t{twinning.id}", twinning, None, c.mode if c else "", _started(c))
        )
    joined = RemoteActor.filter(
        subscribers__account_id=account.id, subscribers__kind="join", subscribers__state="accepted"
    )
    for group in await joined.order_by("id"):
        c = chosen.get((None, group.id))
        found.append(ListChoice(f"g{group.id}", None, group, c.mode if c else "", _started(c)))
    return found


def _started(choice: MailListChoice | None) -> str:
    return choice.started if choice else "partners"


async def set_list_choice(account: Account, key: str, mode: str, started: str) -> None:
    """Saving a list's choice is choosing mail again: mail stopped for bouncing resumes."""
    if mode not in ("", *MODES) or started not in STARTED:
        raise Invalid("mail", N_("choose one of the offered values"))
    mine = {c.key: c for c in await list_choices(account)}
    if key not in mine:
        raise Invalid("mail", N_("choose one of the offered values"))
    target = mine[key]
    where = {"twinning": target.twinning} if target.twinning else {"group": target.group}
    await MailListChoice.update_or_create(
        account=account, defaults={"mode": mode, "started": started}, **where
    )
    await MailPreference.get_or_create(account=account)  # her bounces count from now on
    await MailPreference.filter(account_id=account.id).update(hard_bounces=0, stopped_at=None)


async def started_visibility(account: Account, twinning: Twinning) -> str:
    """Who sees a thread the member starts by mail to the twinning's list."""
    choice = await MailListChoice.get_or_none(account_id=account.id, twinning_id=twinning.id)
    return _started(choice)


def _ready() -> dict[str, object]:
    return {"sent_at": None, "attempts__lt": MAX_ATTEMPTS}


async def due_single(now: datetime, limit: int = 50) -> list[MailNotice]:
    """Notices mailed one by one: messages (``each``) and meeting reminders."""
    stopped = await MailPreference.filter(stopped_at__not_isnull=True).values_list(
        "account_id", flat=True
    )
    rows = (
        await MailNotice.filter(mode__in=("each", "reminder"), **_ready())
        .exclude(account_id__in=list(stopped))
        .order_by("id")
        .limit(limit)
    )
    return [r for r in rows if r.next_attempt_at is None or r.next_attempt_at <= now]


async def due_digests(now: datetime) -> dict[int, list[MailNotice]]:
    """Pending daily notices of accounts whose last digest is a day old (or never sent)."""
    pending = await MailNotice.filter(mode="daily", **_ready()).order_by("id")
    by_account: dict[int, list[MailNotice]] = {}
    for notice in pending:
        if notice.next_attempt_at is not None and notice.next_attempt_at > now:
            continue
        by_account.setdefault(notice.account_id, []).append(notice)
    due = {}
    for account_id, notices in by_account.items():
        pref = await MailPreference.get_or_none(account_id=account_id)
        last = pref.last_digest_at if pref else None
        if last is None or last <= now - DIGEST_EVERY:
            due[account_id] = notices
    return due


async def mark_sent(notices: list[MailNotice], now: datetime, digest: bool = False) -> None:
    await MailNotice.filter(id__in=[n.id for n in notices]).update(sent_at=now)
    if digest and notices:
        await MailPreference.filter(account_id=notices[0].account_id).update(last_digest_at=now)


async def mark_failed(notices: list[MailNotice], now: datetime) -> None:
    """The SMTP server failed: try again later, for a while."""
    for notice in notices:
        notice.attempts += 1
        notice.next_attempt_at = now + RETRY_AFTER * min(notice.attempts, 12)
        await notice.save(update_fields=["attempts", "next_attempt_at"])


def now() -> datetime:
    return datetime.now(UTC)
