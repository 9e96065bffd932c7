"""Programmes on ActivityPub: the programme as an actor others follow, its collections, what
its followers hear when a twinning joins it, and what we read of a twinning of another server.

A programme is a ``Group`` actor, not a ``Collection`` owned by its organisation: only actors
have an inbox, so only an actor can be followed from Mastodon, Lemmy or another Jumelage
server, and answer WebFinger; a Collection would be readable but not followable. So that it
is not taken for a twinning, its document carries a ``PropertyValue`` named ``Programme``
(shown by Mastodon as a profile field) and no members collection; its ``featured``
collection (Mastodon's pinned posts) and its outbox list the twinnings it follows, the
outbox as the ``Add`` activities its followers received.

Of a twinning of another server we know what it publishes: the phase in its document's
``PropertyValue`` named ``Phase`` and the sizes of its public outbox, members and followers
collections, plus the names of its latest public items; all public, read with the instance
actor's signature."""

from __future__ import annotations

from typing import Any

from federation.actors import _actor, actor_key, organisation_uri, twinning_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.errors import FederationError
from federation.fetch import FetchError
from federation.subscriptions import resolve
from federation.vocabulary import AS, PUBLIC
from models.config import Settings
from models.follows import follower_inboxes
from models.langmap import pick
from models.organisations import Organisation
from models.programmes import Programme, ProgrammeTwinning, keep_snapshot
from models.remote import RemoteActor
from models.vocab import PHASE_NAMES, PHASES

PROGRAMME_MARKER = "Programme"
RECENT = 3
MAX_TEXT = 200


class NotATwinning(FederationError):
    status = 400


def programme_uri(settings: Settings, slug: str) -> str:
    return f"{settings.base_url}/p/{slug}"


def _entry_uri(settings: Settings, entry: ProgrammeTwinning) -> str:
    if entry.twinning is not None:
        return twinning_uri(settings, entry.twinning.slug)
    remote: RemoteActor = entry.remote  # type: ignore[assignment]
    return remote.uri


async def programme_document(settings: Settings, programme: Programme) -> dict[str, Any]:
    key = await actor_key("programme", programme.id)
    uri = programme_uri(settings, programme.slug)
    primary = programme.languages[0] if programme.languages else "en"
    _, title = pick(programme.title_map, primary, primary)
    doc = _actor(settings, uri, "Group", programme.slug, title, key)
    doc["nameMap"] = programme.title_map
    if programme.description_map:
        _, text = pick(programme.description_map, primary, primary)
        doc["summary"], doc["summaryMap"] = text, programme.description_map
    doc["featured"] = f"{uri}/featured"
    doc["published"] = programme.created_at.isoformat()
    period = " – ".join(d.isoformat() for d in (programme.starts_on, programme.ends_on) if d)
    doc["attachment"] = [
        {"type": "PropertyValue", "name": PROGRAMME_MARKER, "value": period or title}
    ]
    org = await Organisation.get_or_none(id=programme.organisation_id or 0)
    if org is not None:
        doc["attributedTo"] = organisation_uri(settings, org.slug)
    return doc


async def _entries(programme: Programme) -> list[ProgrammeTwinning]:
    query = ProgrammeTwinning.filter(programme=programme).prefetch_related("twinning", "remote")
    return await query.order_by("id")


def _add(settings: Settings, programme: Programme, entry: ProgrammeTwinning) -> dict[str, Any]:
    uri = programme_uri(settings, programme.slug)
    return {
        "@context": AS,
        "id": f"{uri}#add/{entry.id}",
        "type": "Add",
        "actor": uri,
        "object": _entry_uri(settings, entry),
        "target": f"{uri}/featured",
        "to": [PUBLIC],
        "cc": [f"{uri}/followers"],
        "published": entry.added_at.isoformat(),
    }


async def featured(settings: Settings, programme: Programme) -> dict[str, Any]:
    entries = await _entries(programme)
    return {
        "@context": AS,
        "id": f"{programme_uri(settings, programme.slug)}/featured",
        "type": "OrderedCollection",
        "totalItems": len(entries),
        "orderedItems": [_entry_uri(settings, e) for e in entries],
    }


async def outbox(settings: Settings, programme: Programme) -> dict[str, Any]:
    """Every ``Add``, newest first (a programme holds a bounded number of twinnings)."""
    entries = await _entries(programme)
    return {
        "@context": AS,
        "id": f"{programme_uri(settings, programme.slug)}/outbox",
        "type": "OrderedCollection",
        "totalItems": len(entries),
        "orderedItems": [_add(settings, programme, e) for e in reversed(entries)],
    }


