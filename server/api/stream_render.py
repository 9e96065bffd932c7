"""What one subscriber of one stream hears of one event, drawn for them when it is sent: the
visibility rule first (``may_view``; for a gone item, the audience it had), then what the
subscriber muted or blocked (``is_unheard``, the timelines' rule), then whether the item belongs
to the stream (the home timeline's rule for ``user``, public items for
``public`` and ``hashtag``, a twinning for ``list``), then the same entities as the REST API.

Streams are Mastodon's: ``user``, ``user:notification``, ``public`` (``:local``,
``:remote``, ``:media``), ``hashtag`` (``:local``), ``list`` and ``direct``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.home import home_items, my_twinnings
from models.media import MediaFile
from models.notifications import visible_notifications
from models.personal_blocks import is_unheard
from models.stream_events import StreamEvent, may_have_seen
from models.visibility import may_view
from server.api.entities import Viewing, status_entity
from server.api.filters import screened
from server.api.notifications import notification_entities

PUBLIC_STREAMS = ("public", "public:local", "public:remote")
NAMES = (
    "user",
    "user:notification",
    *PUBLIC_STREAMS,
    *(f"{name}:media" for name in PUBLIC_STREAMS),
    "hashtag",
    "hashtag:local",
    "list",
    "direct",
)
# Which of the subscriber's filters apply to each stream (``screened``).
_CONTEXTS = {"user": "home", "list": "home", "public": "public", "hashtag": "public"}
# Which scope each stream needs (``read`` covers them all), as Mastodon's streaming server.
SCOPES = {"user:notification": "read:notifications", "list": "read:lists"}


class StreamRefused(Exception):
    """A stream asked for that does not exist or is not the asker's (a 4xx, with ``status``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Stream:
    name: str
    tag: str = ""
    list_id: int | None = None

    def label(self) -> list[str]:
        """The ``stream`` field of a WebSocket message."""
        if self.name.startswith("hashtag"):
            return [self.name, self.tag]
        if self.name == "list":
            return [self.name, str(self.list_id)]
        return [self.name]


async def stream_for(name: str, tag: str, list_param: str, viewer: Account) -> Stream:
    """The stream asked for, checked: a hashtag is letters, digits or ``_``; a list is one
    of the viewer's twinnings (as for the list timeline, another's is "not found")."""
    if name not in NAMES:
        raise StreamRefused(400, "Unknown stream type")
    if name.startswith("hashtag"):
        tag = tag.lstrip("#").lower()
        if not tag or len(tag) > 100 or not tag.replace("_", "").isalnum():
            raise StreamRefused(400, "No valid tag name given")
        return Stream(name, tag=tag)
    if name == "list":
        number = int(list_param) if list_param.isascii() and list_param.isdigit() else None
        if number is None or number not in await my_twinnings(viewer):
            raise StreamRefused(404, "Record not found")
        return Stream(name, list_id=number)
    return Stream(name)


def message(event: str, payload: Any) -> tuple[str, str]:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return event, text


async def render(
    settings: Settings, viewer: Account, stream: Stream, event: StreamEvent
) -> tuple[str, str] | None:
    """(event, payload) for this subscriber on this stream, or None when it is not theirs.
    A fresh ``Viewing`` each time: counts and names change over a long connection."""
    view = Viewing(settings, viewer, viewer.locale or settings.default_locale)
    if event.kind == "notification":
        return await _notification(view, viewer, stream, event)
    if event.kind == "delete":
        return await _delete(viewer, stream, event)
    if stream.name == "user:notification" or event.item_id is None:
        return None
    item = await ContentItem.get_or_none(id=event.item_id)
    if item is None or not await may_view(viewer, item) or await is_unheard(viewer, item):
        return None
    if not await _belongs(viewer, stream, item):
        return None
    kept = await screened(
        viewer,
        _CONTEXTS.get(stream.name.split(":")[0], ""),
        [item],
        [await status_entity(view, item)],
    )
    if not kept:
        return None
    status = kept[0]
    if stream.name == "direct":
        if event.kind != "update" or status["visibility"] != "direct":
            return None
        return message("conversation", _conversation(viewer, item, status))
    return message(event.kind, status)


async def _notification(
    view: Viewing, viewer: Account, stream: Stream, event: StreamEvent
) -> tuple[str, str] | None:
    if stream.name not in ("user", "user:notification") or event.account_id != viewer.id:
        return None
    row = await visible_notifications(viewer).filter(id=event.notification_id).first()
    if row is None:
        return None
    drawn = await notification_entities(view, [row])
    return message("notification", drawn[0]) if drawn else None


async def _delete(viewer: Account, stream: Stream, event: StreamEvent) -> tuple[str, str] | None:
    if stream.name == "user:notification" or event.item_id is None:
        return None
    public_only = stream.name.startswith(("public", "hashtag"))
    seen = event.gone.public if public_only else await may_have_seen(viewer, event.gone)
    return message("delete", str(event.item_id)) if seen else None


async def _belongs(viewer: Account, stream: Stream, item: ContentItem) -> bool:
    name = stream.name
    if name == "user":
        return await (await home_items(viewer)).filter(id=item.id).exists()
    if name == "list":
        return item.twinning_id == stream.list_id
    if name == "direct":
        return True
    # Public streams and hashtags carry public items only, whoever listens.
    if not await may_view(None, item):
        return False
    if name.endswith(":media") and not await MediaFile.filter(item_id=item.id).exists():
        return False
    if ":local" in name and item.author_id is None:
        return False
    if ":remote" in name and item.author_id is not None:
        return False
    if name.startswith("hashtag"):
        return f"#{stream.tag}" in (item.search_text or "").lower()
    return True


def _conversation(viewer: Account, item: ContentItem, status: dict[str, Any]) -> dict[str, Any]:
    """Mastodon's Conversation: a thread of direct messages, named by its first item."""
    mine = item.author_id == viewer.id
    return {
        "id": str(item.in_reply_to_id or item.id),
        "unread": not mine,
        "accounts": [] if mine else [status["account"]],
        "last_status": status,
    }
