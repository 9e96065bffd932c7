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
from server.api.entities import Viewing, account_entities, iso, statuses
from server.api.facts import rows_by_id
from server.api.filters import screened
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


async def _sources(view: Viewing, rows: list[Notification]) -> dict[int, dict[str, Any]]:
    """The account entity of each notification's source, by notification id; a source gone
    (or suspended) has none."""
    people = await rows_by_id(Account, [r.from_account_id for r in rows], state="active")
    remotes = await rows_by_id(RemoteActor, [r.from_remote_id for r in rows])
    found: dict[int, Account | RemoteActor] = {}
    for row in rows:
        source = (
            people.get(row.from_account_id)
            if row.from_account_id is not None
            else remotes.get(row.from_remote_id or 0)
        )
        if source is not None:
            found[row.id] = source
    drawn = await account_entities(view, list(found.values()))
    return dict(zip(found, drawn, strict=True))


async def notification_entities(view: Viewing, rows: list[Notification]) -> list[dict[str, Any]]:
    """Notifications as Mastodon draws them, with their accounts, statuses and reports read
    once for the whole page. One whose source is gone (or suspended) is left out, and so is
    one whose status the recipient's filters hide."""
    sources = await _sources(view, rows)
    items = list((await rows_by_id(ContentItem, [r.item_id for r in rows])).values())
    kept = await screened(view.viewer, "notifications", items, await statuses(view, items))
    drawn = {int(status["id"]): status for status in kept}
    reports = await _reports(view, [r.report_id for r in rows])
    return [
        {
            "id": str(row.id),
            "type": row.kind,
            "group_key": f"ungrouped-{row.id}",
            "created_at": iso(row.created_at),
            "account": sources[row.id],
            "status": drawn.get(row.item_id or 0),
            **reports.get(row.report_id or 0, {}),
        }
        for row in rows
        if row.id in sources and (row.item_id is None or row.item_id in drawn)
    ]


async def _reports(view: Viewing, ids: list[int | None]) -> dict[int, dict[str, Any]]:
    """A handled report says how it was handled (as Mastodon's ``admin.report`` carries its
    report); other notifications carry none."""
    reports = list((await rows_by_id(Report, ids)).values())
    targets = list((await rows_by_id(Account, [r.account_id for r in reports])).values())
    drawn = dict(zip([t.id for t in targets], await account_entities(view, targets), strict=True))
    return {
        report.id: {
            "report": report_entity(
                report,
                [str(report.item_id)] if report.item_id else [],
                drawn.get(report.account_id or 0, {}),
            )
            | {"outcome": report.outcome}
        }
        for report in reports
    }


@endpoint("read:notifications")
async def index(call: Call) -> Any:
    rows = await id_page(_kinds(call), call.params)
    return paged(call, await notification_entities(viewing(call), rows), [row.id for row in rows])


async def _one(call: Call) -> Notification:
    row = await _mine(call).filter(id=call.request.path_params["notification_id"]).first()
    if row is None:
        raise not_found()
    return row


@endpoint("read:notifications")
async def show(call: Call) -> Any:
    entities = await notification_entities(viewing(call), [await _one(call)])
    if not entities:
        raise not_found()
    return entities[0]


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