async def announce_addition(fed: Federation, data: dict[str, Any], token: str) -> None:
    """The worker's step for ``happenings.joined_programme``: an ``Add`` to the followers."""
    entry = await ProgrammeTwinning.get_or_none(id=data["entry"]).prefetch_related(
        "twinning", "remote", "programme"
    )
    if entry is None:
        return  # removed before it went out
    programme: Programme = entry.programme  # type: ignore[assignment]
    inboxes = await follower_inboxes("programme", programme.id)
    if not inboxes:
        return
    uri = programme_uri(fed.settings, programme.slug)
    await enqueue(
        _add(fed.settings, programme, entry), "programme", programme.id, f"{uri}#main-key", inboxes
    )


def _phase_of(document: dict[str, Any]) -> tuple[str, bool]:
    """(the phase a twinning's document shows, whether the document is a programme's)."""
    attachments = document.get("attachment")
    phase, is_programme = "", False
    for field in attachments if isinstance(attachments, list) else []:
        if not isinstance(field, dict) or field.get("type") != "PropertyValue":
            continue
        if field.get("name") == PROGRAMME_MARKER:
            is_programme = True
        if field.get("name") == "Phase":
            value = str(field.get("value", "")).strip().lower()
            phase = next((p for p in PHASES if value in (p, PHASE_NAMES[p].lower())), "")
    return phase, is_programme


async def _size(fed: Federation, document: dict[str, Any], name: str) -> int | None:
    """``totalItems`` of one of the actor's collections, or None when it does not tell."""
    url = document.get(name)
    if not isinstance(url, str):
        return None
    try:
        collection = await fed.client.fetch_object(url, fed.instance_signer)
    except FetchError:
        return None
    total = collection.get("totalItems")
    return total if isinstance(total, int) and total >= 0 else None


def _item_of(activity: Any) -> dict[str, str] | None:
    obj = activity.get("object") if isinstance(activity, dict) else None
    if not isinstance(obj, dict):
        return None
    text = obj.get("name") or obj.get("summary") or obj.get("content") or ""
    url = obj.get("url") if isinstance(obj.get("url"), str) else obj.get("id")
    if not isinstance(text, str) or not isinstance(url, str):
        return None
    if not url.startswith(("https://", "http://")):  # shown as a link: no javascript: here
        return None
    published = obj.get("published")
    return {
        "text": text[:MAX_TEXT],
        "url": url[:500],
        "published": published[:40] if isinstance(published, str) else "",
    }


async def _recent(fed: Federation, document: dict[str, Any]) -> list[dict[str, str]]:
    """The latest public items of the twinning's outbox, as names (their text is HTML: kept
    for an escaped one-line preview only)."""
    url = document.get("outbox")
    if not isinstance(url, str):
        return []
    try:
        box = await fed.client.fetch_object(url, fed.instance_signer)
        first = box.get("first")
        page = (
            await fed.client.fetch_object(first, fed.instance_signer)
            if isinstance(first, str)
            else box
        )
    except FetchError:
        return []
    items = page.get("orderedItems")
    found = [_item_of(a) for a in (items if isinstance(items, list) else [])[:RECENT]]
    return [f for f in found if f is not None]


async def twinning_snapshot(fed: Federation, group: RemoteActor) -> dict[str, Any]:
    """What a twinning of another server publishes of itself, read now."""
    document = await fed.client.fetch_object(group.uri, fed.instance_signer)
    phase, is_programme = _phase_of(document)
    if is_programme:
        raise NotATwinning("this address is a programme, not a twinning")
    return {
        "phase": phase,
        "items": await _size(fed, document, "outbox"),
        "members": await _size(fed, document, "members"),
        "followers": await _size(fed, document, "followers"),
        "recent": await _recent(fed, document),
    }


async def resolve_twinning(fed: Federation, handle: str) -> tuple[RemoteActor, dict[str, Any]]:
    """A twinning of another server by its handle (``@slug@domain``) and what it publishes."""
    group = await resolve(fed, handle)
    if group.domain == fed.settings.domain:
        raise NotATwinning("this twinning is on this server: write its name alone")
    return group, await twinning_snapshot(fed, group)


async def refresh(fed: Federation, entry: ProgrammeTwinning) -> None:
    remote: RemoteActor = entry.remote  # type: ignore[assignment]
    await keep_snapshot(entry, await twinning_snapshot(fed, remote))
