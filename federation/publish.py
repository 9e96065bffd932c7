"""What goes out when twinning content changes (FEP-1b12).

- Public updates reach the twinning's followers: an ``Announce`` of the object (the boost
  Mastodon shows in home timelines) and an ``Announce`` of the activity itself (for
  group-aware servers).
- Partner-only updates reach remote members only, never followers: the author's activity
  addressed to them by name (Mastodon shows it as a limited post; it drops group re-shares of
  non-public posts) and the twinning's ``Announce`` of it for group-aware servers.
- Edits and deletions also go out as the author's own ``Update``/``Delete``, because Mastodon
  applies them only from the author.

Each function is called by the worker for one recorded happening (``federation.fanout``),
whose ``token`` is part of every activity id made here: a happening taken again after a crash
makes the same activities, which the delivery queue keeps once per inbox.
"""

from __future__ import annotations

from typing import Any

from federation.actors import person_uri, twinning_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.local import uri_of
from federation.mentions import mention_tags, remote_mentions
from federation.serialize import (
    activity,
    addressing,
    answer_to_remote,
    item_uri,
    reply_to_object,
    update_to_object,
)
from federation.vocabulary import PUBLIC
from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.events import EventDetails
from models.follows import follower_inboxes
from models.media import MediaFile
from models.polls import Poll
from models.reactions import Like
from models.remote import RemoteActor
from models.remote_members import remote_members
from models.resources import ResourceDetails
from models.social import Reblog
from models.twinnings import Twinning


async def _audience(twinning: Twinning, item: ContentItem) -> tuple[list[str], list[str]]:
    """(inboxes, remote member URIs) for the item's visibility. Members are the twinning's
    first audience: they get its public items too, without following it; partner-only items
    go to them alone, each at their own inbox (never a shared one, where the server would
    have to guess who may read)."""
    members = await remote_members(twinning.id)
    if item.visibility == "public":
        followers = await follower_inboxes("twinning", twinning.id)
        return sorted(set(followers) | {m.delivery_inbox for m in members}), []
    return sorted({m.inbox for m in members}), [m.uri for m in members]


async def _twinning_of(item: ContentItem) -> Twinning | None:
    """The twinning of an item, or of the thread an answer belongs to."""
    twinning_id = item.twinning_id
    if twinning_id is None and item.in_reply_to_id is not None:
        root = await ContentItem.get_or_none(id=item.in_reply_to_id)
        twinning_id = root.twinning_id if root is not None else None
    return await Twinning.get_or_none(id=twinning_id) if twinning_id is not None else None


async def _share(
    fed: Federation,
    twinning: Twinning,
    author: Account,
    kind: str,
    obj: dict[str, Any],
    inboxes: list[str],
    direct: bool,
    boost: bool,
    token: str,
) -> None:
    if not inboxes:
        return
    group = twinning_uri(fed.settings, twinning.slug)
    author_uri = person_uri(fed.settings, author.username)
    object_id, to, cc = obj["id"], obj["to"], obj["cc"]
    own = activity(kind, f"{object_id}#{kind.lower()}-{token}", author_uri, obj, to, cc)
    if direct:
        await enqueue(own, "person", author.id, author_uri + "#main-key", inboxes)
    if boost:
        shared = activity("Announce", f"{group}#announces/{token}-boost", group, object_id, to, cc)
        await enqueue(shared, "twinning", twinning.id, group + "#main-key", inboxes)
    inner = {key: value for key, value in own.items() if key != "@context"}
    wrapped = activity("Announce", f"{group}#announces/{token}", group, inner, to, cc)
    await enqueue(wrapped, "twinning", twinning.id, group + "#main-key", inboxes)


async def _loaded(item: ContentItem) -> tuple[Twinning, Account] | None:
    """Twinning and author of a local item; None for items posted from other servers."""
    if item.twinning_id is None or item.author_id is None:
        return None
    return await Twinning.get(id=item.twinning_id), await Account.get(id=item.author_id)


async def _publish(fed: Federation, item: ContentItem, kind: str, token: str) -> None:
    loaded = await _loaded(item)
    if loaded is None:
        return
    twinning, author = loaded
    inboxes, members = await _audience(twinning, item)
    media = await MediaFile.filter(item_id=item.id).order_by("id")
    event = await EventDetails.get_or_none(item_id=item.id)
    resource = await ResourceDetails.get_or_none(item_id=item.id)
    mentioned = await _mention(fed, item)
    poll = await Poll.get_or_none(item_id=item.id)
    obj = update_to_object(
        fed.settings, twinning, item, author, members, media, event, resource, poll
    )
    boost = kind == "Create" and item.visibility == "public"
    await _share(fed, twinning, author, kind, obj, inboxes, not boost, boost, token)
    await _to_mentioned(fed, author, kind, obj, mentioned, token)
    if item.visibility == "public":
        await to_followers(fed, author, kind, obj, token)


