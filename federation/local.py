"""Our own actors named by URI in inbound activities."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.organisations import Organisation
from models.twinnings import Twinning

KINDS = {"u": "person", "t": "twinning", "o": "organisation"}


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
    """The local person, twinning or organisation at ``uri``, if it is one of ours."""
    parts = urlsplit(uri)
    if f"{parts.scheme}://{parts.netloc}" != settings.base_url:
        return None
    segments = parts.path.strip("/").split("/")
    if len(segments) != 2 or segments[0] not in KINDS:
        return None
    kind, handle = KINDS[segments[0]], segments[1]
    found: Account | Twinning | Organisation | None
    if kind == "person":
        found = await Account.get_or_none(username=handle, state="active")
    elif kind == "twinning":
        found = await Twinning.get_or_none(slug=handle)
    else:
        found = await Organisation.get_or_none(slug=handle)
    return LocalTarget(kind, found.id, uri) if found else None


async def local_item(settings: Settings, uri: str) -> ContentItem | None:
    """Our update at ``uri`` (``/t/<slug>/updates/<id>``), or our reply in its thread
        (``.../replies/<id>``), or our person's answer to another server's post
    (``/u/<name>/notes/<id>``), if it is one of ours."""
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
    from federation.serialize import item_uri, note_uri, reply_uri

    if item.uri:
        return item.uri
    if item.in_reply_to_id is None:
        return item_uri(settings, await Twinning.get(id=item.twinning_id or 0), item)
    root = await ContentItem.get(id=item.in_reply_to_id)
    if root.twinning_id is None:  # an answer to another server's post
        author = await Account.get(id=item.author_id or 0)
        return note_uri(settings, author.username, item)
    twinning = await Twinning.get(id=root.twinning_id)
    return reply_uri(settings, twinning, root, item)
