"""Meetings of a twinning, physical or online: an item (``kind="event"``, so the visibility rule
applies unchanged) with its time, time zone and place, and who is going."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import ContentItem, Titled
from models.errors import N_, Invalid, NotAllowed
from models.happenings import acting
from models.mail import REMIND_BEFORE, MailNotice
from models.posting import post_update
from models.twinnings import Twinning
from models.visibility import may_view, visible_items
from models.zones import check_zone

MAX_PLACE = 300
ATTENDANCE = ("going", "not_going")


class EventDetails(Model):
    item: fields.OneToOneRelation[ContentItem] = fields.OneToOneField(
        "models.ContentItem", related_name="event", on_delete=fields.CASCADE
    )
    item_id: int
    starts_at = fields.DatetimeField(db_index=True)
    ends_at = fields.DatetimeField()
    timezone = fields.CharField(max_length=64, default="UTC")
    place = fields.CharField(max_length=MAX_PLACE, default="")
    online_url = fields.CharField(max_length=500, default="")

    class Meta:
        table = "event_details"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


class Attendance(Model):
    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="attendances", on_delete=fields.CASCADE
    )
    item_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="attendances", on_delete=fields.CASCADE
    )
    account_id: int
    state = fields.CharField(max_length=10)
    created_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "attendances"
        unique_together = (("item", "account"),)


@dataclass
class EventInput:
    """A meeting as a form gives it: local date-times (``YYYY-MM-DDTHH:MM``) in ``timezone``."""

    title: Mapping[str, str]
    description: Mapping[str, str]
    starts: str
    ends: str
    timezone: str = "UTC"
    place: str = ""
    online_url: str = ""
    visibility: str = "public"
    language: str = ""

    def details(self) -> dict[str, Any]:
        zone = check_zone(self.timezone)
        starts = _local_time("starts", self.starts, zone)
        ends = _local_time("ends", self.ends, zone)
        if ends <= starts:
            raise Invalid("ends", N_("the end must come after the start"))
        place = self.place.strip()
        if len(place) > MAX_PLACE:
            raise Invalid("place", N_("at most %(n)s characters"), n=MAX_PLACE)
        return {
            "starts_at": starts,
            "ends_at": ends,
            "timezone": self.timezone,
            "place": place,
            "online_url": check_link(self.online_url),
        }


def _local_time(name: str, text: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(name, N_("give a date and time")) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def check_link(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 500:
        raise Invalid("online_url", N_("not a web address (https://...)"))
    return url


async def create_event(author: Account, twinning: Twinning, data: EventInput) -> ContentItem:
    """Checked whole before anything is written; then the item and its details together."""
    title, content = Titled(data.title, data.description).maps()
    details = data.details()
    async with acting():
        item = await post_update(
            author, twinning, data.visibility, content, title, data.language, kind="event"
        )
        await EventDetails.create(item=item, **details)
    return item


async def save_event_details(item: ContentItem, details: dict[str, Any]) -> None:
    """Checked details (``EventInput.details``) replace the old ones."""
    await EventDetails.filter(item_id=item.id).update(**details)


async def set_attendance(account: Account, item: ContentItem, state: str) -> None:
    if state not in ATTENDANCE:
        raise Invalid("attendance", N_("choose one of the offered values"))
    if item.kind != "event" or not account.is_active or not await may_view(account, item):
        raise NotAllowed("attendance", N_("only members may post updates"))
    await Attendance.update_or_create(item=item, account=account, defaults={"state": state})


def upcoming(viewer: Account | None, since: datetime | None = None) -> QuerySet[ContentItem]:
    """Meetings ``viewer`` may see that have not ended, soonest first."""
    since = since or datetime.now(UTC)
    return (
        visible_items(viewer)
        .filter(kind="event", event__ends_at__gte=since)
        .order_by("event__starts_at", "id")
    )


async def attendance_counts(item: ContentItem) -> dict[str, int]:
    rows = await Attendance.filter(item=item).values_list("state", flat=True)
    return {state: sum(1 for r in rows if r == state) for state in ATTENDANCE}


async def queue_reminders(when: datetime) -> int:
    """Those going to a meeting that starts within a day hear of it once, if they may still
    see it."""
    soon = await EventDetails.filter(starts_at__gt=when, starts_at__lte=when + REMIND_BEFORE)
    queued = 0
    for details in soon:
        item = await ContentItem.get(id=details.item_id)
        going = await Attendance.filter(item=item, state="going").prefetch_related("account")
        for attendance in going:
            account: Account = attendance.account  # type: ignore[assignment]
            reminded = await MailNotice.exists(account=account, item=item, mode="reminder")
            if reminded or not await may_view(account, item):
                continue
            await MailNotice.create(account=account, item=item, mode="reminder")
            queued += 1
    return queued
