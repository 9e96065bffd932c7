"""Create, Update and Delete of posts (Note, Article, Page) sent to our twinnings by people of
other servers. Only accepted members' posts become twinning content (and are re-shared); a
remote Create that names an existing object never changes it, and an Update never widens who
may see an item."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from federation.attachments import copy_files
from federation.context import Federation
from federation.local import local_item, local_target, object_uri
from federation.remote_actors import actor_for
from federation.vocabulary import PUBLIC_FORMS
from models import happenings
from models.config import LOCALES
from models.content import ContentItem
from models.errors import Invalid
from models.events import MAX_PLACE, EventDetails, check_link, check_zone
from models.langdetect import detect
from models.markup import clean_html
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Twinning
from models.visibility import may_remote_actor_view, store_audience

log = logging.getLogger(__name__)
POST_TYPES = ("Note", "Article", "Page", "Event", "Document")
DEFAULT_LENGTH = timedelta(hours=2)
MAX_TEXT = 20_000
MAX_WARNING = 500


def _addresses(obj: dict[str, Any], activity: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for source in (obj, activity):
        for key in ("audience", "to", "cc"):
            value = source.get(key)
            values = value if isinstance(value, list) else [value]
            found += [v for v in values if isinstance(v, str)]
    return found


async def _target_twinning(fed: Federation, addresses: list[str]) -> Twinning | None:
    for address in addresses:
        target = await local_target(fed.settings, address.removesuffix("/members"))
        if target is not None and target.actor_type == "twinning":
            return await Twinning.get(id=target.actor_id)
    return None


def _language_map(obj: dict[str, Any], field: str, fallback: str, html: bool) -> dict[str, str]:
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


async def _object(fed: Federation, activity: dict[str, Any]) -> dict[str, Any] | None:
    obj = activity.get("object")
    if isinstance(obj, str):  # fetched from its own origin, never trusted from a third party
        obj = await fed.client.fetch_object(obj, fed.instance_signer)
    if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES:
        return None
    if obj.get("attributedTo") != activity["actor"]:
        return None
    return obj


async def on_create(fed: Federation, activity: dict[str, Any]) -> None:
    obj = await _object(fed, activity)
    if obj is None or not isinstance(obj.get("id"), str):
        return
    root = await local_item(fed.settings, object_uri(obj.get("inReplyTo")))
    parent = None
    if root is not None and root.in_reply_to_id is not None:  # stored flat, shown nested
        parent, root = root, await ContentItem.get(id=root.in_reply_to_id)
    if root is not None:
        await _store_reply(fed, root, obj, activity, parent)
        return
    addresses = _addresses(obj, activity)
    twinning = await _target_twinning(fed, addresses)
    if twinning is None:
        group = await _followed_group(addresses)
        if group is not None:
            await store_group_item(fed, group, obj, addresses)
        else:
            await _store_mention(fed, obj, activity, addresses)
        return
    actor = await actor_for(fed, activity["actor"])
    if not await RemoteMembership.filter(twinning=twinning, actor=actor, state="accepted").exists():
        log.info("post %s from a non-member of %s is not re-shared", obj["id"], twinning.slug)
        return
    content = _language_map(obj, "content", twinning.primary_language, html=True)
    if not content:
        return

    async def then(item: ContentItem) -> None:
        await happenings.arrived(item, actor, reshare=activity)

    # Stored already: its audience stays as it was, and nothing follows twice.
    await _keep(
        obj,
        content,
        addresses,
        twinning.primary_language,
        then,
        twinning=twinning,
        remote_author=actor,
    )


async def _store_reply(
    fed: Federation,
    root: ContentItem,
    obj: dict[str, Any],
    activity: dict[str, Any],
    parent: ContentItem | None = None,
) -> None:
    """A reply to one of our updates, kept only if its author may see that update; it then
    reaches exactly the update's audience."""
    if not await may_remote_actor_view(activity["actor"], root):
        return
    actor = await actor_for(fed, activity["actor"])
    content = _language_map(obj, "content", root.primary_language, html=True)
    if not content:
        return

    async def then(reply: ContentItem) -> None:
        await happenings.arrived(reply, actor)

    await _keep(
        obj,
        content,
        [],
        root.primary_language,
        then,
        visibility=root.visibility,
        kind="reply",
        in_reply_to=root,
        parent=parent,
        remote_author=actor,
    )


