"""How the delivery queue treats a remote host that fails (``models.remote.Host``).

A failure holds the whole host back until ``retry_at``, with a backoff that doubles with each
failure in a row (and honours Retry-After); meanwhile the claim skips its rows, so a dead
host costs one request per backoff instead of one per row, and never a worker's slots. When
``retry_at`` comes, one worker takes the probe (``take_probe``) and sends one row; the others
leave the host alone. Any success (or any activity the host sends us) revives it. A host
failing for two days is marked unavailable and probed at the longest interval."""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.expressions import Q

from models.remote import Host

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=12)
UNAVAILABLE_AFTER = timedelta(days=2)
PROBE_HOLD = timedelta(seconds=30)  # others keep off while a probe is in flight


def backoff(failures: int) -> timedelta:
    """After the n-th failure in a row: 30 s, 1 min, 2 min... up to 12 hours."""
    return min(FIRST_RETRY * 2 ** max(failures - 1, 0), LONGEST_RETRY)


async def failed(host: str, at: datetime, retry_after: timedelta | None) -> datetime:
    """Records a failure and returns when the host may be tried again."""
    row, _ = await Host.get_or_create(host=host, defaults={"failing_since": at})
    if row.failing_since is None:
        row.failing_since = at
    row.failures += 1
    row.unavailable = at - row.failing_since >= UNAVAILABLE_AFTER
    delay = LONGEST_RETRY if row.unavailable else backoff(row.failures)
    row.retry_at = at + max(delay, retry_after or timedelta(0))
    await row.save()
    return row.retry_at


async def revive(hosts: list[str]) -> None:
    """Hosts that answered: no longer failing, their rows flow again."""
    if hosts:
        await (
            Host.filter(Q(failing_since__not_isnull=True) | Q(retry_at__not_isnull=True))
            .filter(host__in=hosts)
            .update(failing_since=None, unavailable=False, failures=0, retry_at=None)
        )


async def failing_among(hosts: set[str]) -> set[str]:
    if not hosts:
        return set()
    rows = await Host.filter(host__in=sorted(hosts), failing_since__not_isnull=True).values_list(
        "host", flat=True
    )
    return {str(h) for h in rows}


async def take_probe(host: str, at: datetime) -> bool:
    """True for the one worker that may try a failing host now; the hold it sets keeps the
    others off until the probe's outcome sets the next ``retry_at`` (or revives the host)."""
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=at)
    return await Host.filter(due, host=host).update(retry_at=at + PROBE_HOLD) == 1
