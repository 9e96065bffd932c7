"""Timelines: home, public (local or federated), hashtag, and one per twinning, offered to apps
as Mastodon lists (the twinnings the person belongs to or follows); bookmarks and favourites.
Every one starts from ``visible_items``, the visibility rule as a query."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route
from tortoise.queryset import QuerySet

from models.content import ContentItem
from models.home import home_items, my_twinnings
from models.langmap import pick
from models.listing import listed
from models.personal_blocks import unmuted
from models.twinnings import Twinning
from models.visibility import visible_items
from server.api.core import ApiError, Call, endpoint, id_page, not_found, paged
from server.api.entities import account_entity, statuses
from server.api.filters import screened
from server.api.statuses import viewing


async def _page(call: Call, query: QuerySet[ContentItem], context: str = "") -> Any:
    """A page of statuses; with a ``context``, the caller's filters for it apply (the page
    may then be shorter than asked, its links still go on from what was read, as Mastodon)."""
    if call.params.flag("only_media"):
        query = query.filter(media__id__not_isnull=True).distinct()
    items = await id_page(query, call.params)
    drawn = await statuses(viewing(call), items)
    if context:
        drawn = await screened(call.account, context, items, drawn)
    return paged(call, drawn, [i.id for i in items])


@endpoint("read:statuses")
async def home(call: Call) -> Any:
    return await _page(call, await home_items(call.user), "home")


@endpoint("read:statuses", public=True)
async def public(call: Call) -> Any:
    """Public items only, whoever asks: partner-only items have no place in a public timeline."""
    query = unmuted(listed(visible_items(None), call.account), call.account)
    if call.params.flag("local"):
        query = query.filter(author_id__not_isnull=True)
    elif call.params.flag("remote"):
        query = query.filter(author_id=None)
    return await _page(call, query, "public")


@endpoint("read:statuses", public=True)
async def tag(call: Call) -> Any:
    name = call.request.path_params["hashtag"].lstrip("#").lower()
    if not name.replace("_", "").isalnum():
        raise ApiError(422, "Validation failed: hashtag must be letters, digits or _")
    query = unmuted(listed(visible_items(None), call.account), call.account)
    query = query.filter(search_text__icontains=f"#{name}")
    if call.params.flag("local"):
        query = query.filter(author_id__not_isnull=True)
    return await _page(call, query, "public")


async def _list_twinning(call: Call) -> Twinning:
    number = call.request.path_params["list_id"]
    if number not in await my_twinnings(call.user):
        raise not_found()
    return await Twinning.get(id=number)


def _list_entity(call: Call, twinning: Twinning) -> dict[str, Any]:
    lang = viewing(call).language
    _, title = pick(twinning.title_map, lang, twinning.primary_language)
    return {"id": str(twinning.id), "title": title, "replies_policy": "list", "exclusive": False}


@endpoint("read:statuses")
async def twinning_timeline(call: Call) -> Any:
    twinning = await _list_twinning(call)
    query = unmuted(visible_items(call.user), call.user).filter(twinning_id=twinning.id)
    return await _page(call, query, "home")


@endpoint("read:lists")
async def lists(call: Call) -> Any:
    twinnings = await Twinning.filter(id__in=await my_twinnings(call.user)).order_by("slug")
    return [_list_entity(call, t) for t in twinnings]


@endpoint("read:lists")
async def one_list(call: Call) -> Any:
    return _list_entity(call, await _list_twinning(call))


@endpoint("read:lists")
async def list_accounts(call: Call) -> Any:
    return [await account_entity(viewing(call), await _list_twinning(call))]


@endpoint("write:lists")
async def create_list(call: Call) -> Any:
    raise ApiError(
        422,
        "Validation failed: lists are the twinnings you belong to or follow; join or follow one",
    )


@endpoint("read:bookmarks")
async def bookmarks(call: Call) -> Any:
    query = visible_items(call.user).filter(bookmarks__account_id=call.user.id)
    return await _page(call, query)


@endpoint("read:favourites")
async def favourites(call: Call) -> Any:
    query = visible_items(call.user).filter(likes__account_id=call.user.id)
    return await _page(call, query)


routes = [
    Route("/api/v1/timelines/home", home),
    Route("/api/v1/timelines/public", public),
    Route("/api/v1/timelines/tag/{hashtag}", tag),
    Route("/api/v1/timelines/list/{list_id:id}", twinning_timeline),
    Route("/api/v1/lists", lists),
    Route("/api/v1/lists", create_list, methods=["POST"]),
    Route("/api/v1/lists/{list_id:id}", one_list),
    Route("/api/v1/lists/{list_id:id}/accounts", list_accounts),
    Route("/api/v1/bookmarks", bookmarks),
    Route("/api/v1/favourites", favourites),
]
