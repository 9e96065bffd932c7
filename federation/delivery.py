"""The delivery queue (DESIGN.md section 4). Rows live in ``models.queues.Delivery``; this
module claims due rows, signs and sends them, and decides retries.

- one row per (activity, inbox): followers on one server share its shared inbox;
- network errors, 5xx, 408 and 429 are retried with exponential backoff (honouring
  Retry-After) for three days; other 4xx are final;
- rows of one host go in id order, one at a time per worker, in a line of their own, so a slow
  host only delays itself (``Courier``); the claim skips hosts whose line is still running, so
  a line never holds up the claim loop;
- a failing host is held back as a whole, then probed with one row at a time, on slots of its
  own (``federation.host_health``), so dead hosts never take the slots of healthy ones;
- every request has connect and read timeouts (``federation.fetch``), so a host that accepts
  and never answers costs seconds, not minutes;
- claiming is ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers never send one row
  twice; on SQLite the single writer lock gives the same guarantee. Claims are short leases,
  renewed while a row is in flight (``federation.leases``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from tortoise.expressions import F

from federation import host_health
from federation.actors import actor_key
from federation.context import Federation, signer_with
from federation.errors import FederationError
from federation.fetch import HOSTS_AT_ONCE, RemoteClient, Signer
from federation.leases import LEASE, worker_id
from federation.vocabulary import ACTIVITY_JSON
from models.queues import Delivery
from models.remote import netloc_of, now, unblocked

log = logging.getLogger(__name__)
GIVE_UP_AFTER = timedelta(days=3)
RETRIED_STATUSES = frozenset({408, 429})
TICK = 0.02  # seconds between two claims while rows keep coming
STOP_GRACE = 5.0  # seconds a stopping worker lets requests in flight finish
PROBE_SLOTS = 8  # lines to failing hosts at once, apart from the HOSTS_AT_ONCE of the others
MAX_HELD = 5000  # rows a worker holds in its lines at once


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
    _arrivals().set()
    return len(rows)


_arrival_events: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}


def _arrivals() -> asyncio.Event:
    """Set when this process queues rows, so its delivery loop claims them at once instead of
    at its next look (rows queued by other processes are found by that look)."""
    loop = asyncio.get_running_loop()
    if loop not in _arrival_events:
        _arrival_events[loop] = asyncio.Event()
    return _arrival_events[loop]


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


# Due, not leased, its host neither held back after failures nor busy in this worker's lines.
_DUE = """state = 'pending' AND next_attempt_at <= {p}{at}
      AND (claimed_until IS NULL OR claimed_until < {p}{at})
      AND host NOT IN (SELECT host FROM hosts WHERE retry_at > {p}{at})
      AND host NOT IN ({busy})"""
_BUSY = {
    "postgres": "SELECT unnest({p}{n}::text[])",
    "sqlite": "SELECT value FROM json_each({p}{n})",
}
_PLACEHOLDER = {"postgres": "$", "sqlite": "?"}
_LOCK = {"postgres": "FOR UPDATE SKIP LOCKED", "sqlite": ""}


def _due(dialect: str, at: int, busy: int) -> str:
    p = _PLACEHOLDER[dialect]
    return _DUE.format(p=p, at=at, busy=_BUSY[dialect].format(p=p, n=busy))


def _claim_sql(dialect: str) -> str:
    p = _PLACEHOLDER[dialect]
    return f"""
UPDATE deliveries SET claim_token = {p}1, claimed_until = {p}2, claimed_by = {p}3
WHERE id IN (
    SELECT id FROM deliveries WHERE {_due(dialect, 5, 6)}
    ORDER BY id LIMIT {p}4 {_LOCK[dialect]})
