"""Collections of our actors: outbox, followers, following, members. Outboxes list public
items only (the visibility rule's query for an anonymous viewer); follower collections give
their size and keep their items to themselves, as Mastodon's hidden networks do; a members
collection shows its items to members alone."""

from __future__ import annotations

from typing import Any

from tortoise.queryset import QuerySet

from federation.actors import person_uri
from federation.local import LocalTarget
from federation.serialize import update_to_object
from federation.vocabulary import AS
from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.follows import Follow
from models.pagination import paginate
from models.remote import RemoteMembership
from models.twinnings import Membership, Twinning
from models.visibility import may_remote_actor_see_members, visible_items

PAGE_SIZE = 20


def _collection(uri: str, total: int, first: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": AS,
        "id": uri,
        "type": "OrderedCollection",
        "totalItems": total,
    }
    if first:
        doc["first"] = first
    return doc


def _public_items(target: LocalTarget) -> QuerySet[ContentItem]:
    items = visible_items(None).filter(twinning_id__not_isnull=True, author_id__not_isnull=True)
    if target.actor_type == "twinning":
        return items.filter(twinning_id=target.actor_id)
    if target.actor_type == "person":
        return items.filter(author_id=target.actor_id)
    return items.filter(id=-1)  # organisations publish nothing yet


async def outbox(settings: Settings, target: LocalTarget, page: int | None) -> dict[str, Any]:
    uri = f"{target.uri}/outbox"
    query = _public_items(target)
    if page is None:
        return _collection(uri, await query.count(), f"{uri}?page=1")
    query = query.prefetch_related("twinning", "author", "media", "event", "resource", "poll")
    found = await paginate(query, page, PAGE_SIZE)
    items = []
    for item in found.items:
        twinning: Twinning = item.twinning  # type: ignore[assignment]
        author: Account = item.author  # type: ignore[assignment]
        media = sorted(item.media, key=lambda m: m.id)  # type: ignore[attr-defined]
        event = getattr(item, "event", None)
        resource = getattr(item, "resource", None)
        obj = update_to_object(
            settings,
            twinning,
            item,
            author,
            media=media,
            event=event,
            resource=resource,
            poll=getattr(item, "poll", None),
        )
        items.append(
            {
                "id": f"{obj['id']}#create",
                "type": "Create",
                "actor": person_uri(settings, author.username),
                "object": obj,
                "to": obj["to"],
                "cc": obj["cc"],
                "published": obj["published"],
            }
        )
    doc = {
        "@context": AS,
        "id": f"{uri}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": uri,
        "orderedItems": items,
    }
    if found.has_next:
        doc["next"] = f"{uri}?page={page + 1}"
    if found.has_previous:
        doc["prev"] = f"{uri}?page={page - 1}"
    return doc


async def followers(target: LocalTarget) -> dict[str, Any]:
    total = await Follow.filter(
        target_type=target.actor_type, target_id=target.actor_id, state="accepted"
    ).count()
    return _collection(f"{target.uri}/followers", total)


async def following(target: LocalTarget) -> dict[str, Any]:
    """Our actors follow no one yet (following remote actors comes with the client API)."""
    return _collection(f"{target.uri}/following", 0)


MAX_MEMBERS_LISTED = 1000


async def members(settings: Settings, target: LocalTarget, signer: str | None) -> dict[str, Any]:
    """Everyone sees how many members a twinning has; its members (a signed fetch by one of
    them) see who they are, here and on other servers."""
    local = await Membership.filter(twinning_id=target.actor_id, state="accepted").prefetch_related(
        "account"
    )
    remote = await RemoteMembership.filter(
        twinning_id=target.actor_id, state="accepted"
    ).prefetch_related("actor")
    remote_uris = [m.actor.uri for m in remote]  # type: ignore[attr-defined]
    doc = _collection(f"{target.uri}/members", len(local) + len(remote))
    if signer is not None and await may_remote_actor_see_members(signer, target.actor_id):
        people = [person_uri(settings, m.account.username) for m in local]  # type: ignore[attr-defined]
        doc["orderedItems"] = [*people, *remote_uris][:MAX_MEMBERS_LISTED]
    return doc
