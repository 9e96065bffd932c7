"""What goes out when twinning content changes (FEP-1b12). The twinning re-shares its public
updates: an ``Announce`` of the object (the boost Mastodon shows in its followers' home
timelines) and an ``Announce`` of the activity itself (for group-aware servers). The author's
own ``Update``/``Delete`` also goes to the same inboxes, because Mastodon applies edits and
deletions only from the author. Partner-only items never go to followers."""

from __future__ import annotations

import uuid
from typing import Any

from federation.actors import person_uri, twinning_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import activity, addressing, item_uri, update_to_object
from federation.vocabulary import PUBLIC
from models.accounts import Account
from models.content import ContentItem
from models.follows import follower_inboxes
from models.twinnings import Twinning


async def _share(
    fed: Federation,
    twinning: Twinning,
    author: Account,
    kind: str,
    obj: Any,
    announce_object: bool,
) -> None:
    inboxes = await follower_inboxes("twinning", twinning.id)
    if not inboxes:
        return
    settings = fed.settings
    group = twinning_uri(settings, twinning.slug)
    author_uri = person_uri(settings, author.username)
    object_id = obj if isinstance(obj, str) else obj["id"]
    to, cc = [PUBLIC], [f"{group}/followers", group]
    direct = activity(
        kind, f"{object_id}#{kind.lower()}-{uuid.uuid4().hex}", author_uri, obj, to, cc
    )
    inner = {key: value for key, value in direct.items() if key != "@context"}
    if kind != "Create":
        await enqueue(direct, "person", author.id, author_uri + "#main-key", inboxes)
    if announce_object:
        boost = activity(
            "Announce", f"{group}#announces/{uuid.uuid4().hex}", group, object_id, to, cc
        )
        await enqueue(boost, "twinning", twinning.id, group + "#main-key", inboxes)
    wrapped = activity("Announce", f"{group}#announces/{uuid.uuid4().hex}", group, inner, to, cc)
    await enqueue(wrapped, "twinning", twinning.id, group + "#main-key", inboxes)


async def update_posted(fed: Federation, item: ContentItem) -> None:
    if item.visibility != "public" or item.twinning_id is None:
        return
    twinning, author = await Twinning.get(id=item.twinning_id), await Account.get(id=item.author_id)
    obj = update_to_object(fed.settings, twinning, item, author)
    await _share(fed, twinning, author, "Create", obj, announce_object=True)


async def update_edited(fed: Federation, item: ContentItem) -> None:
    if item.visibility != "public" or item.twinning_id is None:
        return
    twinning, author = await Twinning.get(id=item.twinning_id), await Account.get(id=item.author_id)
    obj = update_to_object(fed.settings, twinning, item, author)
    await _share(fed, twinning, author, "Update", obj, announce_object=False)


async def update_deleted(
    fed: Federation, item: ContentItem, twinning: Twinning, author: Account
) -> None:
    """Called with the item still loaded, after its row is gone."""
    if item.visibility != "public":
        return
    uri = item_uri(fed.settings, twinning, item)
    tombstone = {"id": uri, "type": "Tombstone", **addressing(fed.settings, twinning, item)}
    await _share(fed, twinning, author, "Delete", tombstone, announce_object=False)
