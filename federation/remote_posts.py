"""Our people's updates to twinnings of other servers they belong to (FEP-1b12): the author's
own ``Create`` (``Update``, ``Delete``) goes to the twinning, which checks the membership and
re-shares it to its audience.

Addressing follows the visibility rule on the wire (DESIGN.md section 3): a public update to
Public, the twinning and the author's followers (who get it too); a partner-only one to the
twinning and its members collection alone, at the twinning's own inbox, never to any form of
Public nor to a followers collection."""

from __future__ import annotations

from typing import Any

from federation.actors import person_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import activity, attachment, note_uri
from federation.vocabulary import PUBLIC
from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.follows import follower_inboxes
from models.markup import to_html
from models.media import MediaFile
from models.remote import RemoteActor


def remote_addressing(author_uri: str, group: RemoteActor, public: bool) -> dict[str, list[str]]:
    if public:
        return {"to": [PUBLIC], "cc": [group.uri, f"{author_uri}/followers"]}
    return {"to": [group.uri, f"{group.uri}/members"], "cc": []}


def remote_update_object(
    settings: Settings,
    item: ContentItem,
    author: Account,
    group: RemoteActor,
    media: list[MediaFile],
) -> dict[str, Any]:
    """A ``Note`` naming the twinning as its ``audience`` and as a mention (what Lemmy and
    Mastodon read), under the author's address (no twinning of ours holds it)."""
    primary = item.primary_language
    content = {lang: to_html(text, item.content_format) for lang, text in item.content_map.items()}
    author_uri = person_uri(settings, author.username)
    uri = note_uri(settings, author.username, item)
    obj: dict[str, Any] = {
        "id": uri,
        "type": "Note",
        "attributedTo": author_uri,
        "audience": group.uri,
        "content": content.get(primary) or next(iter(content.values())),
        "contentMap": {primary: content[primary], **content} if primary in content else content,
        "published": item.created_at.isoformat(),
        "url": uri,
        "context": uri,
        "sensitive": item.sensitive,
        "tag": [{"type": "Mention", "href": group.uri, "name": f"@{group.acct}"}],
        **remote_addressing(author_uri, group, item.visibility == "public"),
    }
    if media:
        obj["attachment"] = [attachment(settings, m) for m in media]
    if item.updated_at:
        obj["updated"] = item.updated_at.isoformat()
    if item.spoiler_text:
        obj["summary"] = item.spoiler_text
    return obj


async def _loaded(item: ContentItem) -> tuple[Account, RemoteActor] | None:
    if item.uri is not None or item.author_id is None or item.remote_twinning_id is None:
        return None
    author = await Account.get_or_none(id=item.author_id)
    group = await RemoteActor.get_or_none(id=item.remote_twinning_id)
    return (author, group) if author is not None and group is not None else None


async def send_remote_update(fed: Federation, item: ContentItem, kind: str, token: str) -> bool:
    """``Create`` or ``Update`` of an update of ours in another server's twinning; False when
    ``item`` is no such update."""
    loaded = await _loaded(item)
    if loaded is None:
        return False
    author, group = loaded
    media = list(await MediaFile.filter(item_id=item.id).order_by("id"))
    obj = remote_update_object(fed.settings, item, author, group, media)
    await _deliver(fed, author, group, kind, obj, item.visibility == "public", token)
    return True


async def send_remote_deletion(
    fed: Federation, item: ContentItem, author: Account, group: RemoteActor, token: str
) -> None:
    """``item`` as it was: its row is gone."""
    author_uri = person_uri(fed.settings, author.username)
    public = item.visibility == "public"
    tombstone = {
        "id": note_uri(fed.settings, author.username, item),
        "type": "Tombstone",
        **remote_addressing(author_uri, group, public),
    }
    await _deliver(fed, author, group, "Delete", tombstone, public, token)


async def _deliver(
    fed: Federation,
    author: Account,
    group: RemoteActor,
    kind: str,
    obj: dict[str, Any],
    public: bool,
    token: str,
) -> None:
    """Partner-only: the twinning's own inbox alone (never a shared one, where the server
    would have to guess who may read). Public: also the author's followers."""
    actor = person_uri(fed.settings, author.username)
    own = activity(kind, f"{obj['id']}#{kind.lower()}-{token}", actor, obj, obj["to"], obj["cc"])
    inboxes = [group.inbox]
    if public:
        inboxes += await follower_inboxes("person", author.id)
    await enqueue(own, "person", author.id, actor + "#main-key", inboxes)
