"""Our content as ActivityStreams: an update is a ``Note`` (or an ``Article`` when it has a
title, with the mandatory ``summary`` Mastodon shows), addressed by the visibility rule's
audience: public items to Public and the twinning's followers, never anything else."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from federation.actors import person_uri, twinning_uri
from federation.vocabulary import AS, CONTEXT, PUBLIC
from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.events import EventDetails
from models.markup import to_html
from models.media import MediaFile
from models.polls import Poll
from models.resources import ResourceDetails
from models.twinnings import Twinning

SUMMARY_LENGTH = 280


def item_uri(settings: Settings, twinning: Twinning, item: ContentItem) -> str:
    return f"{twinning_uri(settings, twinning.slug)}/updates/{item.id}"


def _ordered(langmap: dict[str, str], primary: str) -> dict[str, str]:
    return dict(sorted(langmap.items(), key=lambda kv: kv[0] != primary))


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def addressing(
    settings: Settings, twinning: Twinning, item: ContentItem, members: list[str]
) -> dict[str, list[str]]:
    """The visibility rule on the wire (DESIGN.md section 3): public items to Public, the
    twinning and its followers; partner-only items to the members collection and each remote
    member by name, never to any form of Public nor to a followers collection."""
    group = twinning_uri(settings, twinning.slug)
    if item.visibility == "public":
        return {"to": [PUBLIC], "cc": [f"{group}/followers", group]}
    return {"to": [f"{group}/members", *members], "cc": []}


def _object_type(item: ContentItem) -> str:
    """Discussions are ``Page`` (threads, as Lemmy and other group software show them);
    updates with a title ``Article``; the rest ``Note``."""
    if item.kind == "discussion":
        return "Page"
    return "Article" if item.title_map else "Note"


def update_to_object(
    settings: Settings,
    twinning: Twinning,
    item: ContentItem,
    author: Account,
    members: list[str] | None = None,
    media: Sequence[MediaFile] = (),
    event: EventDetails | None = None,
    resource: ResourceDetails | None = None,
    poll: Poll | None = None,
) -> dict[str, Any]:
    primary = item.primary_language
    content_map = {
        lang: to_html(text, item.content_format) for lang, text in item.content_map.items()
    }
    content_map = _ordered(content_map, primary)
    obj: dict[str, Any] = {
        "id": item_uri(settings, twinning, item),
        "type": _object_type(item),
        "attributedTo": person_uri(settings, author.username),
        "audience": twinning_uri(settings, twinning.slug),
        "content": content_map.get(primary) or next(iter(content_map.values())),
        "contentMap": content_map,
        "mediaType": "text/html",
        "source": {"content": item.content_map.get(primary, ""), "mediaType": "text/markdown"},
        "published": item.created_at.isoformat(),
        "url": item_uri(settings, twinning, item),
        # FEP-7888: every object of a thread names the thread, its first item.
        "context": item_uri(settings, twinning, item),
        "sensitive": item.sensitive,
        **addressing(settings, twinning, item, members or []),
    }
    if media:
        obj["attachment"] = [attachment(settings, m) for m in media]
    if item.mention_tags and item.visibility == "public":
        obj["tag"] = list(item.mention_tags)
        obj["cc"] = [
            *obj["cc"],
            *(t["href"] for t in item.mention_tags if t["href"] not in obj["cc"]),
        ]
    if item.updated_at:
        obj["updated"] = item.updated_at.isoformat()
    if item.title_map:
        names = _ordered(item.title_map, primary)
        obj["name"] = names.get(primary) or next(iter(names.values()))
        obj["nameMap"] = names
        obj["summary"] = _plain(obj["content"])[:SUMMARY_LENGTH]
    if item.spoiler_text:  # Mastodon reads ``summary`` as the content warning
        obj["summary"] = item.spoiler_text
    if event is not None:
        obj.update(event_fields(event))
    if resource is not None:
        obj.update(resource_fields(resource, bool(media), obj.get("attachment", [])))
    if poll is not None:
        obj.update(question_fields(poll))
    return obj


def question_fields(poll: Poll) -> dict[str, Any]:
    """A poll as Mastodon writes it: a ``Question`` whose ``oneOf`` (one choice) or ``anyOf``
    (several) options are ``Note``s counting their votes in ``replies.totalItems``. Counts
    the author hides until the end go out as zero until then (the end's ``Update`` has them)."""
    shown = poll.expired or not poll.hide_totals
    counts = poll.counts if shown else [0] * len(poll.options)
    options = [
        {"type": "Note", "name": name, "replies": {"type": "Collection", "totalItems": n}}
        for name, n in zip(poll.options, counts, strict=False)
    ]
    fields: dict[str, Any] = {
        "type": "Question",
        "anyOf" if poll.multiple else "oneOf": options,
        "endTime": poll.expires_at.isoformat(),
        "votersCount": poll.voters_count if shown else 0,
    }
    if poll.expired:
        fields["closed"] = poll.expires_at.isoformat()
    return fields


def resource_fields(
    resource: ResourceDetails, has_file: bool, attachments: list[dict[str, Any]]
) -> dict[str, Any]:
    """A resource with a file is a ``Document`` (the file attached); a link is a ``Page``
    whose attachment is the ``Link``."""
    fields: dict[str, Any] = {"type": "Document" if has_file else "Page"}
    if resource.url:
        link = {"type": "Link", "mediaType": "text/html", "href": resource.url}
        fields["attachment"] = [*attachments, link]
    return fields


def event_fields(event: EventDetails) -> dict[str, Any]:
    """A meeting as Mobilizon describes one, so Mobilizon and Gancio show it as an event and
    Mastodon as a post with its title and link."""
    fields: dict[str, Any] = {
        "type": "Event",
        "startTime": event.starts_at.isoformat(),
        "endTime": event.ends_at.isoformat(),
        "timezone": event.timezone,
        "isOnline": bool(event.online_url) and not event.place,
        "joinMode": "free",
    }
    if event.place:
        fields["location"] = {
            "type": "Place",
            "name": event.place,
            "address": {"type": "PostalAddress", "streetAddress": event.place},
        }
    if event.online_url:
        link = {
            "type": "Link",
            "mediaType": "text/html",
            "name": "Online",
            "href": event.online_url,
        }
        fields["attachment"] = [link]
    return fields


def attachment(settings: Settings, media: MediaFile) -> dict[str, Any]:
    """Files of partner-only items are served only to signed fetches by members (and to
    members here), like the items themselves. Pictures say their size and blurhash, as
    Mastodon's do."""
    fields: dict[str, Any] = {
        "type": "Image" if media.kind == "image" else "Document",
        "mediaType": media.media_type,
        "url": f"{settings.base_url}/media/{media.name}",
        "name": media.description or None,
    }
    if media.width and media.height:
        fields |= {"width": media.width, "height": media.height, "blurhash": media.blurhash}
    return fields


def note_uri(settings: Settings, username: str, item: ContentItem) -> str:
    """Our person's answer to another server's post, or update in another server's twinning,
    lives under the person (no twinning of ours holds it)."""
    return f"{person_uri(settings, username)}/notes/{item.id}"


def answer_to_remote(
    settings: Settings,
    reply: ContentItem,
    author: Account,
    root_uri: str,
    to: list[str],
    cc: list[str],
) -> dict[str, Any]:
    primary = reply.primary_language
    content_map = _ordered(
        {lang: to_html(text, reply.content_format) for lang, text in reply.content_map.items()},
        primary,
    )
    uri = note_uri(settings, author.username, reply)
    obj: dict[str, Any] = {
        "id": uri,
        "type": "Note",
        "attributedTo": person_uri(settings, author.username),
        "inReplyTo": root_uri,
        "context": root_uri,
        "content": content_map.get(primary) or next(iter(content_map.values())),
        "contentMap": content_map,
        "published": reply.created_at.isoformat(),
        "url": uri,
        "sensitive": reply.sensitive,
        "to": to,
        "cc": cc,
    }
    if reply.spoiler_text:
        obj["summary"] = reply.spoiler_text
    return obj


def with_context(document: dict[str, Any]) -> dict[str, Any]:
    return {"@context": CONTEXT, **document}


def activity(
    kind: str, activity_id: str, actor: str, obj: Any, to: list[str], cc: list[str]
) -> dict[str, Any]:
    return {
        "@context": AS,
        "id": activity_id,
        "type": kind,
        "actor": actor,
        "object": obj,
        "to": to,
        "cc": cc,
    }


def answer(actor: str, accepted: bool, obj: Any, to: str) -> dict[str, Any]:
    """An Accept or Reject by ``actor`` of ``obj`` (a Follow, Join or Invite), to ``to`` alone."""
    kind = "Accept" if accepted else "Reject"
    return activity(kind, f"{actor}#{kind.lower()}s/{uuid.uuid4().hex}", actor, obj, [to], [])


def reply_uri(settings: Settings, twinning: Twinning, root: ContentItem, reply: ContentItem) -> str:
    return f"{item_uri(settings, twinning, root)}/replies/{reply.id}"


def reply_to_object(
    settings: Settings,
    twinning: Twinning,
    root: ContentItem,
    reply: ContentItem,
    author: Account,
    members: list[str],
    repliers: list[str],
    media: Sequence[MediaFile] = (),
    parent: ContentItem | None = None,
) -> dict[str, Any]:
    """A reply is a Note in its update's thread, addressed like the update, plus the people
    of other servers who took part in the thread; ``inReplyTo`` names the answer it answers
    (``parent``), else the thread's first item, which ``context`` always names."""
    obj = update_to_object(settings, twinning, reply, author, members, media)
    uri = reply_uri(settings, twinning, root, reply)
    thread = root.uri or item_uri(settings, twinning, root)
    answered = thread
    if parent is not None:
        answered = parent.uri or reply_uri(settings, twinning, root, parent)
    obj.update({"id": uri, "url": uri, "inReplyTo": answered, "context": thread})
    if reply.visibility == "public":
        obj["cc"] = [*obj["cc"], *repliers]
    return obj
