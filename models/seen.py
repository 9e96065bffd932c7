"""Where a member stopped reading each space of a twinning (updates, discussions, meetings,
resources), so their home can say what is new since. Counts go through the visibility rule: a
count never includes an item its reader may not see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.expressions import Q, Subquery
from tortoise.models import Model

from models.accounts import Account
from models.content import ContentItem
from models.discussions import DiscussionRead
from models.twinnings import Membership
from models.visibility import visible_items

# Each space of a twinning and the kinds of item it holds; answers count in the space of the
# item they answer (a new answer in a discussion is news of the discussions).
SPACES: dict[str, tuple[str, ...]] = {
    "updates": ("update",),
    "discussions": ("discussion",),
    "meetings": ("event",),
    "resources": ("resource",),
}
# Counting stops at this many new items in one space.
MAX_COUNTED = 500


class SeenMarker(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="seen_markers", on_delete=fields.CASCADE
    )
    account_id: int
    twinning: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Twinning", related_name="seen_markers", on_delete=fields.CASCADE
    )
    twinning_id: int
    space = fields.CharField(max_length=12)
    seen_at = fields.DatetimeField()

    class Meta:
        table = "seen_markers"
        unique_together = (("account", "twinning", "space"),)


def check_spaces(spaces: Iterable[str]) -> list[str]:
    """Known spaces only, in their usual order; unknown names are dropped."""
    wanted = set(spaces)
    return [space for space in SPACES if space in wanted]


async def mark_seen(
    account: Account, twinning_id: int, spaces: Iterable[str] = SPACES, at: datetime | None = None
) -> None:
    """The member has now seen ``spaces`` of the twinning: what came before ``at`` (now) is
    no longer new to them. Called when a member opens a space's page (a twinning's tab) or
    marks the twinning read from their home. A marker only moves forward."""
    at = at or datetime.now(UTC)
    for space in check_spaces(spaces):
        marker, created = await SeenMarker.get_or_create(
            account=account, twinning_id=twinning_id, space=space, defaults={"seen_at": at}
        )
        if not created and marker.seen_at < at:
            marker.seen_at = at
            await marker.save(update_fields=["seen_at"])


async def _since(account: Account, twinning_ids: list[int]) -> dict[tuple[int, str], datetime]:
    """When each space was last seen; never seen, since the member joined."""
    joined = {
        m.twinning_id: m.accepted_at or m.created_at
        for m in await Membership.filter(account=account, twinning_id__in=twinning_ids)
    }
    since = {(t, space): joined[t] for t in joined for space in SPACES}
    for row in await SeenMarker.filter(account=account, twinning_id__in=twinning_ids):
        since[(row.twinning_id, row.space)] = row.seen_at
    return since


async def _count_space(
    account: Account, twinning_id: int, kinds: tuple[str, ...], since: datetime
) -> int:
    """Items of ``kinds`` in the twinning, and answers to them, new since ``since`` and not
    written by the reader. A discussion the member opened since (``DiscussionRead``) is read
    up to then, so its count agrees with the unread marks of the thread list."""
    roots = ContentItem.filter(twinning_id=twinning_id, kind__in=kinds).values("id")
    new: list[dict[str, Any]] = (
        await visible_items(account)
        .filter(Q(twinning_id=twinning_id, kind__in=kinds) | Q(in_reply_to_id__in=Subquery(roots)))
        .filter(created_at__gt=since)
        .filter(Q(author_id__isnull=True) | Q(author_id__not=account.id))
        .limit(MAX_COUNTED)
        .values("id", "in_reply_to_id", "created_at")
    )
    threads = {row["in_reply_to_id"] or row["id"] for row in new}
    opened = {
        r.item_id: r.seen_at
        for r in await DiscussionRead.filter(account=account, item_id__in=sorted(threads))
    }
    return sum(
        1
        for row in new
        if (read := opened.get(row["in_reply_to_id"] or row["id"])) is None
        or _aware(row["created_at"]) > read
    )


def _aware(moment: Any) -> datetime:
    """SQLite may hand times back as text; PostgreSQL as datetimes."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def unread_counts(account: Account, twinning_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each of the member's twinnings, how many items of each space are new to them."""
    since = await _since(account, twinning_ids)
    counts: dict[int, dict[str, int]] = {}
    for (twinning_id, space), moment in sorted(since.items()):
        n = await _count_space(account, twinning_id, SPACES[space], moment)
        counts.setdefault(twinning_id, {})[space] = n
    return counts
