"""Our own actors named by URI in inbound activities."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tortoise.exceptions import DoesNotExist

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.organisations import Organisation
from models.programmes import Programme
from models.twinnings import Twinning

KINDS = {"u": "person", "t": "twinning", "o": "organisation", "p": "programme"}


@dataclass(frozen=True)
class LocalTarget:
    actor_type: str
    actor_id: int
    uri: str

    @property
    def key_id(self) -> str:
        return self.uri + "#main-key"


def object_uri(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


async def local_target(settings: Settings, uri: str) -> LocalTarget | None:
    """The local person, twinning, organisation or programme at ``uri``, if it is one of ours."""
    parts = urlsplit(uri)
    if f"{parts.scheme}://{parts.netloc}" != settings.base_url:
        return None
    segments = parts.path.strip("/").split("/")
    if len(segments) != 2 or segments[0] not in KINDS:
        return None
    kind, handle = KINDS[segments[0]], segments[1]
    found: Account | Twinning | Organisation | Programme | None
    if kind == "person":
        found = await Account.get_or_none(username=handle, state="active")
    elif kind == "twinning":
        found = await Twinning.get_or_none(slug=handle)
    elif kind == "programme":
        found = await Programme.get_or_none(slug=handle)
    else:
        found = await Organisation.get_or_none(slug=handle)
    return LocalTarget(kind, found.id, uri) if found else None


async def local_item(settings: Settings, uri: str) -> ContentItem | None:
    """Our update at ``uri`` (``/t/<slug>/updates/<id>``), or our reply in its thread
        (``.../replies/<id>``), or our person's answer to another server's post or update
    in another server's twinning (``/u/<name>/notes/<id>``), if it is one of ours."""
    parts = urlsplit(uri)
    if f"{parts.scheme}://{parts.netloc}" != settings.base_url:
        return None
    segments = parts.path.strip("/").split("/")
    if len(segments) == 4 and segments[0] == "u" and segments[2] == "notes":
        if not segments[3].isdigit():
            return None
        return await ContentItem.get_or_none(
            id=int(segments[3]), author__username=segments[1], uri=None
        )
    if len(segments) not in (4, 6) or segments[0] != "t" or segments[2] != "updates":
        return None
    if not all(s.isdigit() for s in segments[3::2]):
        return None
    root = await ContentItem.get_or_none(id=int(segments[3]), twinning__slug=segments[1], uri=None)
    if root is None or len(segments) == 4:
        return root
    if segments[4] != "replies":
        return None
    return await ContentItem.get_or_none(id=int(segments[5]), in_reply_to=root, uri=None)


async def uri_of(settings: Settings, item: ContentItem) -> str:
    """The ActivityPub id of any item we hold: its own for items from other servers, the
    update's or the reply's address for ours (the inverse of ``local_item``)."""
    if item.uri:
        return item.uri
    root = await ContentItem.get(id=item.in_reply_to_id) if item.in_reply_to_id else None
    holder = item if root is None else root
    twinning = await Twinning.get_or_none(id=holder.twinning_id or 0)
    author = await Account.get_or_none(id=item.author_id or 0) if twinning is None else None
    return uri_from(settings, item, root, twinning, author)


def uri_from(
    settings: Settings,
    item: ContentItem,
    root: ContentItem | None,
    twinning: Twinning | None,
    author: Account | None,
) -> str:
    """``uri_of`` for callers that read what it needs beforehand (pages of many items):
    ``root`` the thread's root for an answer, ``twinning`` the twinning of the root (or of the
    item itself), ``author`` the item's author (for an answer to another server's post)."""
    from federation.serialize import item_uri, note_uri, reply_uri

    if item.uri:
        return item.uri
    if root is None:
        if twinning is not None:
            return item_uri(settings, twinning, item)
        if author is None:  # an update of ours in another server's twinning has an author
            raise DoesNotExist("an update of ours has a twinning or an author")
        return note_uri(settings, author.username, item)
    if root.twinning_id is None:  # an answer to another server's post
        if author is None:
            raise DoesNotExist("an answer of ours has an author")
        return note_uri(settings, author.username, item)
    if twinning is None:
        raise DoesNotExist("a thread of ours has a twinning")
    return reply_uri(settings, twinning, root, item)
