"""Notifications, filtered by the visibility rule: one that points at an item its recipient may
no longer see (they left the twinning, say) is not shown."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import ContentItem
from models.notifications import SHOWN_KINDS, Notification, visible_notifications
from models.notifications import dismiss as dismiss_one
from models.notifications import unread_count as count_unread
from models.reactions import Report
from models.remote import RemoteActor
from server.api.core import ApiError, Call, endpoint, id_page, not_found, paged
from server.api.entities import Viewing, account_entity, iso, status_entity
from server.api.reports import report_entity
from server.api.statuses import viewing


def _mine(call: Call) -> QuerySet[Notification]:
    return visible_notifications(call.user)


def _kinds(call: Call) -> QuerySet[Notification]:
    query = _mine(call)
    wanted, excluded = call.params.items("types"), call.params.items("exclude_types")
    for kind in [*wanted, *excluded]:
        if kind not in (*SHOWN_KINDS, "poll", "update", "admin.sign_up", "admin.report"):
            raise ApiError(422, f"Validation failed: unknown notification type {kind}")
    if wanted:
        query = query.filter(kind__in=wanted)
    if excluded:
        query = query.exclude(kind__in=excluded)
    return query


async def notification_entity(view: Viewing, row: Notification) -> dict[str, Any] | None:
    source: Account | RemoteActor | None = None
    if row.from_account_id is not None:
        source = await Account.get_or_none(id=row.from_account_id, state="active")
    elif row.from_remote_id is not None:
        source = await RemoteActor.get_or_none(id=row.from_remote_id)
    if source is None:
        return None
    item = await ContentItem.get_or_none(id=row.item_id) if row.item_id is not None else None
    return {
        "id": str(row.id),
        "type": row.kind,
        "group_key": f"ungrouped-{row.id}",
        "created_at": iso(row.created_at),
        "account": await account_entity(view, source),
        "status": await status_entity(view, item) if item is not None else None,
        **await _report_part(view, row),
    }


async def _report_part(view: Viewing, row: Notification) -> dict[str, Any]:
    """A handled report says how it was handled (as Mastodon's ``admin.report`` carries its
    report); other notifications carry none."""
    if row.report_id is None:
        return {}
    report = await Report.get_or_none(id=row.report_id)
    if report is None:
        return {}
    target = await Account.get_or_none(id=report.account_id) if report.account_id else None
    entity = report_entity(
        report,
        [str(report.item_id)] if report.item_id else [],
        await account_entity(view, target) if target is not None else {},
    )
    return {"report": entity | {"outcome": report.outcome}}


@endpoint("read:notifications")
async def index(call: Call) -> Any:
    rows = await id_page(_kinds(call), call.params)
    view = viewing(call)
    entities = [await notification_entity(view, row) for row in rows]
    return paged(call, [e for e in entities if e], [row.id for row in rows])


async def _one(call: Call) -> Notification:
    row = await _mine(call).filter(id=call.request.path_params["notification_id"]).first()
    if row is None:
        raise not_found()
    return row


@endpoint("read:notifications")
async def show(call: Call) -> Any:
    entity = await notification_entity(viewing(call), await _one(call))
    if entity is None:
        raise not_found()
    return entity


@endpoint("write:notifications")
async def dismiss(call: Call) -> Any:
    await dismiss_one(call.user, (await _one(call)).id)
    return {}


@endpoint("write:notifications")
async def clear(call: Call) -> Any:
    await Notification.filter(account=call.user).delete()
    return {}


@endpoint("read:notifications")
async def unread_count(call: Call) -> Any:
    return {"count": await count_unread(call.user)}


N = "/api/v1/notifications"
routes = [
    Route(N, index),
    Route(f"{N}/clear", clear, methods=["POST"]),
    Route(f"{N}/unread_count", unread_count),
    Route(N + "/{notification_id:id}", show),
    Route(N + "/{notification_id:id}/dismiss", dismiss, methods=["POST"]),
]
