"""What goes out to other servers when something happened here: the worker's side of
``models.happenings``. Each recorded happening is taken once it has committed, turned into
activities for the delivery queue (``federation.publish``), and marked done; one taken again
after a crash makes the same activity ids, which the queue keeps once per inbox."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from federation import membership, moderation, poll_votes, programmes, publish, remote_posts, tasks
from federation.actor_updates import send_actor_update
from federation.context import Federation
from federation.errors import FederationError
from models.accounts import Account
from models.content import ContentItem
from models.happenings import Happening, claim, finish
from models.media import forget_files
from models.reactions import Like
from models.remote import RemoteActor
from models.social import Reblog
from models.storage_full import is_storage_full
from models.twinnings import Twinning

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
Step = Callable[[Federation, dict[str, Any], str], Awaitable[None]]


async def _posted(fed: Federation, data: dict[str, Any], token: str) -> None:
    item = await ContentItem.get_or_none(id=data["item"])
    if item is None:
        return  # deleted before it went out; its deletion follows
    if item.in_reply_to_id is not None:
        await publish.reply_posted(fed, item, token)
    elif not await remote_posts.send_remote_update(fed, item, "Create", token):
        await publish.update_posted(fed, item, token)


async def _edited(fed: Federation, data: dict[str, Any], token: str) -> None:
    item = await ContentItem.get_or_none(id=data["item"])
    if item is None or item.in_reply_to_id is not None:
        return
    if not await remote_posts.send_remote_update(fed, item, "Update", token):
        await publish.update_edited(fed, item, token)


async def _deleted(fed: Federation, data: dict[str, Any], token: str) -> None:
    """Its files leave the store; then, for local items of a twinning only, the deletion goes
    out (items from other servers are removed here alone)."""
    await forget_files(fed.settings.data_dir, data.get("files", []))
    if data["author"] is None or data["reply_to"] is not None:
        return
    if data.get("remote_twinning") is not None:
        await _deleted_afar(fed, data, token)
        return
    if data["twinning"] is None:
        return
    twinning = await Twinning.get_or_none(id=data["twinning"])
    author = await Account.get_or_none(id=data["author"])
    if twinning is None or author is None:
        return
    gone = ContentItem(
        id=data["item"],
        twinning_id=twinning.id,
        author_id=author.id,
        visibility=data["visibility"],
        kind=data["item_kind"],
    )
    await publish.update_deleted(fed, gone, twinning, author, token)


async def _deleted_afar(fed: Federation, data: dict[str, Any], token: str) -> None:
    """An update of ours in another server's twinning: the twinning hears it is gone."""
    author = await Account.get_or_none(id=data["author"])
    group = await RemoteActor.get_or_none(id=data["remote_twinning"])
    if author is None or group is None:
        return
    gone = ContentItem(id=data["item"], author_id=author.id, visibility=data["visibility"])
    await remote_posts.send_remote_deletion(fed, gone, author, group, token)


async def _arrived(fed: Federation, data: dict[str, Any], token: str) -> None:
    item = await ContentItem.get_or_none(id=data["item"])
    if item is not None:
        await publish.reshare_remote(fed, item, data["activity"], data["author_inbox"], token)


async def _remote_changed(fed: Federation, data: dict[str, Any], token: str) -> None:
    item = ContentItem(
        id=data["item"],
        twinning_id=data["twinning"],
        in_reply_to_id=data.get("reply_to"),
        visibility=data["visibility"],
        uri=data["uri"],
    )
    await publish.reshare_remote(fed, item, data["activity"], "", token)


async def _reaction(
    data: dict[str, Any],
) -> tuple[Account, ContentItem] | None:
    account = await Account.get_or_none(id=data["account"])
    item = await ContentItem.get_or_none(id=data["item"])
    return (account, item) if account is not None and item is not None else None


async def _liked(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _reaction(data)) is not None:
        await publish.liked(fed, *found, Like(id=data["like"]))


