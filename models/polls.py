"""Polls: a question with two to four options hanging on one item (an update of a twinning, or
a ``Question`` received from another server), and the votes cast on it, one row per choice.

A vote is taken only from someone who may see the item (the visibility rule decides, so a
partner-only poll counts only its twinning's members), before the poll ends, once per voter,
with choices among the options. The counts of each option are kept on the poll row, recounted
from the votes under a lock on that row, so that a page of statuses reads them with its polls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise import fields
from tortoise.functions import Count
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models import happenings
from models.accounts import Account
from models.content import ContentItem
from models.errors import N_, Invalid, NotAllowed
from models.visibility import may_remote_actor_view, may_view

MIN_OPTIONS = 2
MAX_OPTIONS = 4
MAX_OPTION_CHARACTERS = 50
MIN_EXPIRATION = 300  # seconds, as Mastodon's defaults
MAX_EXPIRATION = 2_629_746


class Poll(Model):
    id = fields.IntField(primary_key=True)
    item: fields.OneToOneRelation[ContentItem] = fields.OneToOneField(
        "models.ContentItem", related_name="poll", on_delete=fields.CASCADE
    )
    item_id: int
    options: fields.JSONField[list[str]] = fields.JSONField(default=list)
    # Votes per option, in the order of ``options``; recounted at each vote.
    counts: fields.JSONField[list[int]] = fields.JSONField(default=list)
    voters_count = fields.IntField(default=0)
    multiple = fields.BooleanField(default=False)
    hide_totals = fields.BooleanField(default=False)
    expires_at = fields.DatetimeField()
    # When the final counts were sent to other servers (our polls, once, after the end).
    results_sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "polls"
        indexes = (("expires_at",),)

    @property
    def expired(self) -> bool:
        return self.expires_at <= datetime.now(UTC)


class PollVote(Model):
    """One choice of one voter: one of our people (``account``) or another server's actor
    (``actor_uri``); ``uri`` names the vote's ``Note`` on the wire."""

    id = fields.IntField(primary_key=True)
    poll: fields.ForeignKeyRelation[Poll] = fields.ForeignKeyField(
        "models.Poll", related_name="votes", on_delete=fields.CASCADE
    )
    poll_id: int
    choice = fields.IntField()
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="poll_votes", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None
    actor_uri = fields.CharField(max_length=500, null=True)
    uri = fields.CharField(max_length=500, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "poll_votes"
        unique_together = (("poll", "choice", "account"), ("poll", "choice", "actor_uri"))


@dataclass
class PollInput:
    """A poll as asked for, before it is checked."""

    options: list[str]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False


def checked_options(options: Sequence[str]) -> list[str]:
    cleaned = [option.strip() for option in options]
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        raise Invalid("poll", N_("a poll has from 2 to 4 options"))
    if any(not option or len(option) > MAX_OPTION_CHARACTERS for option in cleaned):
        raise Invalid("poll", N_("each option has from 1 to 50 characters"))
    if len(set(cleaned)) != len(cleaned):
        raise Invalid("poll", N_("the options must differ"))
    return cleaned


async def add_poll(item: ContentItem, asked: PollInput) -> Poll:
    """Our own poll, on an update just posted (inside the caller's transaction, so the item
    goes out with it)."""
    if item.kind != "update":
        raise Invalid("poll", N_("only an update of a twinning may hold a poll"))
    if not MIN_EXPIRATION <= asked.expires_in <= MAX_EXPIRATION:
        raise Invalid("poll", N_("a poll lasts from 5 minutes to a month"))
    options = checked_options(asked.options)
    return await Poll.create(
        item=item,
        options=options,
        counts=[0] * len(options),
        multiple=asked.multiple,
        hide_totals=asked.hide_totals,
        expires_at=datetime.now(UTC) + timedelta(seconds=asked.expires_in),
    )


def _checked_choices(poll: Poll, choices: Sequence[int]) -> list[int]:
    wanted = sorted(set(choices))
    if not wanted or any(not 0 <= c < len(poll.options) for c in wanted):
        raise Invalid("choices", N_("choose among the poll's options"))
    if len(wanted) > 1 and not poll.multiple:
        raise Invalid("choices", N_("this poll takes one choice"))
    return wanted


async def _recount(poll: Poll) -> None:
    rows = (
        await PollVote.filter(poll_id=poll.id)
        .annotate(n=Count("id"))
        .group_by("choice")
        .values("choice", "n")
    )
    by_choice = {row["choice"]: row["n"] for row in rows}
    poll.counts = [by_choice.get(i, 0) for i in range(len(poll.options))]
    local = await PollVote.filter(poll_id=poll.id, account_id__not_isnull=True).values_list(
        "account_id", flat=True
    )
    remote = await PollVote.filter(poll_id=poll.id, actor_uri__not_isnull=True).values_list(
        "actor_uri", flat=True
    )
    poll.voters_count = len(set(local)) + len(set(remote))
    await poll.save(update_fields=["counts", "voters_count"])


async def _locked(poll_id: int) -> Poll:
    return await Poll.filter(id=poll_id).select_for_update().get()


async def vote(voter: Account, poll: Poll, choices: Sequence[int]) -> Poll:
    """One of our people votes: they may see the item, the poll is open, they have not voted.
    On another server's poll the count is raised here at once; that server's next ``Update``
    of the ``Question`` brings its own counts."""
    item = await ContentItem.get(id=poll.item_id)
    if not voter.is_active or not await may_view(voter, item):
        raise NotAllowed("poll", N_("no such poll"))
    async with happenings.acting():
        poll = await _locked(poll.id)
        if poll.expired:
            raise Invalid("poll", N_("the poll has ended"))
        if await PollVote.filter(poll_id=poll.id, account_id=voter.id).exists():
            raise Invalid("poll", N_("you have already voted on this poll"))
        wanted = _checked_choices(poll, choices)
        for choice in wanted:
            await PollVote.create(poll_id=poll.id, choice=choice, account_id=voter.id)
        if item.uri is None:
            await _recount(poll)
            await happenings.record("edited", item=item.id)  # the new counts go out
        else:
            poll.counts = [n + (i in wanted) for i, n in enumerate(poll.counts)]
            poll.voters_count += 1
            await poll.save(update_fields=["counts", "voters_count"])
            await happenings.record("voted", poll=poll.id, account=voter.id)
    return poll


async def remote_vote(actor_uri: str, poll: Poll, option: str, uri: str) -> bool:
    """A vote from another server (Mastodon's ``Note`` with ``name`` = the option, answering
    the ``Question``): counted if the actor may see the item, the poll is open, the option is
    one of ours and the actor has not already chosen it (or, one choice only, anything).
    Answers whether it was counted."""
    item = await ContentItem.get(id=poll.item_id)
    if item.uri is not None or not await may_remote_actor_view(actor_uri, item):
        return False
    async with in_transaction():
        poll = await _locked(poll.id)
        if poll.expired or option not in poll.options:
            return False
        earlier = PollVote.filter(poll_id=poll.id, actor_uri=actor_uri)
        if not poll.multiple and await earlier.exists():
            return False
        choice = poll.options.index(option)
        if await earlier.filter(choice=choice).exists() or await PollVote.exists(uri=uri):
            return False
        await PollVote.create(poll_id=poll.id, choice=choice, actor_uri=actor_uri, uri=uri)
        await _recount(poll)
    return True


async def own_choices(voter: Account | None, poll_ids: Sequence[int]) -> dict[int, list[int]]:
    """The choices ``voter`` made on each of these polls, in one query."""
    if voter is None or not poll_ids:
        return {}
    chosen: dict[int, list[int]] = {}
    rows = await PollVote.filter(poll_id__in=list(poll_ids), account_id=voter.id).order_by("choice")
    for row in rows:
        chosen.setdefault(row.poll_id, []).append(row.choice)
    return chosen


async def choices_on_items(voter: Account | None, item_ids: Sequence[int]) -> dict[int, list[int]]:
    """The choices ``voter`` made on the polls of these items, by poll id, in one query (run
    whether or not the items hold polls, so a page's query count does not hang on them)."""
    if voter is None or not item_ids:
        return {}
    chosen: dict[int, list[int]] = {}
    rows = await PollVote.filter(poll__item_id__in=list(item_ids), account_id=voter.id).order_by(
        "choice"
    )
    for row in rows:
        chosen.setdefault(row.poll_id, []).append(row.choice)
    return chosen


async def polls_of(item_ids: Sequence[int]) -> dict[int, Poll]:
    """The polls of these items, by item id, in one query."""
    if not item_ids:
        return {}
    return {p.item_id: p for p in await Poll.filter(item_id__in=list(item_ids))}


def shows_totals(poll: Poll, voted: bool) -> bool:
    """Counts are shown after one's vote, after the end, or always unless the author hid
    them until the end."""
    return poll.expired or voted or not poll.hide_totals


async def ended_unsent(limit: int = 20) -> list[Poll]:
    """Our polls that have ended and whose final counts have not gone out yet."""
    return (
        await Poll.filter(
            expires_at__lte=datetime.now(UTC), results_sent_at=None, item__uri__isnull=True
        )
        .order_by("expires_at")
        .limit(limit)
    )


async def mark_results_sent(poll: Poll) -> bool:
    """Marks the end as sent, once: answers False when another worker already did."""
    changed = await Poll.filter(id=poll.id, results_sent_at=None).update(
        results_sent_at=datetime.now(UTC)
    )
    return bool(changed)
