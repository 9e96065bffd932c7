"""The delivery queue (DESIGN.md section 4). Rows live in ``models.queues.Delivery``; this
module claims due rows, signs and sends them, and decides retries.

- one row per (activity, inbox): followers on one server share its shared inbox;
- network errors, 5xx, 408 and 429 are retried with exponential backoff (honouring
  Retry-After) for three days; other 4xx are final;
- rows of one host go in id order, one at a time per worker, in a line of their own, so a dead
  host only delays itself (``Courier``);
- a host failing for two days is marked unavailable (retried at the longest interval) and is
  revived by any success or any activity it sends us;
- claiming is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never send one row
  twice; on SQLite the single writer lock gives the same guarantee.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from tortoise.expressions import F, Q

from federation.actors import actor_key
from federation.context import Federation, signer_with
from federation.errors import FederationError
from federation.fetch import HOSTS_AT_ONCE, RemoteClient, Signer
from federation.vocabulary import ACTIVITY_JSON
from models.queues import Delivery
from models.remote import Host, netloc_of, now, unblocked

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=12)
GIVE_UP_AFTER = timedelta(days=3)
UNAVAILABLE_AFTER = timedelta(days=2)
RETRIED_STATUSES = frozenset({408, 429})
TICK = 0.02  # seconds between two looks at the lines of a busy worker
STOP_GRACE = 5.0  # seconds a stopping worker lets requests in flight finish


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
                host=netloc_of(inbox),  # two servers on one host are two lines
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


@dataclass(frozen=True, order=True)
class Claimed:
    """What sending a row needs. The claim reads only these columns: building full model
    objects (and parsing their timestamps) cost as much as the HTTP request; a failed row,
    which is rare, is loaded whole when it is rescheduled."""

    id: int
    inbox_url: str
    host: str
    payload: str
    signer: tuple[str, int, str]


_CLAIM = """
UPDATE deliveries SET claim_token = {p}1, claimed_until = {p}2
WHERE id IN (
    SELECT id FROM deliveries
    WHERE state = 'pending' AND next_attempt_at <= {p}3
      AND (claimed_until IS NULL OR claimed_until < {p}3)
    ORDER BY id LIMIT {p}4 {lock})
