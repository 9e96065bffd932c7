"""Polls on the wire, the way Mastodon writes and reads them: a ``Question`` from another
server keeps its options and counts here (``oneOf`` for one choice, ``anyOf`` for several,
each option's votes in ``replies.totalItems``), and a vote from another server is a ``Note``
whose ``name`` is the option and whose ``inReplyTo`` is our ``Question``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from federation.context import Federation
from federation.local import local_item
from models import happenings
from models.content import ContentItem
from models.polls import Poll, remote_vote

log = logging.getLogger(__name__)


def is_vote(obj: dict[str, Any]) -> bool:
    """A vote: a ``Note`` with a ``name``, answering something, with no text of its own."""
    return (
        obj.get("type") == "Note"
        and isinstance(obj.get("name"), str)
        and isinstance(obj.get("inReplyTo"), str)
        and not obj.get("content")
    )


async def on_vote(fed: Federation, obj: dict[str, Any], actor_uri: str) -> bool:
    """Counts a vote on one of our polls (the rule of ``models.polls.remote_vote`` applies:
    a voter who may not see the item is not counted); the new counts then go where the
    item went. Answers whether the note was a vote on one of our polls."""
    item = await local_item(fed.settings, obj["inReplyTo"])
    poll = await Poll.get_or_none(item_id=item.id) if item is not None else None
    if item is None or poll is None:
        return False
    async with happenings.acting():
        if await remote_vote(actor_uri, poll, obj["name"], obj["id"]):
            await happenings.record("edited", item=item.id)
        else:
            log.info("vote %s on poll %s not counted", obj["id"], poll.id)
    return True


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _options(obj: dict[str, Any]) -> tuple[list[str], list[int], bool] | None:
    multiple = isinstance(obj.get("anyOf"), list)
    raw = obj.get("anyOf") if multiple else obj.get("oneOf")
    if not isinstance(raw, list) or not 1 <= len(raw) <= 20:
        return None
    names, counts = [], []
    for option in raw:
        if not isinstance(option, dict) or not isinstance(option.get("name"), str):
            return None
        replies = option.get("replies")
        total = replies.get("totalItems") if isinstance(replies, dict) else 0
        names.append(option["name"][:200])
        counts.append(total if isinstance(total, int) and total >= 0 else 0)
    return names, counts, multiple


async def keep_question(obj: dict[str, Any]) -> None:
    """The options and counts of another server's ``Question``, on the item kept for it
    (stored already by the handler that kept the item; nothing when none was kept)."""
    if obj.get("type") != "Question" or not isinstance(obj.get("id"), str):
        return
    item = await ContentItem.get_or_none(uri=obj["id"])
    parsed = _options(obj)
    end = _moment(obj.get("closed")) or _moment(obj.get("endTime"))
    if item is None or parsed is None or end is None:
        return
    names, counts, multiple = parsed
    voters = obj.get("votersCount")
    fields: dict[str, Any] = {
        "options": names,
        "counts": counts,
        "multiple": multiple,
        "expires_at": end,
        "voters_count": voters if isinstance(voters, int) and voters >= 0 else max(counts),
    }
    poll = await Poll.get_or_none(item_id=item.id)
    if poll is None:
        await Poll.create(item=item, **fields)
    elif poll.options == names:  # counts change; options changed would be another poll
        await Poll.filter(id=poll.id).update(**{k: v for k, v in fields.items() if k != "options"})
