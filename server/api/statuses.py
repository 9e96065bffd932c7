"""Statuses: post, show, edit (with history and source), delete, thread context, favourites,
reblogs and bookmarks. Every item is loaded through ``visible_status``, which applies the
visibility rule and answers 404 alike for "missing" and "not yours to see"."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route
from tortoise.exceptions import IntegrityError

from federation.actors import person_uri
from models import happenings
from models.accounts import Account
from models.compose import compose, language_of
from models.content import ContentItem, ContentWarning, ItemRevision
from models.happenings import acting
from models.lookup import record_id
from models.markers import remember_post, remembered_post
from models.media import attach, attachable
from models.posting import delete_update, edit_update, may_edit
from models.reactions import Like
from models.remote import RemoteActor
from models.social import Bookmark, Reblog
from models.visibility import may_view
from server.api.core import ApiError, Call, Params, endpoint, not_found
from server.api.entities import (
    Actor,
    Viewing,
    account_entities,
    account_entity,
    answered,
    iso,
    item_html,
    status_entity,
    statuses,
)
from server.api.facts import rows_by_id
from server.api.polls import poll_input
from server.api.scheduled import schedule_status

MAX_CHARACTERS = 20_000


def viewing(call: Call) -> Viewing:
    account = call.account
    lang = (account.locale if account else "") or call.settings.default_locale
    return Viewing(call.settings, account, lang)


async def visible_status(call: Call, raw: str | None = None) -> ContentItem:
    number = record_id(raw if raw is not None else call.request.path_params["status_id"])
    item = await ContentItem.get_or_none(id=number) if number is not None else None
    if item is None or not await may_view(call.account, item):
        raise not_found()
    return item


def _warning(call: Call) -> ContentWarning:
    return ContentWarning(call.params.text("spoiler_text"), call.params.flag("sensitive"))


async def _earlier_post(call: Call, key: str) -> ContentItem | None:
    earlier = await remembered_post(call.user, key) if key else None
    return await ContentItem.get_or_none(id=earlier) if earlier is not None else None


def _refuse_what_would_be_lost(p: Params) -> None:
    """A scheduled status keeps no poll: refused, so the app tells its user, rather than the
    status going out later without it."""
    if p.text("scheduled_at") and any(
        name == "poll" or name.startswith("poll[") for name in p.values
    ):
        raise ApiError(422, "Validation failed: a scheduled status cannot hold a poll here")


@endpoint("write:statuses")
async def create(call: Call) -> Any:
    """With an ``Idempotency-Key``, the key is written in the transaction of the status: a
    retry after any failure (a crash while answering included) returns the first status."""
    p, author = call.params, call.user
    key = call.request.headers.get("idempotency-key", "")
    if (earlier := await _earlier_post(call, key)) is not None:
        return await status_entity(viewing(call), earlier)
    text = p.text("status").strip()
    if not text:
        raise ApiError(422, "Validation failed: Text can't be blank")
    _refuse_what_would_be_lost(p)
    if p.text("scheduled_at"):
        return await schedule_status(call, text)
    media_ids = await attachable(author, p.items("media_ids"))
    reply_to = (
        await visible_status(call, p.text("in_reply_to_id")) if p.text("in_reply_to_id") else None
    )
    visibility, language = p.text("visibility", "public"), p.text("language")
    warning, poll = _warning(call), poll_input(p)
    try:
        async with acting():
            item, _ = await compose(
                call.settings, author, text, visibility, language, warning, reply_to, poll
            )
            await attach(item, media_ids)
            if key:
                await remember_post(author, key, item.id)
    except IntegrityError:  # the same key, posted at the same moment: the first one wins
        if (earlier := await _earlier_post(call, key)) is None:
            raise
        item = earlier
    return await status_entity(viewing(call), item)


@endpoint("read:statuses", public=True)
async def show(call: Call) -> Any:
    return await status_entity(viewing(call), await visible_status(call))


@endpoint("write:statuses")
async def edit(call: Call) -> Any:
    item = await visible_status(call)
    p = call.params
    text = p.text("status").strip()
    if not text:
        raise ApiError(422, "Validation failed: Text can't be blank")
    lang = language_of(p.text("language") or item.primary_language, call.user, call.settings)
    content = {**item.content_map, lang: text}
    warning = _warning(call) if p.has("spoiler_text") or p.has("sensitive") else None
    await edit_update(call.user, item, content, item.title_map, lang, warning)
    return await status_entity(viewing(call), item)


@endpoint("write:statuses")
async def delete(call: Call) -> Any:
    item = await visible_status(call)
    entity = await status_entity(viewing(call), item)
    entity["text"] = item.content_map.get(item.primary_language, "")
    await delete_update(call.user, item)
    return entity


@endpoint("read:statuses")
async def source(call: Call) -> Any:
    item = await visible_status(call)
    if not await may_edit(call.user, item):
        raise not_found()
    return {
        "id": str(item.id),
        "text": item.content_map.get(item.primary_language, ""),
        "spoiler_text": item.spoiler_text,
    }


@endpoint("read:statuses", public=True)
async def history(call: Call) -> Any:
    item = await visible_status(call)
    view = viewing(call)
    current = await status_entity(view, item)
    versions = []
    for old in await ItemRevision.filter(item=item).order_by("id"):
        shadow = ContentItem(
            id=item.id,
            title_map=old.title_map,
            content_map=old.content_map,
            primary_language=item.primary_language,
            content_format=item.content_format,
        )
        versions.append(_edit(current, old.created_at, shadow, old.spoiler_text, old.sensitive))
    latest = item.updated_at or item.created_at
    versions.append(_edit(current, latest, item, item.spoiler_text, item.sensitive))
    return versions


def _edit(
    current: dict[str, Any], at: Any, item: ContentItem, spoiler: str, sensitive: bool
) -> dict[str, Any]:
    _, html = item_html(item, current["language"] or item.primary_language)
    return {
        "content": html,
        "spoiler_text": spoiler,
        "sensitive": sensitive,
        "created_at": iso(at),
        "account": current["account"],
        "poll": None,
        "media_attachments": current["media_attachments"],
        "emojis": [],
    }


@endpoint("read:statuses", public=True)
async def context(call: Call) -> Any:
    from models.visibility import visible_items

    item = await visible_status(call)
    view = viewing(call)
    ancestors: list[ContentItem] = []
    parent_id = answered(item)
    while parent_id is not None and len(ancestors) < 100:
        parent = await ContentItem.get(id=parent_id)
        if not await may_view(call.account, parent):
            break
        ancestors.insert(0, parent)
        parent_id = answered(parent)
    thread = (
        await visible_items(call.account)
        .filter(in_reply_to_id=item.in_reply_to_id or item.id)
        .order_by("created_at", "id")
        .limit(200)
    )
    descendants = thread if item.in_reply_to_id is None else _under(item, thread)
    return {
        "ancestors": await statuses(view, ancestors),
        "descendants": await statuses(view, descendants),
    }


def _under(item: ContentItem, thread: list[ContentItem]) -> list[ContentItem]:
    """The answers nested (at any depth) under ``item``, in their order."""
    below = {item.id}
    found = []
    for answer in thread:  # in time order, so a parent comes before its answers
        if answer.parent_id in below:
            below.add(answer.id)
            found.append(answer)
    return found


@endpoint("write:favourites")
async def favourite(call: Call) -> Any:
    item = await visible_status(call)
    async with acting():
        like, created = await Like.get_or_create(
            item=item,
            account=call.user,
            defaults={"actor_uri": person_uri(call.settings, call.user.username)},
        )
        if created:
            await happenings.liked(item, call.user, like.id)
    return await status_entity(viewing(call), item)


@endpoint("write:favourites")
async def unfavourite(call: Call) -> Any:
    item = await visible_status(call)
    like = await Like.get_or_none(item=item, account=call.user)
    if like is not None:
        async with acting():
            await like.delete()
            await happenings.unliked(item, call.user, like.id)
    return await status_entity(viewing(call), item)


@endpoint("write:statuses")
async def reblog(call: Call) -> Any:
    item = await visible_status(call)
    if item.visibility != "public":
        raise ApiError(422, "Validation failed: only public posts can be reblogged")
    async with acting():
        row, created = await Reblog.get_or_create(item=item, account=call.user)
        if created:
            await happenings.reblogged(item, call.user, row.id)
    view = viewing(call)
    original = await status_entity(view, item)
    return {
        **original,
        "id": str(item.id),
        "account": await account_entity(view, call.user),
        "reblog": original,
        "content": "",
        "created_at": iso(row.created_at),
    }


@endpoint("write:statuses")
async def unreblog(call: Call) -> Any:
    item = await visible_status(call)
    row = await Reblog.get_or_none(item=item, account=call.user)
    if row is not None:
        async with acting():
            await row.delete()
            await happenings.unreblogged(item, call.user, row.id)
    return await status_entity(viewing(call), item)


@endpoint("write:bookmarks")
async def bookmark(call: Call) -> Any:
    item = await visible_status(call)
    await Bookmark.get_or_create(item=item, account=call.user)
    return await status_entity(viewing(call), item)


@endpoint("write:bookmarks")
async def unbookmark(call: Call) -> Any:
    item = await visible_status(call)
    await Bookmark.filter(item=item, account=call.user).delete()
    return await status_entity(viewing(call), item)


async def _actors_of(likes_or_reblogs: list[Any]) -> list[Actor]:
    """Who liked or reblogged, in the rows' order: our active people, and other servers'
    actors we know (a like from another server names its actor by URI)."""
    ours = [getattr(row, "account_id", None) for row in likes_or_reblogs]
    people = await rows_by_id(Account, ours, state="active")
    uris = [row.actor_uri for row, mine in zip(likes_or_reblogs, ours, strict=True) if not mine]
    remotes = {a.uri: a for a in await RemoteActor.filter(uri__in=uris)} if uris else {}
    actors: list[Actor | None] = [
        people.get(mine) if mine else remotes.get(row.actor_uri)
        for row, mine in zip(likes_or_reblogs, ours, strict=True)
    ]
    return [actor for actor in actors if actor is not None]


@endpoint("read:accounts", public=True)
async def favourited_by(call: Call) -> Any:
    item = await visible_status(call)
    view = viewing(call)
    rows = await Like.filter(item=item).order_by("-id").limit(80)
    return await account_entities(view, await _actors_of(rows))


@endpoint("read:accounts", public=True)
async def reblogged_by(call: Call) -> Any:
    item = await visible_status(call)
    view = viewing(call)
    rows = await Reblog.filter(item=item).order_by("-id").limit(80)
    return await account_entities(view, await _actors_of(rows))


S = "/api/v1/statuses/{status_id:id}"
routes = [
    Route("/api/v1/statuses", create, methods=["POST"]),
    Route(S, show),
    Route(S, edit, methods=["PUT"]),
    Route(S, delete, methods=["DELETE"]),
    Route(S + "/source", source),
    Route(S + "/history", history),
    Route(S + "/context", context),
    Route(S + "/favourite", favourite, methods=["POST"]),
    Route(S + "/unfavourite", unfavourite, methods=["POST"]),
    Route(S + "/reblog", reblog, methods=["POST"]),
    Route(S + "/unreblog", unreblog, methods=["POST"]),
    Route(S + "/bookmark", bookmark, methods=["POST"]),
    Route(S + "/unbookmark", unbookmark, methods=["POST"]),
    Route(S + "/favourited_by", favourited_by),
    Route(S + "/reblogged_by", reblogged_by),
]
