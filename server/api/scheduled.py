"""Scheduled statuses (Mastodon's ``/api/v1/scheduled_statuses``): a status posted with
``scheduled_at`` waits here until the worker publishes it (``models.scheduled``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.routing import Route

from models.media import attachable
from models.scheduled import ScheduledStatus, media_of, reschedule, schedule
from server.api.core import ApiError, Call, Params, endpoint, id_page, not_found, paged
from server.api.entities import Viewing, iso, media_entity

PARAMS = ("text", "visibility", "language", "spoiler_text", "in_reply_to_id")


def scheduled_time(p: Params) -> datetime:
    raw = p.text("scheduled_at")
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "Validation failed: scheduled_at must be an ISO 8601 date") from None


async def schedule_status(call: Call, text: str) -> dict[str, Any]:
    """What ``POST /api/v1/statuses`` answers when the app sends ``scheduled_at``."""
    p = call.params
    params: dict[str, Any] = {
        "text": text,
        "visibility": p.text("visibility", "public"),
        "language": p.text("language"),
        "spoiler_text": p.text("spoiler_text"),
        "sensitive": p.flag("sensitive"),
        "in_reply_to_id": p.text("in_reply_to_id") or None,
        "media_ids": [str(i) for i in await attachable(call.user, p.items("media_ids"))],
    }
    status = await schedule(call.settings, call.user, scheduled_time(p), params)
    return await scheduled_entity(_viewing(call), status)


def _viewing(call: Call) -> Viewing:
    return Viewing(call.settings, call.account, call.user.locale or call.settings.default_locale)


async def scheduled_entity(view: Viewing, status: ScheduledStatus) -> dict[str, Any]:
    p = status.params
    params = {name: p.get(name) for name in PARAMS} | {
        "sensitive": bool(p.get("sensitive")),
        "media_ids": p.get("media_ids") or None,
        "poll": None,
        "scheduled_at": None,
        "application_id": None,
        "idempotency": None,
        "with_rate_limit": False,
    }
    return {
        "id": str(status.id),
        "scheduled_at": iso(status.scheduled_at),
        "params": params,
        "media_attachments": [media_entity(view, m) for m in await media_of(status)],
    }


async def _own(call: Call) -> ScheduledStatus:
    raw = call.request.path_params["scheduled_id"]
    status = await ScheduledStatus.get_or_none(id=raw, account=call.user)
    if status is None:
        raise not_found()
    return status


@endpoint("read:statuses")
async def list_scheduled(call: Call) -> Any:
    rows = await id_page(ScheduledStatus.filter(account=call.user), call.params)
    view = _viewing(call)
    return paged(call, [await scheduled_entity(view, s) for s in rows], [s.id for s in rows])


@endpoint("read:statuses")
async def show(call: Call) -> Any:
    return await scheduled_entity(_viewing(call), await _own(call))


@endpoint("write:statuses")
async def update(call: Call) -> Any:
    status = await reschedule(await _own(call), scheduled_time(call.params))
    return await scheduled_entity(_viewing(call), status)


@endpoint("write:statuses")
async def cancel(call: Call) -> Any:
    await (await _own(call)).delete()
    return {}


S = "/api/v1/scheduled_statuses/{scheduled_id:id}"
routes = [
    Route("/api/v1/scheduled_statuses", list_scheduled),
    Route(S, show),
    Route(S, update, methods=["PUT"]),
    Route(S, cancel, methods=["DELETE"]),
]
