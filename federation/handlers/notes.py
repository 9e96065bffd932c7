"""Create, Update and Delete of posts (Note, Article, Page, Event, Document) from other
servers: answers (``federation.handlers.threads``), posts of our twinnings' members on other
servers (kept and re-shared by the twinning), posts of other servers' twinnings we follow
(``federation.handlers.group_items``), posts of people our people follow
(``federation.handlers.followed``), and posts naming our people. A remote Create that names
an existing object never changes it, and an Update never widens who may see an item."""

from __future__ import annotations

import logging
from typing import Any

from federation.context import Federation
from federation.handlers import followed, group_items, questions, threads
from federation.handlers.keeping import addresses_of, keep, language_map, mention_hrefs
from federation.local import local_item, local_target, object_uri
from federation.remote_actors import actor_for
from models import happenings
from models.content import ContentItem
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Twinning

log = logging.getLogger(__name__)
POST_TYPES = ("Note", "Article", "Page", "Event", "Document", "Question")


async def _target_twinning(fed: Federation, addresses: list[str]) -> Twinning | None:
    for address in addresses:
        target = await local_target(fed.settings, address.removesuffix("/members"))
        if target is not None and target.actor_type == "twinning":
            return await Twinning.get(id=target.actor_id)
    return None


async def _object(fed: Federation, activity: dict[str, Any]) -> dict[str, Any] | None:
    obj = activity.get("object")
    if isinstance(obj, str):  # fetched from its own origin, never trusted from a third party
        obj = await fed.client.fetch_object(obj, fed.instance_signer)
    if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES:
        return None
    if obj.get("attributedTo") != activity["actor"]:
        return None
    return obj if isinstance(obj.get("id"), str) else None


async def on_create(
    fed: Federation, activity: dict[str, Any], via: dict[str, Any] | None = None
) -> None:
    """``via``: the Announce of a twinning of another server that brought the activity; its
    addressing counts, since the twinning addresses its members by name."""
    obj = await _object(fed, activity)
    if obj is None:
        return
    if questions.is_vote(obj) and await questions.on_vote(fed, obj, activity["actor"]):
        return
    await _store(fed, obj, activity, via)
    await questions.keep_question(obj)


async def _store(
    fed: Federation, obj: dict[str, Any], activity: dict[str, Any], via: dict[str, Any] | None
) -> None:
    addresses = addresses_of(obj, activity, via)
    thread = await threads.answered(fed.settings, obj)
    if thread is not None:
        await threads.store_answer(fed, thread, obj, activity, via, addresses)
        return
    twinning = await _target_twinning(fed, addresses)
    if twinning is not None:
        await _member_post(fed, twinning, obj, activity, addresses)
        return
    group = await group_items.group_bringing(addresses, activity, via)
    if group is not None:
        await group_items.store(fed, group, obj, addresses)
    elif via is None and not await followed.store(fed, obj, activity, addresses):
        await _store_mention(fed, obj, activity, addresses)


async def _member_post(
    fed: Federation,
    twinning: Twinning,
    obj: dict[str, Any],
    activity: dict[str, Any],
    addresses: list[str],
) -> None:
    """A member's post to one of our twinnings, kept and passed on by the twinning."""
    actor = await actor_for(fed, activity["actor"])
    if not await RemoteMembership.filter(twinning=twinning, actor=actor, state="accepted").exists():
        log.info("post %s from a non-member of %s is not re-shared", obj["id"], twinning.slug)
        return
    content = language_map(obj, "content", twinning.primary_language, html=True)
    if not content:
        return

    async def then(item: ContentItem) -> None:
        await happenings.arrived(item, actor, reshare=activity)

    # Stored already: its audience stays as it was, and nothing follows twice.
    await keep(
        obj,
        content,
        addresses,
        twinning.primary_language,
        then,
        twinning=twinning,
        remote_author=actor,
    )


async def _store_mention(
    fed: Federation, obj: dict[str, Any], activity: dict[str, Any], addresses: list[str]
) -> None:
    """A post of another server that names some of our people (a mention or a direct
    message): kept for them, and they are told."""
    people = await threads.people_named(fed.settings, [*addresses, *mention_hrefs(obj)])
    content = language_map(obj, "content", "en", html=True)
    if not people or not content:
        return
    actor = await actor_for(fed, activity["actor"])

    async def then(item: ContentItem) -> None:
        await happenings.arrived(item, actor, mentioned=people)

    await keep(obj, content, addresses, "en", then, mentioned=people, remote_author=actor)


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
    await questions.keep_question(obj)
    content = language_map(obj, "content", item.primary_language, html=True)
    if content:
        item.content_map = content
        item.title_map = language_map(obj, "name", item.primary_language, html=False)
        item.search_text = " ".join(content.values()).lower()
        async with happenings.acting():
            await item.save()
            await happenings.remote_changed(item, activity)


async def on_delete(fed: Federation, activity: dict[str, Any]) -> None:
    """By the item's author, or by a moderator of its twinning living on another server."""
    uri = object_uri(activity.get("object"))
    item = await _own_item(activity, uri) or await _moderated_item(fed, activity, uri)
    if item is None:
        return
    async with happenings.acting():
        if item.uri is None:
            await happenings.deleted(item)  # ours: it goes where the item went
        else:
            await happenings.remote_changed(item, activity)
        await item.delete()


async def _moderated_item(
    fed: Federation, activity: dict[str, Any], uri: str
) -> ContentItem | None:
    """An item of one of our twinnings (or of its threads) whose twinning the sender
    moderates from another server."""
    item = await local_item(fed.settings, uri) or (
        await ContentItem.get_or_none(uri=uri) if uri else None
    )
    if item is None:
        return None
    root = await ContentItem.get(id=item.in_reply_to_id) if item.in_reply_to_id else item
    if root.twinning_id is None:
        return None
    membership = await RemoteMembership.get_or_none(
        twinning_id=root.twinning_id, actor__uri=activity["actor"]
    )
    return item if membership is not None and membership.is_moderator else None
