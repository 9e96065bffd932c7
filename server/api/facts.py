"""What a page of statuses or accounts needs besides the items themselves, read with one query
per kind of fact whatever the page size (a page of 40 statuses sends as many queries as a page
of 5): the items they answer, their twinnings, their authors, their media, their counts, what
the viewer did with them, and the figures of each account drawn.

Nothing here chooses which items are shown: callers have chosen them through the visibility
rule, and every fact read here is about those items only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tortoise.functions import Count, Max

from models.accounts import Account
from models.content import ContentItem
from models.follows import Follow
from models.media import MediaFile
from models.organisations import Organisation
from models.polls import Poll, choices_on_items, polls_of
from models.reactions import Like
from models.remote import RemoteActor, Subscription
from models.social import Bookmark, LocalFollow, Reblog
from models.twinnings import Twinning


async def counts_by(model: Any, key: str, ids: Iterable[int], **where: Any) -> dict[int, int]:
    """How many rows of ``model`` each of ``ids`` has in column ``key``, in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = (
        await model.filter(**{f"{key}__in": wanted}, **where)
        .annotate(n=Count("id"))
        .group_by(key)
        .values(key, "n")
    )
    return {row[key]: row["n"] for row in rows}


def _day(value: Any) -> str:
    """A moment as its day (SQLite hands an aggregated moment back as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, date) else ""


async def _last_days(key: str, ids: list[int], **where: Any) -> dict[int, str]:
    if not ids:
        return {}
    rows = (
        await ContentItem.filter(**{f"{key}__in": ids}, **where)
        .annotate(last=Max("created_at"))
        .group_by(key)
        .values(key, "last")
    )
    return {row[key]: _day(row["last"]) for row in rows if row["last"] is not None}


@dataclass
class ActorFigures:
    """The counts an account entity shows, for every actor of a page at once."""

    statuses: dict[str, int] = field(default_factory=dict)
    last_status: dict[str, str] = field(default_factory=dict)
    followers: dict[str, int] = field(default_factory=dict)
    following: dict[str, int] = field(default_factory=dict)


def _keyed(prefix: str, counts: dict[int, int]) -> dict[str, int]:
    return {f"{prefix}{number}": n for number, n in counts.items()}


async def _followers(kind: str, prefix: str, ids: list[int]) -> dict[str, int]:
    local = await counts_by(LocalFollow, "target_id", ids, target_type=kind)
    remote = await counts_by(Follow, "target_id", ids, target_type=kind, state="accepted")
    return _keyed(prefix, {i: local.get(i, 0) + remote.get(i, 0) for i in ids})


async def actor_figures(actors: Iterable[Any]) -> ActorFigures:
    """Public statuses, last status day, followers and following of each person, twinning and
    organisation among ``actors`` (keyed by API account id); other servers' actors have none."""
    people = sorted({a.id for a in actors if isinstance(a, Account)})
    twinnings = sorted({a.id for a in actors if isinstance(a, Twinning)})
    orgs = sorted({a.id for a in actors if isinstance(a, Organisation)})
    figures = ActorFigures()
    if people:
        public = await counts_by(ContentItem, "author_id", people, visibility="public")
        figures.statuses.update(_keyed("p", public))
        last = await _last_days("author_id", people)
        figures.last_status.update({f"p{i}": day for i, day in last.items()})
        figures.followers.update(await _followers("person", "p", people))
        local = await counts_by(LocalFollow, "account_id", people)
        subs = await counts_by(Subscription, "account_id", people, state="accepted")
        figures.following.update(_keyed("p", {i: local.get(i, 0) + subs.get(i, 0) for i in people}))
    if twinnings:
        updates = {"kind": "update"}
        public = await counts_by(
            ContentItem, "twinning_id", twinnings, visibility="public", **updates
        )
        figures.statuses.update(_keyed("t", public))
        last = await _last_days("twinning_id", twinnings, **updates)
        figures.last_status.update({f"t{i}": day for i, day in last.items()})
        figures.followers.update(await _followers("twinning", "t", twinnings))
    if orgs:
        figures.followers.update(await _followers("organisation", "o", orgs))
    return figures


@dataclass
class Facts:
    """What many statuses need, read with one query per kind instead of one per status."""

    replies: dict[int, int]
    reblogs: dict[int, int]
    likes: dict[int, int]
    media: dict[int, list[MediaFile]]
    # The items the statuses answer or hang under (parents and thread roots).
    related: dict[int, ContentItem]
    twinnings: dict[int, Twinning]
    accounts: dict[int, Account]
    remotes: dict[int, RemoteActor]
    favourited: set[int]
    reblogged: set[int]
    bookmarked: set[int]
    # Polls by item id, and the viewer's choices by poll id.
    polls: dict[int, Poll] = field(default_factory=dict)
    own_votes: dict[int, list[int]] = field(default_factory=dict)


async def _mine(model: Any, viewer: Account | None, ids: list[int]) -> set[int]:
    if viewer is None or not ids:
        return set()
    rows = await model.filter(item_id__in=ids, account_id=viewer.id).values_list(
        "item_id", flat=True
    )
    return set(rows)


async def rows_by_id(model: Any, ids: Iterable[int | None], **where: Any) -> dict[int, Any]:
    """The rows of ``model`` with these ids (and ``where``), in one query, by id."""
    wanted = sorted({i for i in ids if i})
    return {row.id: row for row in await model.filter(id__in=wanted, **where)} if wanted else {}


async def _media(ids: list[int]) -> dict[int, list[MediaFile]]:
    media: dict[int, list[MediaFile]] = {}
    for m in await MediaFile.filter(item_id__in=ids).order_by("id"):
        media.setdefault(m.item_id or 0, []).append(m)
    return media


async def status_facts(viewer: Account | None, items: list[ContentItem]) -> Facts:
    ids = [item.id for item in items]
    answered = [n for i in items for n in (i.parent_id, i.in_reply_to_id)]
    related = await rows_by_id(ContentItem, answered)
    around = [*items, *related.values()]
    polls = await polls_of(ids)
    return Facts(
        replies=await counts_by(ContentItem, "in_reply_to_id", ids),
        reblogs=await counts_by(Reblog, "item_id", ids),
        likes=await counts_by(Like, "item_id", ids),
        media=await _media(ids),
        related=related,
        twinnings=await rows_by_id(Twinning, [i.twinning_id for i in around]),
        accounts=await rows_by_id(Account, [i.author_id for i in items]),
        remotes=await rows_by_id(
            RemoteActor, [i.remote_author_id or i.remote_twinning_id for i in items]
        ),
        favourited=await _mine(Like, viewer, ids),
        reblogged=await _mine(Reblog, viewer, ids),
        bookmarked=await _mine(Bookmark, viewer, ids),
        polls=polls,
        own_votes=await choices_on_items(viewer, ids),
    )
