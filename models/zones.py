"""Time zones: which names are accepted (any IANA zone the system knows) and which are offered
in forms (the canonical ``Region/City`` ones, grouped by region, and UTC)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global

from models.errors import N_, Invalid

REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip


def is_zone(name: str) -> bool:
    """A name ``ZoneInfo`` can load; paths and empty names are not zones."""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def check_zone(name: str, field: str = "timezone") -> ZoneInfo:
    if not is_zone(name):
        raise Invalid(field, N_("not a time zone (such as Europe/Paris)"))
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def offered_zones() -> dict[str, tuple[str, ...]]:
    """Region → its zones: what a select shows, without the old aliases (``Asia/Calcutta``),
    which are still accepted from forms and browsers."""
    aliases = get_global("zone_aliases")
    grouped: dict[str, list[str]] = {region: [] for region in REGIONS}
    for name in available_timezones():
        region, _, city = name.partition("/")
        if region in grouped and city and name not in aliases:
            grouped[region].append(name)
    return {region: tuple(sorted(names)) for region, names in grouped.items() if names}


@lru_cache(maxsize=1)
def _offered_names() -> frozenset[str]:
    return frozenset(name for names in offered_zones().values() for name in names)


def is_offered(name: str) -> bool:
    return name == "UTC" or name in _offered_names()


@lru_cache(maxsize=1)
def old_names() -> dict[str, str]:
    """Old name → offered zone (``Asia/Calcutta`` → ``Asia/Kolkata``): browsers built on an
    older ICU still report the old names."""
    aliases: Mapping[str, str] = get_global("zone_aliases")
    return {old: new for old, new in sorted(aliases.items()) if "/" in old and is_offered(new)}
