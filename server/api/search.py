"""``/api/v2/search``: accounts (ours, and remote ones by handle or URL with ``resolve``),
statuses the caller may see, and hashtags (none are indexed yet)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from federation.local import local_item
from models.content import ContentItem
from models.listing import listed
from models.visibility import may_view, visible_items
from server.api.accounts import search_actors
from server.api.core import ApiError, Call, endpoint
from server.api.entities import account_entity, status_entity
from server.api.statuses import viewing

TYPES = ("accounts", "statuses", "hashtags")


@endpoint("read:search", public=True)
async def search(call: Call) -> Any:
    p = call.params
    query = p.text("q").strip()
    if not query:
        raise ApiError(422, "Validation failed: q is missing")
    kind = p.text("type")
    if kind and kind not in TYPES:
        raise ApiError(422, "Validation failed: type must be accounts, statuses or hashtags")
    limit, offset = p.number("limit", 20, 1, 40), p.number("offset", 0, 0, 10_000)
    resolve = p.flag("resolve") and call.account is not None
    view = viewing(call)
    result: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}
    if kind in ("", "accounts") and offset == 0:
        found = await search_actors(call, query, limit, resolve)
        result["accounts"] = [await account_entity(view, a) for a in found]
    if kind in ("", "statuses") and call.account is not None:
        result["statuses"] = await _statuses(call, query, limit, offset)
    return result


async def _statuses(call: Call, query: str, limit: int, offset: int) -> list[Any]:
    view = viewing(call)
    if query.startswith(("https://", "http://")):
        item = await local_item(call.settings, query) or await ContentItem.get_or_none(uri=query)
        ok = item is not None and await may_view(call.account, item)
        return [await status_entity(view, item)] if ok and item is not None else []
    items = (
        await listed(visible_items(call.account), call.account)
        .filter(search_text__icontains=query.lower())
        .offset(offset)
        .limit(limit)
    )
    return [await status_entity(view, i) for i in items]


routes = [Route("/api/v2/search", search)]
