"""Dates as a reader sees them, on pages and in mail: in the reader's time zone and language,
to the minute (never seconds), and relative ("3 hours ago") while recent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    format_timedelta,
    get_timezone_location,
    get_timezone_name,
)

from models.zones import is_zone
from server import i18n

RECENT = timedelta(hours=24)


def in_zone(value: datetime, zone: str) -> datetime:
    """``value`` seen from ``zone``; a naive value is taken as UTC (how the database gives
    it back on SQLite), an unknown zone as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(zone) if is_zone(zone) else UTC)


def day_and_time(value: datetime, zone: str, lang: str) -> str:
    """ "Thu 15 Jan, 18:00": the year only when it is not this year's."""
    local = in_zone(value, zone)
    this_year = local.year == datetime.now(local.tzinfo).year
    day = format_skeleton("MMMEd" if this_year else "yMMMEd", local, locale=lang)
    return _join(lang, day, format_time(local, "short", locale=lang))


def full(value: datetime, zone: str, lang: str) -> str:
    """ "Friday 15 January 2027, 18:00 Bolivia Time": for a tooltip or a mail, where room
    is not short."""
    local = in_zone(value, zone)
    day = format_date(local, "full", locale=lang)
    time = format_time(local, "short", locale=lang)
    return f"{_join(lang, day, time)} {get_timezone_name(local, locale=lang)}"


def relative(value: datetime, lang: str, now: datetime | None = None) -> str:
    """ "3 hours ago" when ``value`` is within a day of now, else empty."""
    now = now or datetime.now(UTC)
    delta = in_zone(value, "UTC") - now
    if abs(delta) >= RECENT:
        return ""
    return format_timedelta(delta, granularity="minute", add_direction=True, locale=lang)


def short(value: datetime, zone: str, lang: str, now: datetime | None = None) -> str:
    """What a list shows: relative while recent, else the day and time in ``zone``."""
    return relative(value, lang, now) or day_and_time(value, zone, lang)


def zone_time_label(zone: str, lang: str | None = None) -> str:
    """ "La Paz time", "heure de Paris": the zone named by its city, as people say it."""
    lang = lang or i18n.current_locale()
    if zone == "UTC" or not is_zone(zone):
        return "UTC"
    city = get_timezone_location(zone, locale=lang, return_city=True)
    return i18n.gettext("%(city)s time", city=city)


def same_clock(value: datetime, zone: str, other: str) -> bool:
    """Whether two zones read the same wall-clock time at ``value`` (Paris and Brussels)."""
    return in_zone(value, zone).utcoffset() == in_zone(value, other).utcoffset()


def meeting_text(starts_at: datetime, meeting_zone: str, reader_zone: str, lang: str) -> str:
    """A meeting's start for a mail: in full in the reader's zone, then at the meeting's own
    time when that reads differently."""
    text = full(starts_at, reader_zone, lang)
    if not same_clock(starts_at, meeting_zone, reader_zone):
        label = i18n.gettext("%(zone)s, the meeting's zone", zone=zone_time_label(meeting_zone))
        text += f" · {day_and_time(starts_at, meeting_zone, lang)} ({label})"
    return text


def iso(value: datetime) -> str:
    return in_zone(value, "UTC").isoformat(timespec="seconds")


def _join(lang: str, day: str, time: str) -> str:
    return str(Locale.parse(lang).datetime_formats["medium"]).format(time, day)