async def _unliked(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _reaction(data)) is not None:
        await publish.unliked(fed, *found, Like(id=data["like"]))


async def _reblogged(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _reaction(data)) is not None:
        await publish.reblogged(fed, *found, Reblog(id=data["reblog"]))


async def _unreblogged(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _reaction(data)) is not None:
        await publish.unreblogged(fed, *found, Reblog(id=data["reblog"]))


async def _membership(data: dict[str, Any]) -> tuple[Twinning, RemoteActor] | None:
    twinning = await Twinning.get_or_none(id=data["twinning"])
    actor = await RemoteActor.get_or_none(id=data["actor"])
    return (twinning, actor) if twinning is not None and actor is not None else None


async def _join_answered(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _membership(data)) is not None:
        await membership.send_decision(fed, *found, data["join"], data["accepted"])


async def _invited(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _membership(data)) is not None:
        await membership.send_invite(fed, *found, data["invite"])


async def _member_removed(fed: Federation, data: dict[str, Any], token: str) -> None:
    if (found := await _membership(data)) is not None:
        await membership.send_removal(fed, *found, token)


async def _left(fed: Federation, data: dict[str, Any], token: str) -> None:
    account = await Account.get_or_none(id=data["account"])
    group = await RemoteActor.get_or_none(id=data["group"])
    if account is not None and group is not None:
        await membership.send_leave(fed, account, group, data["join"])


async def _block_step(fed: Federation, data: dict[str, Any], lifted: bool) -> None:
    account = await Account.get_or_none(id=data["account"])
    target = await RemoteActor.get_or_none(id=data["remote"])
    if account is not None and target is not None:
        send = publish.unblocked if lifted else publish.blocked
        await send(fed, account, target, data["block"])


async def _blocked(fed: Federation, data: dict[str, Any], token: str) -> None:
    await _block_step(fed, data, lifted=False)


async def _unblocked(fed: Federation, data: dict[str, Any], token: str) -> None:
    await _block_step(fed, data, lifted=True)


async def _actor_changed(fed: Federation, data: dict[str, Any], token: str) -> None:
    await send_actor_update(fed, data["actor_type"], data["actor_id"], token)


STEPS: dict[str, Step] = {
    "actor_changed": _actor_changed,
    "join_answered": _join_answered,
    "invited": _invited,
    "member_removed": _member_removed,
    "left": _left,
    "posted": _posted,
    "edited": _edited,
    "deleted": _deleted,
    "arrived": _arrived,
    "remote_changed": _remote_changed,
    "liked": _liked,
    "unliked": _unliked,
    "reblogged": _reblogged,
    "unreblogged": _unreblogged,
    "blocked": _blocked,
    "unblocked": _unblocked,
    "report_forwarded": moderation.send_flag,
    "warned_afar": moderation.send_warning,
    "programme_added": programmes.announce_addition,
    "tasks_changed": tasks.send_tasks,
    "task_ticked": tasks.send_tick,
    "voted": poll_votes.send_votes,
}


async def _go_out(fed: Federation, row: Happening) -> None:
    step = STEPS.get(row.kind)
    try:
        if step is not None:
            await step(fed, row.data, f"h{row.id}")
    except FederationError as exc:
        log.warning("happening %s (%s) failed: %s", row.id, row.kind, exc.detail)
        await finish(row, exc.detail)
        return
    except Exception as exc:  # a bug must not stop the worker; the row keeps the error
        if is_storage_full(exc):
            raise  # not the happening's fault: taken again when its lease ends
        log.exception("happening %s (%s) crashed", row.id, row.kind)
        await finish(row, repr(exc))
        return
    await finish(row)


async def fan_out(fed: Federation, limit: int = 50) -> int:
    """One cycle; returns how many happenings were taken."""
    rows = await claim(limit, LEASE)
    for row in rows:
        await _go_out(fed, row)
    return len(rows)