async def _mentioned_people(
    fed: Federation, obj: dict[str, Any], addresses: list[str]
) -> list[int]:
    """Our people a post names, by address or by a ``Mention`` tag."""
    tag = obj.get("tag")
    tags: list[Any] = tag if isinstance(tag, list) else [tag]
    hrefs = [t.get("href") for t in tags if isinstance(t, dict) and t.get("type") == "Mention"]
    people = []
    for uri in [*addresses, *(h for h in hrefs if isinstance(h, str))]:
        target = await local_target(fed.settings, uri)
        if target is not None and target.actor_type == "person":
            people.append(target.actor_id)
    return sorted(set(people))


async def _store_mention(
    fed: Federation, obj: dict[str, Any], activity: dict[str, Any], addresses: list[str]
) -> None:
    """A post of another server that names some of our people (a mention or a direct
    message): kept for them, and they are told."""
    people = await _mentioned_people(fed, obj, addresses)
    content = _language_map(obj, "content", "en", html=True)
    if not people or not content:
        return
    actor = await actor_for(fed, activity["actor"])

    async def then(item: ContentItem) -> None:
        await happenings.arrived(item, actor, mentioned=people)

    await _keep(obj, content, addresses, "en", then, mentioned=people, remote_author=actor)


Then = Callable[[ContentItem], Awaitable[None]]


async def _keep(
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
        title_map=_language_map(obj, "name", language, html=False),
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


async def _followed_group(addresses: list[str]) -> RemoteActor | None:
    """A twinning of another server that some of our people follow or belong to."""
    return await RemoteActor.filter(
        uri__in=addresses, actor_type="Group", subscribers__state="accepted"
    ).first()


async def store_group_item(
    fed: Federation, group: RemoteActor, obj: dict[str, Any], addresses: list[str]
) -> None:
    """A post of another server's twinning, kept for our people: public ones for everyone,
    partner-only ones for our people who belong to that twinning."""
    author = await actor_for(fed, obj["attributedTo"])
    content = _language_map(obj, "content", "en", html=True)
    if not content or not isinstance(obj.get("id"), str):
        return
    item = await _keep(obj, content, addresses, "en", remote_twinning=group, remote_author=author)
    if item is not None:
        await copy_files(fed, item, obj, group)


async def _own_item(activity: dict[str, Any], uri: str) -> ContentItem | None:
    actor = await RemoteActor.get_or_none(uri=activity["actor"])
    if actor is None or not uri:
        return None
    return await ContentItem.get_or_none(uri=uri, remote_author=actor)


async def on_update(fed: Federation, activity: dict[str, Any]) -> None:
    obj = activity.get("object")
    if not isinstance(obj, dict):
        return
    item = await _own_item(activity, object_uri(obj))
    if item is None:
        return
    content = _language_map(obj, "content", item.primary_language, html=True)
    if content:
        item.content_map = content
        item.title_map = _language_map(obj, "name", item.primary_language, html=False)
        item.search_text = " ".join(content.values()).lower()
        async with happenings.acting():
            await item.save()
            if item.twinning_id is not None:
                await happenings.remote_changed(item, activity)


async def on_delete(fed: Federation, activity: dict[str, Any]) -> None:
    item = await _own_item(activity, object_uri(activity.get("object")))
    if item is not None:
        async with happenings.acting():
            if item.twinning_id is not None:
                await happenings.remote_changed(item, activity)
            await item.delete()
