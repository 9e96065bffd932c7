"""Reports from apps (Mastodon's ``POST /api/v1/reports``): they land where reports from the
web do, for the instance admins and the reported item's twinning moderators."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from models.accounts import Account
from models.moderation import REASONS, report_from_app
from models.moderation_actions import forward_by_reporter
from models.reactions import Report
from models.remote import RemoteActor
from server.api.core import ApiError, Call, endpoint
from server.api.entities import account_entity, actor_by_id, iso
from server.api.statuses import viewing, visible_status

MAX_STATUSES = 20


def report_entity(report: Report, status_ids: list[str], target: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(report.id),
        "action_taken": report.resolved,
        "action_taken_at": None,
        "category": report.reason,
        "comment": report.comment,
        "forwarded": report.forwarded,
        "created_at": iso(report.created_at),
        "status_ids": status_ids,
        "rule_ids": None,
        "target_account": target,
    }


@endpoint("write:reports")
async def create(call: Call) -> Any:
    """Statuses one may not see answer 404, as everywhere. ``forward`` about an account of
    another server sends the report there too (one Flag, from this server, without the
    reporter's name); about one of ours there is nowhere to forward it, as on Mastodon."""
    p = call.params
    target = await actor_by_id(p.text("account_id"))
    if not isinstance(target, Account | RemoteActor):
        raise ApiError(422, "Validation failed: account_id names no account")
    category = p.text("category", "other")
    if category not in REASONS:
        raise ApiError(422, "Validation failed: category is not one of " + ", ".join(REASONS))
    status_ids = p.items("status_ids")
    if len(status_ids) > MAX_STATUSES:
        raise ApiError(422, f"Validation failed: at most {MAX_STATUSES} status_ids")
    items = [await visible_status(call, raw) for raw in status_ids]
    reports = await report_from_app(call.user, target, items, category, p.text("comment"))
    if p.flag("forward") and isinstance(target, RemoteActor):
        await forward_by_reporter(call.user, reports)
    view = viewing(call)
    return report_entity(reports[0], [str(i.id) for i in items], await account_entity(view, target))


routes = [Route("/api/v1/reports", create, methods=["POST"])]