RETURNING id, inbox_url, host, payload, signer_type, signer_id, signer_key_id
"""
_CLAIM_SQL = {
    "postgres": _CLAIM.format(p="$", lock="FOR UPDATE SKIP LOCKED"),
    "sqlite": _CLAIM.format(p="?", lock=""),
}


async def _claim(limit: int, at: datetime) -> list[Claimed]:
    """Marks up to ``limit`` due rows with a token of ours and returns them, in one statement
    (the ORM has no UPDATE ... RETURNING): one round trip where select, update and re-read
    took five, and on SQLite a single write that waits for the lock rather than a read then a
    write that fails at once when another process wrote in between. On PostgreSQL rows another
    worker holds are skipped (SKIP LOCKED); SQLite has one writer. Either way two workers
    never hold one row."""
    if not await Delivery.filter(_claimable(at)).exists():
        return []  # an idle worker writes nothing (on SQLite even an empty UPDATE locks)
    db = Delivery._meta.db
    sql = _CLAIM_SQL[db.capabilities.dialect]
    rows = await db.execute_query_dict(sql, [uuid.uuid4().hex, at + LEASE, at, limit])
    return sorted(
        Claimed(
            r["id"],
            r["inbox_url"],
            r["host"],
            r["payload"],
            (r["signer_type"], r["signer_id"], r["signer_key_id"]),
        )
        for r in rows
    )


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


async def _record_done(ids: list[int], hosts: list[str]) -> None:
    """One write for many successes, and revival of hosts that were failing."""
    if ids:
        await Delivery.filter(id__in=ids).update(
            state="done", attempts=F("attempts") + 1, claim_token="", claimed_until=None
        )
    if hosts:
        await Host.filter(host__in=hosts, failing_since__not_isnull=True).update(
            failing_since=None, unavailable=False
        )


class Courier:
    """Sends claimed rows: one line per host, each line sent in id order, at most
    HOSTS_AT_ONCE lines at once. Rows claimed while their host's line is still running join
    its end, so order holds, and nothing waits for a slow host but that host's own rows."""

    def __init__(self, fed: Federation) -> None:
        self.fed = fed
        self.lines: dict[str, deque[Claimed]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(HOSTS_AT_ONCE)
        self.signers: Signers = {}
        self.sent: list[int] = []
        self.answered: set[str] = set()

    @property
    def queued(self) -> int:
        return sum(len(line) for line in self.lines.values())

    async def take(self, rows: list[Claimed], at: datetime) -> None:
        await self._load_signers(rows)
        for row in rows:
            if row.host in self.lines:
                self.lines[row.host].append(row)
                continue
            self.lines[row.host] = deque([row])
            task = asyncio.create_task(self._run_line(row.host, at))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _load_signers(self, rows: list[Claimed]) -> None:
        """Each key is read once, before its rows start (read by the lines themselves, the
        concurrent lines would all miss at once and each read it), and kept as long as the
        courier: our actors' keys never change once stored (``models.keys.keep_key``)."""
        for signer_type, signer_id, key_id in {row.signer for row in rows} - self.signers.keys():
            key = await actor_key(signer_type, signer_id)
            self.signers[signer_type, signer_id, key_id] = signer_with(key_id, key.private_pem)

    async def _run_line(self, host: str, at: datetime) -> None:
        """After a failure the host's later rows are released unsent: they wait for the next
        claim rather than overtake the failed one."""
        line = self.lines[host]
        try:
            async with self.slots:
                while line:
                    if not await _send(self.fed.client, line[0], at, self.signers):
                        line.popleft()
                        break
                    self.sent.append(line.popleft().id)
                    self.answered.add(host)
        except Exception:  # a database error; the rows go back to the queue
            log.exception("delivery to %s failed", host)
        finally:
            del self.lines[host]  # before any await: rows claimed from now on start a new line
            await _release([row.id for row in line])

    async def wait(self, seconds: float | None = None) -> None:
        """Until every line is done, or one line is done when ``seconds`` is given."""
        if self.tasks:
            mode = asyncio.FIRST_COMPLETED if seconds else asyncio.ALL_COMPLETED
            await asyncio.wait(set(self.tasks), timeout=seconds, return_when=mode)

    async def close(self, grace: float) -> None:
        if self.tasks:
            _, late = await asyncio.wait(set(self.tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.record()

    async def record(self) -> int:
        """Writes what was sent since the last call, in one statement; returns how many."""
        sent, answered = self.sent, self.answered
        self.sent, self.answered = [], set()
        await _record_done(sent, sorted(answered))
        return len(sent)


async def _release(ids: list[int]) -> None:
    if ids:
        await Delivery.filter(id__in=ids).update(claim_token="", claimed_until=None)


async def deliver_due(fed: Federation, limit: int = 200, at: datetime | None = None) -> int:
    """One queue cycle, for tests and benchmarks: claims due rows, sends them all, and returns
    how many were delivered."""
    at = at or now()
    courier = Courier(fed)
    await courier.take(await _claim(limit, at), at)
    await courier.wait()
    return await courier.record()


async def deliver_continuously(
    fed: Federation, stop: asyncio.Event, limit: int = 200, idle: float = 1.0
) -> None:
    """The worker's delivery loop: claims ``limit`` more rows whenever half of them have
    left the lines, so hosts are kept busy without waiting for the slowest one of a batch,
    and records what was sent in batches. On stop, lines get a few seconds to finish; the
    rest are cancelled and their rows released."""
    courier = Courier(fed)
    recorded_at = time.monotonic()
    try:
        while not stop.is_set():
            hungry = False
            if courier.queued <= limit // 2:
                rows = await _claim(limit, now())
                await courier.take(rows, now())
                hungry = not rows
            if len(courier.sent) >= limit // 2 or time.monotonic() - recorded_at > 1:
                await courier.record()
                recorded_at = time.monotonic()
            if hungry:  # nothing due: wake when a line ends or after ``idle``
                await courier.wait(idle)
                if not courier.tasks:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), idle)
            else:
                await asyncio.sleep(TICK)
    finally:
        await courier.close(grace=STOP_GRACE)