RETURNING id, inbox_url, host, payload, signer_type, signer_id, signer_key_id
"""


def _busy_param(dialect: str, busy: list[str]) -> object:
    return busy if dialect == "postgres" else json.dumps(busy)


async def _claim(limit: int, at: datetime, busy: list[str] | None = None) -> list[Claimed]:
    """Marks up to ``limit`` due rows with a token of ours and returns them, in one statement
    (the ORM has no UPDATE ... RETURNING): one round trip where select, update and re-read
    took five, and on SQLite a single write that waits for the lock rather than a read then a
    write that fails at once when another process wrote in between. On PostgreSQL rows another
    worker holds are skipped (SKIP LOCKED); SQLite has one writer. Either way two workers
    never hold one row. Rows of the ``busy`` hosts (lines still running here) wait for the
    next claim after their line ends."""
    db = Delivery._meta.db
    dialect = db.capabilities.dialect
    hosts = _busy_param(dialect, busy or [])
    probe = f"SELECT 1 FROM deliveries WHERE {_due(dialect, 1, 2)} LIMIT 1"
    if not (await db.execute_query_dict(probe, [at, hosts])):
        return []  # an idle worker writes nothing (on SQLite even an empty UPDATE locks)
    values = [uuid.uuid4().hex, at + LEASE, worker_id(), limit, at, hosts]
    rows = await db.execute_query_dict(_claim_sql(dialect), values)
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


async def _probes_only(rows: list[Claimed], at: datetime) -> tuple[list[Claimed], set[str]]:
    """Of the rows of failing hosts, keeps the first of each host whose probe this worker took
    and releases the rest. Returns the rows to send and the hosts being probed."""
    failing = await host_health.failing_among({row.host for row in rows})
    if not failing:
        return rows, set()
    probes = {host for host in sorted(failing) if await host_health.take_probe(host, at)}
    kept, released, seen = [], [], set()
    for row in rows:
        if row.host not in failing or (row.host in probes and row.host not in seen):
            kept.append(row)
            seen.add(row.host)
        else:
            released.append(row.id)
    await _release(released)
    return kept, probes


def _retry_after(value: str | None, at: datetime) -> timedelta | None:
    if not value:
        return None
    if value.strip().isdigit():
        return timedelta(seconds=int(value.strip()))
    try:
        return parsedate_to_datetime(value) - at
    except (TypeError, ValueError):
        return None


async def _reschedule(
    claimed: Claimed, error: str, at: datetime, retry_after: timedelta | None
) -> None:
    """A failure of the host (unreachable, 5xx, 408, 429): the row is retried no sooner than
    the host is, with a backoff of its own, until it is three days old."""
    row = await Delivery.get(id=claimed.id)
    row.attempts += 1
    row.last_error = error[:1000]
    row.claim_token, row.claimed_until, row.claimed_by = "", None, ""
    host_retry = await host_health.failed(row.host, at, retry_after)
    if at - row.created_at > GIVE_UP_AFTER:
        row.state = "failed"
    else:
        row.next_attempt_at = max(at + host_health.backoff(row.attempts), host_retry)
    await row.save()


async def _refused(claimed: Claimed, error: str) -> None:
    """A final answer (404, 410, 401...): the row is dropped, the host is well."""
    await Delivery.filter(id=claimed.id).update(
        state="failed",
        attempts=F("attempts") + 1,
        last_error=error[:1000],
        claim_token="",
        claimed_until=None,
        claimed_by="",
    )


SENT, REFUSED, FAILED = "sent", "refused", "failed"


async def _send(client: RemoteClient, row: Claimed, at: datetime, signers: Signers) -> str:
    try:
        answer = await client.request(
            "POST",
            row.inbox_url,
            body=row.payload.encode(),
            headers={"Content-Type": ACTIVITY_JSON, "Accept": ACTIVITY_JSON},
            signer=signers[row.signer],
        )
    except FederationError as exc:
        await _reschedule(row, exc.message, at, None)
        return FAILED
    if 200 <= answer.status < 300:
        return SENT
    if answer.status >= 500 or answer.status in RETRIED_STATUSES:
        wait = _retry_after(answer.headers.get("retry-after"), at)
        await _reschedule(row, f"HTTP {answer.status}", at, wait)
        return FAILED
    await _refused(row, f"HTTP {answer.status}")
    return REFUSED


async def _record_done(ids: list[int], hosts: list[str]) -> None:
    """One write for many successes, and revival of hosts that were failing."""
    if ids:
        await Delivery.filter(id__in=ids).update(
            state="done",
            attempts=F("attempts") + 1,
            claim_token="",
            claimed_until=None,
            claimed_by="",
        )
    await host_health.revive(hosts)


class Courier:
    """Sends claimed rows: one line per host, each line sent in id order. Lines take slots
    from three pools: HOSTS_AT_ONCE for hosts that answered this courier, as many again for
    hosts it has not heard from yet (a wave of hosts that hang cannot take the slots of those
    known to answer), and PROBE_SLOTS for probes of failing hosts. While a host's line runs,
    its new rows stay in the queue (``claim`` skips the host), so a line that hangs holds one
    row and nothing waits for a slow host but that host's own rows."""

    def __init__(self, fed: Federation) -> None:
        self.fed = fed
        self.lines: dict[str, deque[Claimed]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(HOSTS_AT_ONCE)
        self.new_slots = asyncio.Semaphore(HOSTS_AT_ONCE)
        self.probe_slots = asyncio.Semaphore(PROBE_SLOTS)
        self.well: set[str] = set()  # hosts whose last answer to this courier was not a failure
        self.signers: Signers = {}
        self.sent: list[int] = []
        self.answered: set[str] = set()

    @property
    def queued(self) -> int:
        return sum(len(line) for line in self.lines.values())

    async def claim(self, limit: int, at: datetime) -> int:
        """Claims due rows of hosts with no line here and starts their lines."""
        rows, probes = await _probes_only(await _claim(limit, at, sorted(self.lines)), at)
        await self.take(rows, at, probes)
        return len(rows)

    async def take(self, rows: list[Claimed], at: datetime, probes: set[str]) -> None:
        await self._load_signers(rows)
        for row in rows:
            if row.host in self.lines:
                self.lines[row.host].append(row)
                continue
            self.lines[row.host] = deque([row])
            slots = self.slots if row.host in self.well else self.new_slots
            if row.host in probes:
                slots = self.probe_slots
            task = asyncio.create_task(self._run_line(row.host, at, slots))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _load_signers(self, rows: list[Claimed]) -> None:
        """Each key is read once, before its rows start (read by the lines themselves, the
        concurrent lines would all miss at once and each read it), and kept as long as the
        courier: our actors' keys never change once stored (``models.keys.keep_key``)."""
        for signer_type, signer_id, key_id in {row.signer for row in rows} - self.signers.keys():
            key = await actor_key(signer_type, signer_id)
            self.signers[signer_type, signer_id, key_id] = signer_with(key_id, key.private_pem)

    async def _run_line(self, host: str, at: datetime, slots: asyncio.Semaphore) -> None:
        """After a failure the host's later rows are released unsent: the host is held back
        now, and they wait for its retry rather than overtake the failed one."""
        line = self.lines[host]
        try:
            async with slots:
                while line:
                    outcome = await _send(self.fed.client, line[0], at, self.signers)
                    row = line.popleft()
                    if outcome == FAILED:
                        self.well.discard(host)
                        break
                    self.well.add(host)
                    self.answered.add(host)
                    if outcome == SENT:
                        self.sent.append(row.id)
        except Exception:  # a database error; the rows go back to the queue
            log.exception("delivery to %s failed", host)
        finally:
            del self.lines[host]  # before any await: rows claimed from now on start a new line
            await _release([row.id for row in line])

    async def wait(self) -> None:
        """Until every line is done."""
        if self.tasks:
            await asyncio.wait(set(self.tasks))

    async def idle(self, seconds: float, stop: asyncio.Event) -> None:
        """Until a line ends (its host's next rows may be claimed), rows are queued in this
        process, ``stop`` is set, or ``seconds`` pass."""
        helpers = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(_arrivals().wait())]
        try:
            await asyncio.wait(
                {*self.tasks, *helpers}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for helper in helpers:
                helper.cancel()

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
        await Delivery.filter(id__in=ids).update(claim_token="", claimed_until=None, claimed_by="")


async def deliver_due(fed: Federation, limit: int = 200, at: datetime | None = None) -> int:
    """One queue cycle, for tests and benchmarks: claims due rows, sends them all, and returns
    how many were delivered."""
    courier = Courier(fed)
    await courier.claim(limit, at or now())
    await courier.wait()
    return await courier.record()


async def deliver_continuously(
    fed: Federation, stop: asyncio.Event, limit: int = 200, idle: float = 1.0
) -> None:
    """The worker's delivery loop: claims more rows as soon as there are due rows of hosts
    with no running line, so a host's new rows go out without waiting for another host, and
    records what was sent in batches. On stop, lines get a few seconds to finish; the rest
    are cancelled and their rows released."""
    courier = Courier(fed)
    recorded_at = time.monotonic()
    try:
        while not stop.is_set():
            _arrivals().clear()
            claimed = await courier.claim(limit, now()) if courier.queued < MAX_HELD else 0
            if len(courier.sent) >= limit // 2 or time.monotonic() - recorded_at > 1:
                await courier.record()
                recorded_at = time.monotonic()
            if claimed:
                await asyncio.sleep(TICK)
            else:  # nothing claimable: wake when a line ends, rows arrive, or after ``idle``
                await courier.idle(idle, stop)
    finally:
        await courier.close(grace=STOP_GRACE)
