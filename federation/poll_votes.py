"""Polls going out: our people's votes on another server's ``Question`` (one ``Create`` of a
``Note`` per choice, ``name`` = the option, to the poll's author, as Mastodon sends them), and,
once a poll of ours has ended, an ``Update`` of the ``Question`` with its final counts, sent
once by whichever worker marks it first."""

from __future__ import annotations

from typing import Any

from federation.actors import person_uri
from federation.context import Federation
from federation.delivery import enqueue
from federation.serialize import activity
from models import happenings
from models.accounts import Account
from models.content import ContentItem
from models.polls import Poll, PollVote, ended_unsent, mark_results_sent
from models.remote import RemoteActor


async def _poll_author(item: ContentItem) -> RemoteActor | None:
    actor_id = item.remote_author_id or item.remote_twinning_id
    return await RemoteActor.get_or_none(id=actor_id) if actor_id else None


async def send_votes(fed: Federation, data: dict[str, Any], token: str) -> None:
    """The happening ``voted``: one person's choices on another server's poll."""
    poll = await Poll.get_or_none(id=data["poll"])
    voter = await Account.get_or_none(id=data["account"], state="active")
    if poll is None or voter is None:
        return
    item = await ContentItem.get(id=poll.item_id)
    author = await _poll_author(item)
    if author is None or item.uri is None:
        return
    actor = person_uri(fed.settings, voter.username)
    for vote in await PollVote.filter(poll_id=poll.id, account_id=voter.id).order_by("choice"):
        note = {
            "id": f"{actor}#votes/{vote.id}",
            "type": "Note",
            "name": poll.options[vote.choice],
            "attributedTo": actor,
            "inReplyTo": item.uri,
            "to": [author.uri],
        }
        create = activity("Create", f"{note['id']}/activity", actor, note, [author.uri], [])
        await enqueue(create, "person", voter.id, actor + "#main-key", [author.inbox])


async def close_ended_polls(limit: int = 20) -> int:
    """Our polls that have ended: each, once, sends its final counts where its item went (the
    ``edited`` happening publishes the ``Update``). Answers how many were closed."""
    closed = 0
    for poll in await ended_unsent(limit):
        async with happenings.acting():
            if await mark_results_sent(poll):
                await happenings.record("edited", item=poll.item_id)
                closed += 1
    return closed
