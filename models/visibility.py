"""The visibility rule (DESIGN.md section 3), the only place that decides who sees an item.

An item's audience is computed once, when it is made, and stored as ``Audience`` rows. Every
surface then asks through one of the two faces below, which must agree (a matrix test holds them
together):

- ``visible_items(viewer)``: the rule as a query filter, for lists, search and pagination;
- ``may_view(viewer, item)``: the rule for one item.

Viewers who are anonymous, pending or suspended see public items only. Items of suspended authors
are hidden from everyone. Instance admins get no exception: partner-only means members only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.content import Audience, ContentItem
from models.remote import RemoteActor, RemoteMembership
from models.twinnings import Membership, Twinning

PUBLIC = "public"
MEMBERS = "members"
ACCOUNT = "account"


def audience_of(item: ContentItem) -> list[Audience]:
    """Public items reach everyone; partner-only items the twinning's members and the author."""
    if item.visibility == "public":
        return [Audience(item=item, kind=PUBLIC)]
    rows = []
    if item.author_id is not None:
        rows.append(Audience(item=item, kind=ACCOUNT, account_id=item.author_id))
    if item.twinning_id is not None:
        rows.append(Audience(item=item, kind=MEMBERS, twinning_id=item.twinning_id))
    return rows


async def store_audience(item: ContentItem, addressed: Sequence[int] = ()) -> None:
    """``addressed``: our people a non-public item of another server is addressed to by name
    (a direct or limited post, or a twinning of another server writing to its members). They,
    and only they, may see it: this server never widens it to whoever it believes belongs to
    that twinning. An answer reaches whom its thread reaches, except an answer from another
    server in another server's partner-only thread, which reaches those it names."""
    await Audience.filter(item=item).delete()
    if item.in_reply_to_id is not None:
        root = await ContentItem.get(id=item.in_reply_to_id)
        if item.uri is None or root.uri is None or root.visibility == "public":
            rows = await Audience.filter(item_id=root.id)
            await Audience.bulk_create(
                [
                    Audience(
                        item=item, kind=r.kind, twinning_id=r.twinning_id, account_id=r.account_id
                    )
                    for r in rows
                ]
            )
            return
    rows = audience_of(item) if item.in_reply_to_id is None else []
    if item.visibility != "public":
        rows += [Audience(item=item, kind=ACCOUNT, account_id=i) for i in sorted(set(addressed))]
    await Audience.bulk_create(rows)


async def forget_remote_twinning(account_id: int, group_id: int) -> None:
    """Who no longer belongs to another server's twinning loses its partner-only items here,
    as a member leaving one of ours does (their own answers stay theirs)."""
    items = ContentItem.filter(remote_twinning_id=group_id).values("id")
    roots = Subquery(items)
    others = Q(author_id__isnull=True) | Q(author_id__not=account_id)
    answers = ContentItem.filter(others, in_reply_to_id__in=Subquery(items))
    for ids in (roots, Subquery(answers.values("id"))):
        await Audience.filter(kind=ACCOUNT, account_id=account_id, item_id__in=ids).delete()


def _counts(viewer: Account | None) -> Account | None:
    return viewer if viewer is not None and viewer.is_active else None


def _member_twinnings(viewer: Account) -> Subquery:
    return Subquery(Membership.filter(account_id=viewer.id, state="accepted").values("twinning_id"))


def visible_items(viewer: Account | None) -> QuerySet[ContentItem]:
    """Every item ``viewer`` may see, as one indexed condition to refine further."""
    viewer = _counts(viewer)
    condition = Q(kind=PUBLIC)
    if viewer is not None:
        condition |= Q(kind=MEMBERS, twinning_id__in=_member_twinnings(viewer))
        condition |= Q(kind=ACCOUNT, account_id=viewer.id)
    suspended_remote = RemoteActor.filter(suspended_at__not_isnull=True).values("id")
    return ContentItem.filter(id__in=Subquery(Audience.filter(condition).values("item_id"))).filter(
        Q(author_id__isnull=True)
        | Q(author_id__not_in=Subquery(Account.filter(state="suspended").values("id"))),
        Q(remote_author_id__isnull=True) | Q(remote_author_id__not_in=Subquery(suspended_remote)),
    )


async def _author_suspended(item: ContentItem) -> bool:
    """A suspended author, of here or of another server, is seen by no one."""
    if item.remote_author_id is not None:
        remote = RemoteActor.filter(id=item.remote_author_id, suspended_at__not_isnull=True)
        if await remote.exists():
            return True
    if item.author_id is None:
        return False
    return await Account.filter(id=item.author_id, state="suspended").exists()


async def member_twinning_ids(viewer: Account | None) -> set[int]:
    viewer = _counts(viewer)
    if viewer is None:
        return set()
    rows: list[Any] = await Membership.filter(account_id=viewer.id, state="accepted").values_list(
        "twinning_id", flat=True
    )
    return set(rows)


async def may_view(viewer: Account | None, item: ContentItem) -> bool:
    viewer = _counts(viewer)
    if await _author_suspended(item):
        return False
    rows = await Audience.filter(item_id=item.id)
    twinnings = await member_twinning_ids(viewer)
    for row in rows:
        if row.kind == PUBLIC:
            return True
        if row.kind == MEMBERS and row.twinning_id in twinnings:
            return True
        if row.kind == ACCOUNT and viewer is not None and row.account_id == viewer.id:
            return True
    return False


async def may_remote_actor_view(actor_uri: str, item: ContentItem) -> bool:
    """The rule for a signed fetch by a remote actor: public items, or partner-only items of a
    twinning the actor is an accepted member of."""
    if await _author_suspended(item):
        return False
    member_of = set(
        await RemoteMembership.filter(actor__uri=actor_uri, state="accepted").values_list(
            "twinning_id", flat=True
        )
    )
    for row in await Audience.filter(item_id=item.id):
        if row.kind == PUBLIC or (row.kind == MEMBERS and row.twinning_id in member_of):
            return True
    return False


async def may_see_members(viewer: Account | None, twinning: Twinning) -> bool:
    """The member list of a twinning is for its members (and instance admins, who moderate)."""
    viewer = _counts(viewer)
    if viewer is None:
        return False
    return viewer.is_admin or twinning.id in await member_twinning_ids(viewer)


async def may_remote_actor_see_members(actor_uri: str, twinning_id: int) -> bool:
    """The member list is for members: on another server, an accepted member's signed fetch."""
    return await RemoteMembership.filter(
        twinning_id=twinning_id, actor__uri=actor_uri, state="accepted"
    ).exists()


async def may_see_follows(viewer: Account | None, owner: Account | Twinning) -> bool:
    """Who follows (or is followed by) a person is theirs to see; a twinning's followers are its
    members' to see. Like the ActivityPub collections, these lists are not public."""
    viewer = _counts(viewer)
    if viewer is None:
        return False
    if isinstance(owner, Account):
        return owner.id == viewer.id
    return owner.id in await member_twinning_ids(viewer)


async def may_thread_holder_view(actor_uri: str | None, root: ContentItem) -> bool:
    """Our answer in another server's thread: public threads are public; a partner-only one is
    for the servers holding it (its author and the group it came through), fetching signed."""
    if root.visibility == "public":
        return True
    ids = [i for i in (root.remote_author_id, root.remote_twinning_id) if i is not None]
    return actor_uri is not None and await RemoteActor.filter(id__in=ids, uri=actor_uri).exists()
