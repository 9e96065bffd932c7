"""How a post of another server becomes an item here: its texts as language maps (sanitised),
its kind, its meeting details, and the one transaction that stores it with its audience and
what follows from it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from federation.vocabulary import PUBLIC_FORMS
from models import happenings
from models.config import LOCALES
from models.content import ContentItem
from models.errors import Invalid
from models.events import MAX_PLACE, EventDetails, check_link
from models.langdetect import detect
from models.markup import clean_html
from models.visibility import store_audience
from models.zones import check_zone

DEFAULT_LENGTH = timedelta(hours=2)
MAX_TEXT = 20_000
MAX_WARNING = 500
ADDRESS_FIELDS = ("audience", "to", "cc", "bto", "bcc")


def addresses_of(*documents: dict[str, Any] | None) -> list[str]:
    """Every address an object and the activities carrying it name."""
    found: list[str] = []
    for source in documents:
        for key in ADDRESS_FIELDS if source else ():
            value = source.get(key)  # type: ignore[union-attr]
            values = value if isinstance(value, list) else [value]
            found += [v for v in values if isinstance(v, str)]
    return found


def is_public(addresses: list[str]) -> bool:
    return any(a in PUBLIC_FORMS for a in addresses)


def mention_hrefs(obj: dict[str, Any]) -> list[str]:
    tag = obj.get("tag")
    tags: list[Any] = tag if isinstance(tag, list) else [tag]
    hrefs = [t.get("href") for t in tags if isinstance(t, dict) and t.get("type") == "Mention"]
    return [h for h in hrefs if isinstance(h, str)]


def language_map(obj: dict[str, Any], field: str, fallback: str, html: bool) -> dict[str, str]:
    """``<field>Map`` when given; else the text in the post's declared language (Mobilizon's
    ``inLanguage``), else in ``fallback``."""
    values = obj.get(f"{field}Map")
    texts = values if isinstance(values, dict) else {}
    declared = obj.get("inLanguage")
    if isinstance(declared, str) and declared.split("-")[0].lower() in LOCALES:
        fallback = declared.split("-")[0].lower()
    elif not texts and isinstance(obj.get(field), str):
        fallback = detect(obj[field], fallback)  # untagged: its own language, if clear
    if not texts and isinstance(obj.get(field), str):
        texts = {fallback: obj[field]}
    result = {}
    for lang, text in texts.items():
        code = str(lang).split("-")[0].lower()
        if isinstance(text, str) and text.strip():
            cleaned = clean_html(text) if html else re.sub(r"<[^>]+>", "", text).strip()
            result[code if code in LOCALES else fallback] = cleaned[:MAX_TEXT]
    return result


Then = Callable[[ContentItem], Awaitable[None]]


async def keep(
    obj: dict[str, Any],
    content: dict[str, str],
    addresses: list[str],
    language: str,
    then: Then | None = None,
    visibility: str | None = None,
    mentioned: list[int] | None = None,
    **owners: Any,
) -> ContentItem | None:
    """Stores a remote post with its audience, and ``then`` what follows from it, in one
    transaction (a crash leaves both or neither); None when it is stored already."""
    public = any(a in PUBLIC_FORMS for a in addresses)
    event = _event_of(obj)
    if event is not None:
        owners.setdefault("kind", "event")
    elif obj.get("type") == "Page" and obj.get("name"):
        # A Page carrying a Link is a shared link (a resource); others are threads.
        links = [a for a in _list(obj.get("attachment")) if _dict(a).get("type") == "Link"]
        owners.setdefault("kind", "resource" if links else "discussion")
    elif obj.get("type") == "Document":
        owners.setdefault("kind", "resource")
    item = ContentItem(
        uri=obj["id"],
        content_format="html",
        content_map=content,
        visibility=visibility or ("public" if public else "partners"),
        title_map=language_map(obj, "name", language, html=False),
        primary_language=next(iter(content)),
        search_text=" ".join(content.values()).lower(),
        **_warning(obj),
        **owners,
    )
    try:
        async with happenings.acting():
            await item.save()
            await store_audience(item, mentioned or [])
            if event is not None:
                await EventDetails.create(item=item, **event)
            if then is not None:
                await then(item)
    except IntegrityError:
        return None
    return item


def _moment(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value] if value else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _event_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """The time and place of an ``Event`` (as Mobilizon sends them); None for other posts or
    events without a readable start."""
    starts = _moment(obj.get("startTime")) if obj.get("type") == "Event" else None
    if starts is None:
        return None
    ends = _moment(obj.get("endTime"))
    zone = obj.get("timezone")
    try:
        check_zone(zone if isinstance(zone, str) else "")
    except Invalid:
        zone = "UTC"
    location = _dict(obj.get("location"))
    address = _dict(location.get("address"))
    parts = [location.get("name"), address.get("streetAddress"), address.get("addressLocality")]
    place = ", ".join(dict.fromkeys(p.strip() for p in parts if isinstance(p, str) and p.strip()))
    attachment = obj.get("attachment")
    links: list[Any] = attachment if isinstance(attachment, list) else []
    online = next(
        (
            a["href"]
            for a in links
            if isinstance(a, dict) and a.get("type") == "Link" and isinstance(a.get("href"), str)
        ),
        "",
    )
    try:
        online = check_link(online)
    except Invalid:
        online = ""
    return {
        "starts_at": starts,
        "ends_at": ends if ends is not None and ends > starts else starts + DEFAULT_LENGTH,
        "timezone": zone,
        "place": place[:MAX_PLACE],
        "online_url": online,
    }


def _warning(obj: dict[str, Any]) -> dict[str, Any]:
    """A Note's ``summary`` is its content warning (an Article's is an excerpt)."""
    summary = obj.get("summary") if obj.get("type") == "Note" else None
    text = re.sub(r"<[^>]+>", "", summary)[:MAX_WARNING].strip() if isinstance(summary, str) else ""
    return {"spoiler_text": text, "sensitive": bool(obj.get("sensitive") is True or text)}
