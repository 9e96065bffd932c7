"""Filters from apps: Mastodon's filters v2 (a filter with keywords and statuses) and the
v1 view of them (one v1 filter per keyword). ``screened`` applies them to a page of statuses
for one context: a ``hide`` match takes the status out, a ``warn`` match keeps it with its
``filtered`` results, as Mastodon does."""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import Route

from models.accounts import Account
from models.content import ContentItem
from models.filters import (
    MAX_FILTERS,
    MAX_KEYWORDS,
    Active,
    Filter,
    FilterKeyword,
    FilterStatus,
    Match,
    active_filters,
    check_filter,
    check_keyword,
    expiry,
)
from models.lookup import record_id
from server.api.core import ApiError, Call, endpoint, not_found
from server.api.entities import iso


def keyword_entity(k: FilterKeyword) -> dict[str, Any]:
    return {"id": str(k.id), "keyword": k.keyword, "whole_word": k.whole_word}


def _filter(f: Filter, keywords: list[FilterKeyword], statuses: list[FilterStatus]) -> Any:
    return {
        "id": str(f.id),
        "title": f.title,
        "context": f.context,
        "expires_at": iso(f.expires_at),
        "filter_action": f.action,
        "keywords": [keyword_entity(k) for k in keywords],
        "statuses": [{"id": str(s.id), "status_id": str(s.item_id)} for s in statuses],
    }


async def _drawn(f: Filter) -> Any:
    return _filter(
        f, list(await FilterKeyword.filter(rule=f)), list(await FilterStatus.filter(rule=f))
    )


def _result(match: Match, active: Active) -> dict[str, Any]:
    one = match.filter
    return {
        "filter": _filter(one, active.keywords.get(one.id, []), []),
        "keyword_matches": match.keywords or None,
        "status_matches": match.status_ids or None,
    }


async def screened(
    viewer: Account | None, context: str, items: list[ContentItem], drawn: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``drawn`` (the statuses of ``items``, in order) with the viewer's filters applied;
    no ``context`` applies none."""
    if viewer is None or not items or not context:
        return drawn
    active = await active_filters(viewer, context)
    if not active.filters:
        return drawn
    kept = []
    for item, status in zip(items, drawn, strict=True):
        matches = active.matches(item)
        if any(m.filter.action == "hide" for m in matches):
            continue
        if matches:
            status = {**status, "filtered": [_result(m, active) for m in matches]}
        kept.append(status)
    return kept


async def my_filter(call: Call, name: str = "filter_id") -> Filter:
    found = await Filter.get_or_none(id=call.request.path_params[name], account=call.user)
    if found is None:
        raise not_found()
    return found


def _attributes(call: Call) -> list[dict[str, Any]]:
    """``keywords_attributes`` as a JSON list, a JSON object by index, or form fields
    ``keywords_attributes[][keyword]`` / ``keywords_attributes[0][keyword]``."""
    raw = call.params.values.get("keywords_attributes")
    if isinstance(raw, list):
        rows = raw
    elif isinstance(raw, dict):
        rows = list(raw.values())
    elif raw is not None:
        rows = [raw]  # a bare value: refused below
    else:
        by_index: dict[str, dict[str, Any]] = {}
        for key, value in call.params.values.items():
            found = re.fullmatch(r"keywords_attributes\[(\d*)\]\[(\w+)\]", key)
            if found:
                values = value if isinstance(value, list) else [value]
                for n, one in enumerate(values):
                    by_index.setdefault(found[1] or str(n), {})[found[2]] = one
        rows = list(by_index.values())
    if not all(isinstance(r, dict) for r in rows) or len(rows) > MAX_KEYWORDS:
        raise ApiError(422, "Validation failed: keywords_attributes must be a list of keywords")
    return rows


def _true(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value is True or str(value).lower() in ("true", "1", "on")


def expires_param(call: Call) -> Any:
    raw = call.params.values.get("expires_in")
    if raw is None or raw == "":
        return None
    if not str(raw).isdigit():
        raise ApiError(422, "Validation failed: expires_in must be a number of seconds")
    return expiry(int(str(raw)))


async def _apply_keywords(f: Filter, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        number = record_id(str(row.get("id", ""))) if row.get("id") else None
        if number is not None:
            existing = await FilterKeyword.get_or_none(id=number, rule=f)
            if existing is None:
                raise ApiError(404, "Record not found")
            if _true(row.get("_destroy"), False):
                await existing.delete()
                continue
            existing.keyword = check_keyword(str(row.get("keyword", existing.keyword)))
            existing.whole_word = _true(row.get("whole_word"), existing.whole_word)
            await existing.save()
        else:
            keyword = check_keyword(str(row.get("keyword", "")))
            whole = _true(row.get("whole_word"), True)
            await FilterKeyword.create(rule=f, keyword=keyword, whole_word=whole)


@endpoint("read:filters")
async def index(call: Call) -> Any:
    return [await _drawn(f) for f in await Filter.filter(account=call.user).order_by("id")]


@endpoint("write:filters")
async def create(call: Call) -> Any:
    title, context = call.params.text("title"), call.params.items("context")
    action = call.params.text("filter_action") or "warn"
    check_filter(title, context, action)
    rows, expires = _attributes(call), expires_param(call)
    if await Filter.filter(account=call.user).count() >= MAX_FILTERS:
        raise ApiError(422, f"Validation failed: at most {MAX_FILTERS} filters")
    for row in rows:
        check_keyword(str(row.get("keyword", "")))
    made = await Filter.create(
        account=call.user, title=title, context=context, action=action, expires_at=expires
    )
    await _apply_keywords(made, rows)
    return await _drawn(made)


@endpoint("read:filters")
async def show(call: Call) -> Any:
    return await _drawn(await my_filter(call))


@endpoint("write:filters")
async def update(call: Call) -> Any:
    f, p = await my_filter(call), call.params
    title = p.text("title") if p.has("title") else f.title
    context = p.items("context") if p.has("context") else f.context
    action = p.text("filter_action") if p.has("filter_action") else f.action
    check_filter(title, context, action)
    if p.has("expires_in"):
        f.expires_at = expires_param(call)
    f.title, f.context, f.action = title, context, action
    await f.save()
    await _apply_keywords(f, _attributes(call))
    return await _drawn(f)


@endpoint("write:filters")
async def destroy(call: Call) -> Any:
    await (await my_filter(call)).delete()
    return {}


F = "/api/v2/filters"
routes = [
    Route(F, index),
    Route(F, create, methods=["POST"]),
    Route(F + "/{filter_id:id}", show),
    Route(F + "/{filter_id:id}", update, methods=["PUT"]),
    Route(F + "/{filter_id:id}", destroy, methods=["DELETE"]),
]
