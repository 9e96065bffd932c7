"""What follows when something happens here: one function per happening, called by every
surface (web pages, Mastodon API, the inbox, mail) inside the transaction of the change.

Each one decides the local consequences at once (notifications, mail notices) and records the
happening as a row; after the change has committed, the worker derives from that row what
goes beyond this database: deliveries to other servers (``federation.fanout``), and whatever
else reads the rows in order. Because the row is written with the change, a crash loses
neither: the change and everything that follows from it commit together or not at all, and a
row the worker did not finish is taken again."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import stream_events
from models.accounts import Account
from models.content import ContentItem
from models.mail import queue_notices
from models.media import files_of
from models.notifications import notify as store_notification
from models.push import queue_pushes
from models.remote import RemoteActor
from models.twinnings import Membership, Twinning, moderator_ids
from models.visibility import forget_remote_twinning, may_view

MAX_ATTEMPTS = 5


class Happening(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=20)
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True, db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")

    class Meta:
        table = "happenings"


_depth: ContextVar[int] = ContextVar("acting_depth", default=0)
_wakers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Event] = (
    weakref.WeakKeyDictionary()
)


def _waker() -> asyncio.Event:
    """One event per running loop (an event used from two loops fails)."""
    loop = asyncio.get_running_loop()
    if loop not in _wakers:
        _wakers[loop] = asyncio.Event()
    return _wakers[loop]


@contextlib.asynccontextmanager
async def acting() -> AsyncIterator[None]:
    """One transaction for a change and what follows from it. Acts nest (an outer act makes
    the inner ones part of it); the worker of this process is woken once the outermost one has
    committed, and its stream events go out. Keep network requests out: on SQLite a
    transaction holds the writer lock."""
    depth = _depth.get()
    token = _depth.set(depth + 1)
    try:
        with stream_events.holding(outermost=depth == 0) as held:
            async with in_transaction():
                yield
    finally:
        _depth.reset(token)
    if depth == 0:
        _waker().set()
        stream_events.release(held)


async def wait_for_work(seconds: float) -> None:
    """Until something is recorded in this process, or ``seconds`` pass (other processes'
    rows are found by the worker's next look)."""
    waker = _waker()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(waker.wait(), seconds)
    waker.clear()


async def notify(account_id: int, kind: str, **source: Any) -> None:
    """A notification stored, streamed to its recipient's connections, and queued for their
    apps' push subscriptions (sent by the worker once this has committed)."""
    row = await store_notification(account_id, kind, **source)
    if row is not None:
        await stream_events.notification_published(row.id, account_id)
        await queue_pushes(row)


async def record(kind: str, **data: Any) -> Happening:
    return await Happening.create(kind=kind, data=data)


def now() -> datetime:
    return datetime.now(UTC)


async def claim(limit: int, lease: timedelta) -> list[Happening]:
    """Due rows in order, each leased by one worker at a time."""
    at = now()
    due = Q(claimed_until__isnull=True) | Q(claimed_until__lt=at)
    rows = await Happening.filter(due, processed_at=None).order_by("id").limit(limit)
    taken = []
    for row in rows:
        won = await Happening.filter(due, id=row.id, processed_at=None).update(
            claimed_until=at + lease, attempts=row.attempts + 1
        )
        if won:
            taken.append(row)
    return taken


async def finish(row: Happening, error: str = "") -> None:
    """Done, or failed: tried again while attempts remain, then kept with its error."""
    given_up = bool(error) and row.attempts + 1 >= MAX_ATTEMPTS
    await Happening.filter(id=row.id).update(
        processed_at=now() if not error or given_up else None,
        claimed_until=None,
        last_error=error[:1000],
    )


# What follows each happening.


async def posted(item: ContentItem, author: Account, mentioned: Sequence[Account] = ()) -> None:
    """A local person's new item or answer: the people it names who may read it, and the
    authors of what it answers, are told; so are the twinning's other members of a new item;
    members who asked for mail about its discussion get a notice; the worker sends it to its
    audience on other servers."""
    people = [*(p.id for p in mentioned), *await _answered_authors(item)]
    await _tell_named(item, people, from_account=author)
    await _tell_members(item, [author.id, *people], from_account=author)
    await queue_notices(item)
    await record("posted", item=item.id)
    await stream_events.item_published("update", item)


async def actor_changed(actor_type: str, actor_id: int) -> None:
    """One of our actors shows itself otherwise (a new picture): the worker sends its new
    document to the servers that follow it, or that hold members of it."""
    await record("actor_changed", actor_type=actor_type, actor_id=actor_id)


async def edited(item: ContentItem) -> None:
    await record("edited", item=item.id)
    await stream_events.item_published("status.update", item)


async def translated(item: ContentItem) -> None:
    """A new language of the item goes where the item went; it is no edit (nobody is told
    the item changed, and it keeps its edited time)."""
    await record("edited", item=item.id)


async def translation_asked(item: ContentItem, reader: Account, translators: Sequence[int]) -> None:
    """The translators who may answer a reader's request are told."""
    for account_id in translators:
        await notify(account_id, "translate", from_account=reader, item=item)


async def translation_answered(item: ContentItem, translator: Account, reader_id: int) -> None:
    await notify(reader_id, "translated", from_account=translator, item=item)


async def deleted(item: ContentItem) -> None:
    """Called before the row goes: the worker needs what it was to say it is gone, and the
    names of its files to remove them from the store once the deletion has committed (a
    deletion rolled back keeps them); streams are told who could see it."""
    await stream_events.item_published("delete", item)
    await record(
        "deleted",
        item=item.id,
        files=await files_of(item),
        twinning=item.twinning_id,
        remote_twinning=item.remote_twinning_id if item.uri is None else None,
        author=item.author_id,
        visibility=item.visibility,
        item_kind=item.kind,
        reply_to=item.in_reply_to_id,
    )


async def arrived(
    item: ContentItem,
    sender: RemoteActor,
    mentioned: Sequence[int] = (),
    reshare: dict[str, Any] | None = None,
) -> None:
    """An item from another server is stored: the people it names and the authors of what it
    answers are told, mail notices follow; ``reshare``, the activity of one of our twinning's
    members, is announced by the twinning to its audience."""
    people = [*mentioned, *await _answered_authors(item)]
    await _tell_named(item, people, from_remote=sender)
    await _tell_members(item, people, from_remote=sender)
    await queue_notices(item)
    await stream_events.item_published("update", item)
    if reshare is not None:
        await record("arrived", item=item.id, activity=reshare, author_inbox=sender.inbox)


async def remote_changed(item: ContentItem, activity: dict[str, Any]) -> None:
    """A post from another server was edited or deleted: when it belongs to one of our
    twinnings or their threads, the twinning passes the author's activity on. Called before
    a deleted row goes."""
    gone = activity.get("type") == "Delete"
    await stream_events.item_published("delete" if gone else "status.update", item)
    await record(
        "remote_changed",
        item=item.id,
        twinning=item.twinning_id,
        reply_to=item.in_reply_to_id,
        visibility=item.visibility,
        uri=item.uri,
        activity=activity,
    )


async def liked(item: ContentItem, account: Account, like_id: int) -> None:
    if item.author_id is not None:
        await notify(item.author_id, "favourite", from_account=account, item=item)
    await record("liked", item=item.id, account=account.id, like=like_id)


async def unliked(item: ContentItem, account: Account, like_id: int) -> None:
    await record("unliked", item=item.id, account=account.id, like=like_id)


async def reblogged(item: ContentItem, account: Account, reblog_id: int) -> None:
    if item.author_id is not None:
        await notify(item.author_id, "reblog", from_account=account, item=item)
    await record("reblogged", item=item.id, account=account.id, reblog=reblog_id)


async def unreblogged(item: ContentItem, account: Account, reblog_id: int) -> None:
    await record("unreblogged", item=item.id, account=account.id, reblog=reblog_id)


async def reacted_from_afar(item: ContentItem, kind: str, sender: RemoteActor) -> None:
    """A like (``favourite``) or boost (``reblog``) of ours from another server."""
    if item.author_id is not None:
        await notify(item.author_id, kind, from_remote=sender, item=item)


async def followed(
    account_id: int, from_account: Account | None = None, from_remote: RemoteActor | None = None
) -> None:
    await notify(account_id, "follow", from_account=from_account, from_remote=from_remote)


async def join_requested(
    twinning: Twinning, from_account: Account | None = None, from_remote: RemoteActor | None = None
) -> None:
    """A request waits for the twinning's moderators: each hears of it (Mastodon's
    ``follow_request``, since apps list join requests as follow requests)."""
    for moderator in await moderator_ids(twinning):
        await notify(
            moderator, "follow_request", from_account=from_account, from_remote=from_remote
        )


# Memberships across servers. Here, our twinnings' answers to people of other servers: each
# goes out as the group's activity (Accept, Reject, Invite, Remove), from the recorded row.


async def remote_join_answered(
    twinning_id: int, actor_id: int, join_uri: str, accepted: bool
) -> None:
    await record(
        "join_answered", twinning=twinning_id, actor=actor_id, join=join_uri, accepted=accepted
    )


async def remote_invited(twinning_id: int, actor_id: int, invite_uri: str) -> None:
    await record("invited", twinning=twinning_id, actor=actor_id, invite=invite_uri)


async def remote_member_removed(twinning_id: int, actor_id: int) -> None:
    """A moderator removed a member of another server: their server hears it (``Remove``),
    so nothing of the twinning is shown to them there any more."""
    await record("member_removed", twinning=twinning_id, actor=actor_id)


async def joined_programme(programme_id: int, entry_id: int) -> None:
    """A twinning was added to a programme: the programme's followers hear it (``Add``)."""
    await record("programme_added", programme=programme_id, entry=entry_id)


# And our people in twinnings of other servers.


async def left_remote(account_id: int, group: RemoteActor, join_uri: str) -> None:
    """One of our people leaves another server's twinning: its partner-only items are no
    longer theirs here, and the twinning hears it (``Leave``, and ``Undo`` of the Join)."""
    await forget_remote_twinning(account_id, group.id)
    await record("left", account=account_id, group=group.id, join=join_uri)


async def membership_ended_from_afar(account_id: int, group: RemoteActor) -> None:
    """The twinning of another server removed one of our people, or refused their request."""
    await forget_remote_twinning(account_id, group.id)
    await notify(account_id, "removed", from_remote=group)


async def joined_from_afar(account_id: int, group: RemoteActor) -> None:
    await notify(account_id, "joined", from_remote=group)


async def _tell_named(item: ContentItem, people: Sequence[int], **source: Any) -> None:
    for account in await Account.filter(id__in=sorted(set(people)), state="active"):
        if await may_view(account, item):
            await notify(account.id, "mention", item=item, **source)


async def _tell_members(item: ContentItem, told: Sequence[int], **source: Any) -> None:
    """A new item of one of our twinnings (an update, discussion, meeting or resource, not an
    answer) is news for its members: each hears of it as Mastodon's ``status``, apart from
    those already told (its author, the people it names)."""
    if item.twinning_id is None or item.in_reply_to_id is not None:
        return
    members: list[Any] = await Membership.filter(
        twinning_id=item.twinning_id, state="accepted", account__state="active"
    ).values_list("account_id", flat=True)
    for account_id in sorted(set(members) - set(told)):
        await notify(account_id, "status", item=item, **source)


async def _answered_authors(item: ContentItem) -> list[int]:
    """Who hears of an answer (as Mastodon's mention): the author of the message answered
    and the author of the thread, when they are ours."""
    answered = [i for i in (item.parent_id, item.in_reply_to_id) if i is not None]
    if not answered:
        return []
    authors: list[Any] = await ContentItem.filter(id__in=answered).values_list(
        "author_id", flat=True
    )
    return [a for a in authors if isinstance(a, int)]


# Shared tasks.


async def tasks_changed(list_id: int, task_id: int | None = None) -> None:
    """A task list of one of our twinnings (or one task of it) was made or changed: the worker
    sends it to the members' servers (``TodoList``/``Todo``)."""
    await record("tasks_changed", task_list=list_id, task=task_id)


async def task_ticked_afar(task_id: int, account_id: int) -> None:
    """One of our people ticked a task of another server's twinning: the worker sends their
    ``Update`` of the ``Todo`` to that twinning, which applies it and shares it on."""
    await record("task_ticked", task=task_id, account=account_id)