async def _mention(fed: Federation, item: ContentItem) -> list[RemoteActor]:
    """The people of other servers a public item names, kept with the item as its tags (its
    serialised copies then tag them and add them to the audience)."""
    if item.visibility != "public":
        return []
    mentioned = await remote_mentions(fed, item.content_map.values())
    tags = mention_tags(mentioned)
    if tags != item.mention_tags:
        item.mention_tags = tags
        await item.save(update_fields=["mention_tags"])
    return mentioned


async def _to_mentioned(
    fed: Federation,
    author: Account,
    kind: str,
    obj: dict[str, Any],
    mentioned: list[RemoteActor],
    token: str,
) -> None:
    """The author's own activity to each person named, which is what Mastodon notifies."""
    if not mentioned:
        return
    actor = person_actor(fed.settings, author)
    own = activity(kind, f"{obj['id']}#{kind.lower()}-{token}", actor, obj, obj["to"], obj["cc"])
    await _send(fed, author, own, [a.inbox for a in mentioned])


async def to_followers(
    fed: Federation, author: Account, kind: str, obj: dict[str, Any], token: str
) -> None:
    """A public item also reaches the author's followers on other servers, as the author's own
    activity (what Mastodon puts in their home timelines). Only ever called for public items:
    a followers collection never receives a partner-only one."""
    inboxes = await follower_inboxes("person", author.id)
    if inboxes:
        actor, to, cc = person_actor(fed.settings, author), obj["to"], obj["cc"]
        own = activity(kind, f"{obj['id']}#{kind.lower()}-{token}", actor, obj, to, cc)
        await _send(fed, author, own, inboxes)


async def update_posted(fed: Federation, item: ContentItem, token: str) -> None:
    await _publish(fed, item, "Create", token)


async def update_edited(fed: Federation, item: ContentItem, token: str) -> None:
    await _publish(fed, item, "Update", token)


async def update_deleted(
    fed: Federation, item: ContentItem, twinning: Twinning, author: Account, token: str
) -> None:
    """``item`` as it was: its row is gone."""
    inboxes, members = await _audience(twinning, item)
    uri = item_uri(fed.settings, twinning, item)
    tombstone = {
        "id": uri,
        "type": "Tombstone",
        **addressing(fed.settings, twinning, item, members),
    }
    await _share(fed, twinning, author, "Delete", tombstone, inboxes, True, False, token)
    if item.visibility == "public":
        await to_followers(fed, author, "Delete", tombstone, token)


async def reshare_remote(
    fed: Federation, item: ContentItem, original: dict[str, Any], author_inbox: str, token: str
) -> None:
    """A remote member's post or answer (or its edit or deletion) in the twinning: the
    twinning announces the author's activity, unchanged, to the item's audience other than
    the author (FEP-1b12), addressed as its own items are (partner-only ones to each member
    by name), and boosts public posts so Mastodon followers see them."""
    twinning = await _twinning_of(item)
    if twinning is None:
        return
    inboxes, members = await _audience(twinning, item)
    inboxes = [inbox for inbox in inboxes if inbox != author_inbox]
    if not inboxes:
        return
    group = twinning_uri(fed.settings, twinning.slug)
    address = addressing(fed.settings, twinning, item, members)
    to, cc = address["to"], address["cc"]
    key_id = group + "#main-key"
    top_level = item.in_reply_to_id is None
    if item.visibility == "public" and original["type"] == "Create" and item.uri and top_level:
        boost = activity("Announce", f"{group}#announces/{token}-boost", group, item.uri, to, cc)
        await enqueue(boost, "twinning", twinning.id, key_id, inboxes)
    inner = {key: value for key, value in original.items() if key != "@context"}
    wrapped = activity("Announce", f"{group}#announces/{token}", group, inner, to, cc)
    await enqueue(wrapped, "twinning", twinning.id, key_id, inboxes)


async def reply_posted(fed: Federation, reply: ContentItem, token: str) -> None:
    """Our person's answer in an update's thread goes where the update went, and to the people
    of other servers who replied in it (when the update is public)."""
    root = await ContentItem.get(id=reply.in_reply_to_id)
    if reply.author_id is None:
        return
    if root.twinning_id is None:
        await _answer_remote(fed, reply, root)
        return
    twinning, author = (
        await Twinning.get(id=root.twinning_id),
        await Account.get(id=reply.author_id),
    )
    inboxes, members = await _audience(twinning, root)
    repliers: list[RemoteActor] = []
    if root.visibility == "public":
        repliers = await RemoteActor.filter(items__in_reply_to_id=root.id).distinct()
        inboxes = sorted(set(inboxes) | {r.inbox for r in repliers})
    media = await MediaFile.filter(item_id=reply.id).order_by("id")
    uris = [r.uri for r in repliers]
    parent = await ContentItem.get_or_none(id=reply.parent_id) if reply.parent_id else None
    mentioned = await _mention(fed, reply)
    obj = reply_to_object(fed.settings, twinning, root, reply, author, members, uris, media, parent)
    inboxes = sorted(set(inboxes) | {a.inbox for a in mentioned})
    await _share(fed, twinning, author, "Create", obj, inboxes, True, False, token)


