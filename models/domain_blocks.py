"""Blocking a remote domain, and lifting the block, with what follows at once: the domain's
accepted memberships are suspended (they stop counting for the visibility rule and for
deliveries) and its pending deliveries are given up; lifting the block makes the suspended
memberships accepted again. Both the CLI and the admin page call these, and both tell the
admin what the block did.

While a block stands, the inbox refuses the domain's activities, requests signed by its keys
are refused, its documents are not fetched and nothing new is queued for it (the federation
layer checks ``models.remote.block_of``)."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.follows import Follow
from models.queues import Delivery
from models.remote import (
    DomainBlock,
    RemoteActor,
    RemoteMembership,
    Subscription,
    block_of,
    host_of,
)

GIVEN_UP = "the domain is blocked"


@dataclass(frozen=True)
class BlockEffects:
    """What a block touches: memberships suspended (or made active again), follows between
    our people and the domain's (kept, but nothing flows while the block stands), and
    deliveries given up."""

    memberships: int = 0
    follows: int = 0
    deliveries: int = 0


def _covered(domain: str) -> Q:
    """Actors on the domain or any subdomain of it, as ``block_of`` decides."""
    return Q(domain=domain) | Q(domain__endswith=f".{domain}")


def _is_within(host: str, domain: str) -> bool:
    return host == domain or host.endswith(f".{domain}")


async def _follows_of(actor_ids: list[int]) -> int:
    followers = await Follow.filter(follower_id__in=actor_ids).count()
    return followers + await Subscription.filter(group_id__in=actor_ids).count()


async def _give_up_deliveries(domain: str) -> int:
    hosts = await Delivery.filter(state="pending").distinct().values_list("host", flat=True)
    covered = [h for h in hosts if _is_within(host_of(f"//{h}"), domain)]
    if not covered:
        return 0
    return await Delivery.filter(state="pending", host__in=covered).update(
        state="failed", claimed_until=None, last_error=GIVEN_UP
    )


async def block_domain(domain: str, severity: str, reason: str) -> BlockEffects:
    """Blocks ``domain`` and its subdomains (or changes the block's severity or reason)."""
    async with in_transaction():
        await DomainBlock.update_or_create(
            domain=domain, defaults={"severity": severity, "reason": reason[:500]}
        )
        ids = [a.id for a in await RemoteActor.filter(_covered(domain)).only("id")]
        memberships = await _move(
            RemoteMembership.filter(actor_id__in=ids, state="accepted"), "suspended"
        )
        deliveries = await _give_up_deliveries(domain)
        return BlockEffects(memberships, await _follows_of(ids), deliveries)


async def _move(memberships: QuerySet[RemoteMembership], state: str) -> int:
    """Counted before the update: on SQLite tortoise counts an update's rows by the
    connection's ``total_changes``, which also counts the rows our cache-invalidation
    triggers touch (``models.public_changes``)."""
    count = await memberships.count()
    await memberships.update(state=state)
    return count


async def lift_block(domain: str) -> BlockEffects | None:
    """Lifts the block of ``domain`` (None when there was none); the memberships it suspended
    are accepted again, unless another block (of a parent domain) still covers them."""
    async with in_transaction():
        if not await DomainBlock.filter(domain=domain).delete():
            return None
        freed = []
        for actor in await RemoteActor.filter(_covered(domain)):
            if await block_of(actor.uri) is None:
                freed.append(actor.id)
        memberships = await _move(
            RemoteMembership.filter(actor_id__in=freed, state="suspended"), "accepted"
        )
        return BlockEffects(memberships, await _follows_of(freed))


async def effects_of_blocks(domains: list[str]) -> dict[str, BlockEffects]:
    """For the admin page: what each standing block holds back now (suspended memberships and
    follows of the domain's actors), with four queries for all blocks together."""
    if not domains:
        return {}
    covering = Q(*[_covered(d) for d in domains], join_type="OR")
    host_of_actor = {
        a.id: a.domain for a in await RemoteActor.filter(covering).only("id", "domain")
    }
    ids = list(host_of_actor)
    suspended = [
        m.actor_id
        for m in await RemoteMembership.filter(actor_id__in=ids, state="suspended").only("actor_id")
    ]
    follows = [f.follower_id for f in await Follow.filter(follower_id__in=ids).only("follower_id")]
    follows += [s.group_id for s in await Subscription.filter(group_id__in=ids).only("group_id")]

    def count(actor_ids: list[int], domain: str) -> int:
        return sum(1 for a in actor_ids if _is_within(host_of_actor[a], domain))

    return {d: BlockEffects(count(suspended, d), count(follows, d)) for d in domains}
