"""The delivery queue (DESIGN.md section 4). Rows live in ``models.queues.Delivery``; this
module claims due rows, signs and sends them, and decides retries.

- one row per (activity, inbox): followers on one server share its shared inbox;
- network errors, 5xx, 408 and 429 are retried with exponential backoff (honouring
  Retry-After) for three days; other 4xx are final;
- rows of one host go in id order, one at a time per worker, so a dead host only delays itself;
- a host failing for two days is marked unavailable (retried at the longest interval) and is
  revived by any success or any activity it sends us;
- claiming is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never send one row
  twice; on SQLite the single writer lock gives the same guarantee.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from federation.actors import actor_key
from federation.context import Federation, signer_with
from federation.errors import FederationError
from federation.fetch import HOSTS_AT_ONCE, RemoteClient, Signer
from federation.vocabulary import ACTIVITY_JSON
from models.queues import Delivery
from models.remote import Host, host_of, now, unblocked

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=12)
GIVE_UP_AFTER = timedelta(days=3)
UNAVAILABLE_AFTER = timedelta(days=2)
RETRIED_STATUSES = frozenset({408, 429})


async def enqueue(
    activity: dict[str, Any],
    signer_type: str,
    signer_id: int,
    signer_key_id: str,
    inboxes: list[str],
) -> int:
    """Queues the activity once per distinct inbox, skipping blocked domains."""
    payload = json.dumps(activity, ensure_ascii=False)
    rows = []
    for inbox in await unblocked(sorted(set(inboxes))):
        rows.append(
            Delivery(
                activity_uri=activity["id"],
                payload=payload,
                inbox_url=inbox,
                host=host_of(inbox),
                signer_type=signer_type,
                signer_id=signer_id,
                signer_key_id=signer_key_id,
                next_attempt_at=now(),
            )
        )
    await Delivery.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _claimable(at: datetime) -> Q:
    return Q(state="pending", next_attempt_at__lte=at) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=at)
    )


Signers = dict[tuple[str, int, str], Signer]


@dataclass(frozen=True)
class Claimed:
    """What sending a row needs. The claim reads only these columns: building full model
    objects (and parsing their timestamps) cost as much as the HTTP request; a failed row,
    which is rare, is loaded whole when it is rescheduled."""

    id: int
    inbox_url: str
    host: str
    payload: str
    signer: tuple[str, int, str]


async def _claim(limit: int, at: datetime) -> list[Claimed]:
    """Marks up to ``limit`` due rows with a token of ours and returns them. Rows another
    worker holds are skipped (SKIP LOCKED), and the marking re-checks that each row is still
    claimable, so two workers never hold one row."""
    token = uuid.uuid4().hex
    async with in_transaction() as tx:
        due = Delivery.filter(_claimable(at)).order_by("id").limit(limit).using_db(tx)
        if tx.capabilities.dialect == "postgres":
            due = due.select_for_update(skip_locked=True)
        ids = list(await due.values_list("id", flat=True))
        if not ids:
            # An idle worker writes nothing: on SQLite even an empty UPDATE takes the write
            # lock, and another process's transaction begun before it then fails as "locked".
            return []
        await (
            Delivery.filter(_claimable(at), id__in=ids)
            .using_db(tx)
            .update(claim_token=token, claimed_until=at + LEASE)
        )
    rows = (
        await Delivery.filter(claim_token=token)
        .order_by("id")
        .values_list(
            "id", "inbox_url", "host", "payload", "signer_type", "signer_id", "signer_key_id"
        )
    )
    return [Claimed(r[0], r[1], r[2], r[3], (r[4], r[5], r[6])) for r in rows]


def _retry_after(value: str | None, at: datetime) -> timedelta | None:
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        return parsedate_to_datetime(value) - at
    except (TypeError, ValueError):
        return None


async def _host_failed(host: str, at: datetime) -> bool:
    """Records a failure; True when the host has now been failing long enough to give up on."""
    row, _ = await Host.get_or_create(host=host, defaults={"failing_since": at})
    if row.failing_since is None:
        row.failing_since = at
    row.unavailable = at - row.failing_since >= UNAVAILABLE_AFTER
    await row.save()
    return row.unavailable


async def _reschedule(
    claimed: Claimed, error: str, at: datetime, retry_after: timedelta | None, final: bool
) -> None:
    row = await Delivery.get(id=claimed.id)
    row.attempts += 1
    row.last_error = error[:1000]
    row.claim_token, row.claimed_until = "", None
    unavailable = await _host_failed(row.host, at)
    if final or at - row.created_at > GIVE_UP_AFTER:
        row.state = "failed"
    else:
        delay = min(FIRST_RETRY * 2 ** (row.attempts - 1), LONGEST_RETRY)
        if unavailable:
            delay = LONGEST_RETRY
        row.next_attempt_at = at + max(delay, retry_after or timedelta(0))
    await row.save()


async def _signers(rows: list[Claimed]) -> Signers:
    """The cycle's signers, each key read once before any host starts (read lazily, the
    concurrent hosts would all miss at once and each read it)."""
    signers = {}
    for signer_type, signer_id, key_id in {row.signer for row in rows}:
        key = await actor_key(signer_type, signer_id)
        signers[signer_type, signer_id, key_id] = signer_with(key_id, key.private_pem)
    return signers


async def _send(client: RemoteClient, row: Claimed, at: datetime, signers: Signers) -> bool:
    try:
        answer = await client.request(
            "POST",
            row.inbox_url,
            body=row.payload.encode(),
            headers={"Content-Type": ACTIVITY_JSON, "Accept": ACTIVITY_JSON},
            signer=signers[row.signer],
        )
    except FederationError as exc:
        await _reschedule(row, exc.message, at, None, final=False)
        return False
    if 200 <= answer.status < 300:
        return True
    retried = answer.status >= 500 or answer.status in RETRIED_STATUSES
    wait = _retry_after(answer.headers.get("retry-after"), at)
    await _reschedule(row, f"HTTP {answer.status}", at, wait, final=not retried)
    return False


async def _deliver_host(
    fed: Federation,
    rows: list[Claimed],
    at: datetime,
    signers: Signers,
) -> list[int]:
    """In order; after a failure the host's later rows wait, so order is kept. Returns the
    ids delivered."""
    sent = []
    for index, row in enumerate(rows):
        if not await _send(fed.client, row, at, signers):
            later = [r.id for r in rows[index + 1 :]]
            await Delivery.filter(id__in=later).update(claim_token="", claimed_until=None)
            break
        sent.append(row.id)
    return sent


async def _record_done(ids: list[int], hosts: list[str]) -> None:
    """One write for the whole cycle's successes, and revival of hosts that were failing."""
    if ids:
        await Delivery.filter(id__in=ids).update(
            state="done", attempts=F("attempts") + 1, claim_token="", claimed_until=None
        )
    if hosts:
        await Host.filter(host__in=hosts, failing_since__not_isnull=True).update(
            failing_since=None, unavailable=False
        )


async def deliver_due(fed: Federation, limit: int = 200, at: datetime | None = None) -> int:
    """One queue cycle: claims due rows and sends them, hosts in parallel. Returns how many
    were delivered."""
    at = at or now()
    rows = await _claim(limit, at)
    by_host: dict[str, list[Claimed]] = defaultdict(list)
    for row in rows:
        by_host[row.host].append(row)
    signers = await _signers(rows)
    slots = asyncio.Semaphore(HOSTS_AT_ONCE)

    async def deliver_host(group: list[Claimed]) -> list[int]:
        async with slots:
            return await _deliver_host(fed, group, at, signers)

    results = await asyncio.gather(*(deliver_host(group) for group in by_host.values()))
    done = [row_id for ids in results for row_id in ids]
    await _record_done(done, [host for host, ids in zip(by_host, results, strict=True) if ids])
    return len(done)