async def remote_thread(root: ContentItem) -> list[RemoteActor]:
    """Who holds another server's thread: the post's author and the group it came through."""
    ids = [i for i in (root.remote_author_id, root.remote_twinning_id) if i is not None]
    return list(await RemoteActor.filter(id__in=ids))


def answer_addressing(root: ContentItem, holders: list[RemoteActor]) -> tuple[list[str], list[str]]:
    """A public thread answers in public; a partner-only one to its author and group alone
    (the group re-shares it to its members), never to Public or followers."""
    uris = [h.uri for h in holders]
    if root.visibility == "public":
        return [PUBLIC], uris
    return uris, []


async def _answer_remote(fed: Federation, reply: ContentItem, root: ContentItem) -> None:
    author = await Account.get(id=reply.author_id)
    holders = await remote_thread(root)
    if not holders or not root.uri:
        return
    to, cc = answer_addressing(root, holders)
    obj = answer_to_remote(fed.settings, reply, author, root.uri, to, cc)
    actor = person_actor(fed.settings, author)
    create = activity("Create", f"{obj['id']}#create", actor, obj, to, cc)
    await _send(fed, author, create, [h.inbox for h in holders])


def person_actor(settings: Settings, account: Account) -> str:
    return person_uri(settings, account.username)


async def _to_author(item: ContentItem) -> list[str]:
    """The inbox of the author of another server's item (it keeps the count); none for ours."""
    if item.remote_author_id is None:
        return []
    author = await RemoteActor.get(id=item.remote_author_id)
    return [author.inbox]


async def _send(
    fed: Federation, account: Account, document: dict[str, Any], inboxes: list[str]
) -> None:
    actor = person_actor(fed.settings, account)
    if inboxes:
        await enqueue(document, "person", account.id, actor + "#main-key", sorted(set(inboxes)))


def _like(fed: Federation, account: Account, object_id: str, like: Like) -> dict[str, Any]:
    actor = person_actor(fed.settings, account)
    return activity("Like", f"{actor}#likes/{like.id}", actor, object_id, [], [])


async def liked(fed: Federation, account: Account, item: ContentItem, like: Like) -> None:
    """A like of another server's item goes to its author; likes of ours are counted here."""
    inboxes = await _to_author(item)
    if inboxes:
        await _send(
            fed, account, _like(fed, account, await uri_of(fed.settings, item), like), inboxes
        )


async def unliked(fed: Federation, account: Account, item: ContentItem, like: Like) -> None:
    inboxes = await _to_author(item)
    if inboxes:
        undone = _like(fed, account, await uri_of(fed.settings, item), like)
        actor = undone["actor"]
        undo = activity("Undo", f"{undone['id']}/undo", actor, _inner(undone), [], [])
        await _send(fed, account, undo, inboxes)


def _inner(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "@context"}


def _announce(fed: Federation, account: Account, object_id: str, row: Reblog) -> dict[str, Any]:
    actor = person_actor(fed.settings, account)
    followers = f"{actor}/followers"
    return activity(
        "Announce", f"{actor}#announces/{row.id}", actor, object_id, [PUBLIC], [followers]
    )


async def reblogged(fed: Federation, account: Account, item: ContentItem, row: Reblog) -> None:
    """A re-share of a public item: to the person's followers and to the item's author."""
    inboxes = await follower_inboxes("person", account.id) + await _to_author(item)
    announce = _announce(fed, account, await uri_of(fed.settings, item), row)
    await _send(fed, account, announce, inboxes)


async def unreblogged(fed: Federation, account: Account, item: ContentItem, row: Reblog) -> None:
    inboxes = await follower_inboxes("person", account.id) + await _to_author(item)
    undone = _announce(fed, account, await uri_of(fed.settings, item), row)
    undo = activity(
        "Undo", f"{undone['id']}/undo", undone["actor"], _inner(undone), undone["to"], undone["cc"]
    )
    await _send(fed, account, undo, inboxes)


def _block(fed: Federation, account: Account, target: RemoteActor, block_id: int) -> dict[str, Any]:
    actor = person_actor(fed.settings, account)
    return activity("Block", f"{actor}#blocks/{block_id}", actor, target.uri, [target.uri], [])


async def blocked(fed: Federation, account: Account, target: RemoteActor, block_id: int) -> None:
    """A person of ours blocking someone of another server tells their server (Mastodon then
    ends their follows of the blocker), and only that server."""
    await _send(fed, account, _block(fed, account, target, block_id), [target.inbox])


async def unblocked(fed: Federation, account: Account, target: RemoteActor, block_id: int) -> None:
    undone = _block(fed, account, target, block_id)
    undo = activity(
        "Undo", f"{undone['id']}/undo", undone["actor"], _inner(undone), undone["to"], []
    )
    await _send(fed, account, undo, [target.inbox])
