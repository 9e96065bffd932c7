"""The parts of a filter one by one (its keywords and its statuses, filters v2), and filters
v1, which Mastodon keeps as a view of v2: each v1 filter is one keyword of a filter, with its
filter's contexts, expiry and action (``irreversible`` is ``hide``)."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from models.filters import (
    MAX_KEYWORDS,
    Filter,
    FilterKeyword,
    FilterStatus,
    check_filter,
    check_keyword,
)
from models.lookup import record_id
from models.visibility import visible_items
from server.api.core import ApiError, Call, endpoint, not_found
from server.api.entities import iso
from server.api.filters import expires_param, keyword_entity, my_filter


async def _my_keyword(call: Call) -> FilterKeyword:
    found = await FilterKeyword.get_or_none(
        id=call.request.path_params["keyword_id"], rule__account_id=call.user.id
    )
    if found is None:
        raise not_found()
    return found


async def _my_status(call: Call) -> FilterStatus:
    found = await FilterStatus.get_or_none(
        id=call.request.path_params["filter_status_id"], rule__account_id=call.user.id
    )
    if found is None:
        raise not_found()
    return found


def _status(row: FilterStatus) -> dict[str, Any]:
    return {"id": str(row.id), "status_id": str(row.item_id)}


@endpoint("read:filters")
async def keywords(call: Call) -> Any:
    f = await my_filter(call)
    return [keyword_entity(k) for k in await FilterKeyword.filter(rule=f).order_by("id")]


@endpoint("write:filters")
async def add_keyword(call: Call) -> Any:
    f = await my_filter(call)
    keyword = check_keyword(call.params.text("keyword"))
    if await FilterKeyword.filter(rule=f).count() >= MAX_KEYWORDS:
        raise ApiError(422, f"Validation failed: at most {MAX_KEYWORDS} keywords")
    whole = call.params.flag("whole_word", True)
    return keyword_entity(await FilterKeyword.create(rule=f, keyword=keyword, whole_word=whole))


@endpoint("read:filters")
async def show_keyword(call: Call) -> Any:
    return keyword_entity(await _my_keyword(call))


@endpoint("write:filters")
async def update_keyword(call: Call) -> Any:
    row = await _my_keyword(call)
    if call.params.has("keyword"):
        row.keyword = check_keyword(call.params.text("keyword"))
    row.whole_word = call.params.flag("whole_word", row.whole_word)
    await row.save()
    return keyword_entity(row)


@endpoint("write:filters")
async def delete_keyword(call: Call) -> Any:
    await (await _my_keyword(call)).delete()
    return {}


@endpoint("read:filters")
async def statuses(call: Call) -> Any:
    f = await my_filter(call)
    return [_status(s) for s in await FilterStatus.filter(rule=f).order_by("id")]


@endpoint("write:filters")
async def add_status(call: Call) -> Any:
    """Only a status the person may see can be filtered (another is "not found")."""
    f = await my_filter(call)
    number = record_id(call.params.text("status_id"))
    if number is None:
        raise ApiError(422, "Validation failed: status_id must be an id")
    item = await visible_items(call.user).filter(id=number).first()
    if item is None:
        raise not_found()
    row, _ = await FilterStatus.get_or_create(rule=f, item=item)
    return _status(row)


@endpoint("read:filters")
async def show_status(call: Call) -> Any:
    return _status(await _my_status(call))


@endpoint("write:filters")
async def delete_status(call: Call) -> Any:
    await (await _my_status(call)).delete()
    return {}


def _v1(k: FilterKeyword, f: Filter) -> dict[str, Any]:
    return {
        "id": str(k.id),
        "phrase": k.keyword,
        "context": f.context,
        "whole_word": k.whole_word,
        "expires_at": iso(f.expires_at),
        "irreversible": f.action == "hide",
    }


@endpoint("read:filters")
async def v1_index(call: Call) -> Any:
    rows = await FilterKeyword.filter(rule__account_id=call.user.id).order_by("id")
    filters = {f.id: f for f in await Filter.filter(account=call.user)}
    return [_v1(k, filters[k.rule_id]) for k in rows]


@endpoint("read:filters")
async def v1_show(call: Call) -> Any:
    row = await _my_keyword(call)
    return _v1(row, await Filter.get(id=row.rule_id))


def _v1_fields(call: Call, f: Filter | None) -> tuple[str, list[str], str]:
    p = call.params
    context = p.items("context") if p.has("context") or f is None else f.context
    hide = p.flag("irreversible") if p.has("irreversible") or f is None else f.action == "hide"
    action = "hide" if hide else "warn"
    phrase = check_keyword(p.text("phrase"))
    check_filter(phrase, context, action)
    return phrase, context, action


@endpoint("write:filters")
async def v1_create(call: Call) -> Any:
    phrase, context, action = _v1_fields(call, None)
    made = await Filter.create(
        account=call.user,
        title=phrase,
        context=context,
        action=action,
        expires_at=expires_param(call),
    )
    whole = call.params.flag("whole_word", True)
    return _v1(await FilterKeyword.create(rule=made, keyword=phrase, whole_word=whole), made)


@endpoint("write:filters")
async def v1_update(call: Call) -> Any:
    """A v1 change of contexts or action changes the whole v2 filter, as in Mastodon."""
    row = await _my_keyword(call)
    f = await Filter.get(id=row.rule_id)
    row.keyword, f.context, f.action = _v1_fields(call, f)
    row.whole_word = call.params.flag("whole_word", row.whole_word)
    if call.params.has("expires_in"):
        f.expires_at = expires_param(call)
    await row.save()
    await f.save()
    return _v1(row, f)


@endpoint("write:filters")
async def v1_delete(call: Call) -> Any:
    """The keyword goes, and its filter with it once it has nothing left to match."""
    row = await _my_keyword(call)
    await row.delete()
    f = await Filter.get(id=row.rule_id)
    if not await FilterKeyword.filter(rule=f).exists():
        if not await FilterStatus.filter(rule=f).exists():
            await f.delete()
    return {}


F = "/api/v2/filters"
V1 = "/api/v1/filters"
routes = [
    Route(F + "/{filter_id:id}/keywords", keywords),
    Route(F + "/{filter_id:id}/keywords", add_keyword, methods=["POST"]),
    Route(F + "/keywords/{keyword_id:id}", show_keyword),
    Route(F + "/keywords/{keyword_id:id}", update_keyword, methods=["PUT"]),
    Route(F + "/keywords/{keyword_id:id}", delete_keyword, methods=["DELETE"]),
    Route(F + "/{filter_id:id}/statuses", statuses),
    Route(F + "/{filter_id:id}/statuses", add_status, methods=["POST"]),
    Route(F + "/statuses/{filter_status_id:id}", show_status),
    Route(F + "/statuses/{filter_status_id:id}", delete_status, methods=["DELETE"]),
    Route(V1, v1_index),
    Route(V1, v1_create, methods=["POST"]),
    Route(V1 + "/{keyword_id:id}", v1_show),
    Route(V1 + "/{keyword_id:id}", v1_update, methods=["PUT"]),
    Route(V1 + "/{keyword_id:id}", v1_delete, methods=["DELETE"]),
]
