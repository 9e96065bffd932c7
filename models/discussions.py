"""Discussions of a twinning: titled threads whose answers are replies (the same items and
audience as every thread), with what each member has read, for unread markers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.functions import Count, Max
from tortoise.models import Model

from models.accounts import Account
from models.content import ContentItem
from models.langmap import build_map
from models.posting import post_update
from models.twinnings import Twinning
from models.visibility import visible_items

MAX_LISTED = 50


class DiscussionRead(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="discussions_read", on_delete=fields.CASCADE
    )
    account_id: int
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="readers", on_delete=fields.CASCADE
    )
    item_id: int
    seen_at = fields.DatetimeField()

    class Meta:
        table = "discussion_reads"
        unique_together = (("account", "item"),)


async def start_discussion(
    author: Account,
    twinning: Twinning,
    visibility: str,
    title: Mapping[str, str],
    content: Mapping[str, str],
    language: str = "",
) -> ContentItem:
    """A discussion needs a title (its subject) and a first message."""
    build_map("title", title, 200)
    return await post_update(
        author, twinning, visibility, content, title, language, kind="discussion"
    )


@dataclass
class Thread:
    item: ContentItem
    replies: int
    last_activity: datetime
    unread: bool


async def threads(viewer: Account | None, twinning: Twinning) -> list[Thread]:
    """The twinning's discussions ``viewer`` may see, most recently active first; unread when
    something was said since the viewer last opened it."""
    items = await (
        visible_items(viewer)
        .filter(twinning=twinning, kind="discussion")
        .prefetch_related("author", "remote_author")
        .limit(MAX_LISTED)
    )
    ids = [i.id for i in items]
    rows: list[dict[str, Any]] = (
        await ContentItem.filter(in_reply_to_id__in=ids)
        .annotate(n=Count("id"), last=Max("created_at"))
        .group_by("in_reply_to_id")
        .values("in_reply_to_id", "n", "last")
    )
    activity = {row["in_reply_to_id"]: row for row in rows}
    seen: dict[int, datetime] = {}
    if viewer is not None:
        reads = await DiscussionRead.filter(account=viewer, item_id__in=ids)
        seen = {r.item_id: r.seen_at for r in reads}
    found = []
    for item in items:
        row = activity.get(item.id, {})
        last = _aware(row.get("last")) or item.created_at
        mine = viewer is not None and item.author_id == viewer.id
        read = seen.get(item.id) or (item.created_at if mine else None)  # wrote it: read it
        unread = viewer is not None and (read is None or last > read)
        found.append(Thread(item, int(row.get("n", 0)), last, unread))
    return sorted(found, key=lambda t: t.last_activity, reverse=True)


def _aware(moment: Any) -> datetime | None:
    """SQLite hands aggregated times back as text; PostgreSQL as datetimes."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def mark_read(account: Account, item: ContentItem) -> None:
    await DiscussionRead.update_or_create(
        account=account, item=item, defaults={"seen_at": datetime.now(UTC)}
    )
