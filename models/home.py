"""What a member's home gathers, for the web home and the Mastodon home timeline alike: the
twinnings they belong to or follow, one feed of them (here and on other servers), and what
waits for them (invitations, join requests they moderate, translations asked of them). Every
item list starts from ``visible_items``, the visibility rule as a query."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import Audience, ContentItem
from models.personal_blocks import unmuted
from models.remote import RemoteMembership, Subscription
from models.social import followed_ids
from models.tasks import Task, my_tasks
from models.translation_requests import TranslationRequest, open_requests_for
from models.twinnings import Membership
from models.visibility import ACCOUNT, visible_items

MAX_WAITING = 50


async def member_twinning_ids(me: Account) -> list[int]:
    rows: list[Any] = await Membership.filter(account=me, state="accepted").values_list(
        "twinning_id", flat=True
    )
    return sorted(rows)


async def my_twinnings(me: Account) -> list[int]:
    """Twinnings a person belongs to or follows here: the heart of their home."""
    return sorted(set(await member_twinning_ids(me)) | set(await followed_ids(me, "twinning")))


async def home_items(me: Account) -> QuerySet[ContentItem]:
    """Items of my twinnings and of those I follow here, of the twinnings of other servers I
    follow or belong to, of the people I follow (here and on other servers: a subscription's
    ``group`` may be a person), answers in my twinnings, and what is addressed to me: all of
    it only as far as the visibility rule lets me see, and without what I muted or blocked."""
    twinnings = await my_twinnings(me)
    people = [me.id, *await followed_ids(me, "person")]
    groups: list[Any] = await Subscription.filter(account=me, state="accepted").values_list(
        "group_id", flat=True
    )
    in_twinnings = Subquery(ContentItem.filter(twinning_id__in=twinnings).values("id"))
    addressed = Subquery(Audience.filter(kind=ACCOUNT, account_id=me.id).values("item_id"))
    mine = visible_items(me).filter(
        Q(twinning_id__in=twinnings)
        | Q(author_id__in=people)
        | Q(remote_twinning_id__in=list(groups))
        | Q(remote_author_id__in=list(groups))
        | Q(in_reply_to_id__in=in_twinnings)
        | Q(id__in=addressed)
    )
    return unmuted(mine, me)


@dataclass
class Waiting:
    """What asks for the member's answer."""

    invitations: list[Membership] = field(default_factory=list)
    remote_invitations: list[Subscription] = field(default_factory=list)
    requests: list[Membership] = field(default_factory=list)
    remote_requests: list[RemoteMembership] = field(default_factory=list)
    translations: list[TranslationRequest] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(
            len(rows)
            for rows in (
                self.invitations,
                self.remote_invitations,
                self.requests,
                self.remote_requests,
                self.translations,
            )
        )


async def waiting_for(me: Account) -> Waiting:
    """Invitations to twinnings (here and on other servers), the join requests of the
    twinnings the member moderates (instance admins moderate through the twinning's page),
    and the translations partners asked for that the member can give."""
    moderated: list[Any] = await Membership.filter(
        account=me, state="accepted", role__in=("admin", "moderator")
    ).values_list("twinning_id", flat=True)
    return Waiting(
        invitations=await Membership.filter(account=me, state="invited")
        .prefetch_related("twinning")
        .order_by("-id")
        .limit(MAX_WAITING),
        remote_invitations=await Subscription.filter(account=me, state="invited")
        .prefetch_related("group")
        .order_by("-id")
        .limit(MAX_WAITING),
        requests=await Membership.filter(state="pending", twinning_id__in=moderated)
        .prefetch_related("twinning", "account")
        .order_by("id")
        .limit(MAX_WAITING),
        remote_requests=await RemoteMembership.filter(state="pending", twinning_id__in=moderated)
        .prefetch_related("twinning", "actor")
        .order_by("id")
        .limit(MAX_WAITING),
        translations=(await open_requests_for(me))[:MAX_WAITING],
    )


async def your_tasks(me: Account) -> list[Task]:
    """The home's "Your tasks": open tasks assigned to the member and overdue tasks of their
    twinnings, here and on other servers, in the lists they may see."""
    return await my_tasks(me, datetime.now(UTC).date())
