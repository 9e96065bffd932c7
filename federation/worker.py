"""The federation worker loop: inbox processing, scheduled statuses falling due, what happened
here going out (fan-out), deliveries and Web Push, inside ``jumelage serve`` by default or alone in
``jumelage worker`` processes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from federation import leases
from federation.context import Federation
from federation.delivery import deliver_continuously, deliver_due
from federation.fanout import fan_out
from federation.poll_votes import close_ended_polls
from federation.processing import process_inbox
from federation.push_delivery import deliver_pushes
from models.happenings import wait_for_work
from models.scheduled import publish_due
from models.storage_full import StorageFullLog, is_storage_full

log = logging.getLogger(__name__)
IDLE_SLEEP = 1.0
_storage_full = StorageFullLog(log, "the queues wait")


def _failed(what: str, exc: Exception) -> None:
    """A cycle that failed is logged with its traceback, except for a full database: one
    line a minute (the loops retry every second until space is freed)."""
    if is_storage_full(exc):
        _storage_full.report(exc)
    else:
        log.exception("%s failed", what)


async def run_once(fed: Federation) -> int:
    """One cycle of the queues, in the order work flows through them; tests call this
    instead of sleeping."""
    taken = await process_inbox(fed)
    taken += await publish_due(fed.settings)
    taken += await close_ended_polls()
    taken += await fan_out(fed)
    taken += await deliver_pushes(fed)
    return taken + await deliver_due(fed)


Cycle = Callable[[], Awaitable[int]]


async def _polling_loop(what: str, cycle: Cycle, stop: asyncio.Event) -> None:
    """A queue taken again at once while it has work, else looked at every ``IDLE_SLEEP``:
    rows of other processes, and what falls due (scheduled statuses, ended polls, pushes;
    pushes do not wait on the fan-out's waker, which one waiter clears for the others)."""
    while not stop.is_set():
        try:
            busy = await cycle()
        except Exception as exc:  # a database hiccup must not end the loop; logged and retried
            _failed(what, exc)
            busy = 0
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), IDLE_SLEEP)


async def _fanout_loop(fed: Federation, stop: asyncio.Event) -> None:
    """Woken at once by what this process records; other processes' rows are found within
    ``IDLE_SLEEP``."""
    while not stop.is_set():
        try:
            busy = await fan_out(fed)
        except Exception as exc:  # as above
            _failed("fan-out cycle", exc)
            busy = 0
        if not busy:
            await wait_for_work(IDLE_SLEEP)


async def _delivery_loop(fed: Federation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await deliver_continuously(fed, stop, idle=IDLE_SLEEP)
        except Exception as exc:  # as above; the loop starts again after a pause
            _failed("delivery loop", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), IDLE_SLEEP)


async def run(fed: Federation, stop: asyncio.Event) -> None:
    """Inbox, fan-out and deliveries in loops of their own, so a long run of deliveries never
    holds up the processing of what arrives, nor the other way round; and the heartbeat that
    keeps their leases. First, rows a dead process of this host still held are released."""
    try:
        await leases.release_dead()
    except Exception:  # the leases end by themselves; starting matters more
        log.exception("releasing the rows of dead workers failed")
    await asyncio.gather(
        _polling_loop("inbox cycle", lambda: process_inbox(fed), stop),
        _fanout_loop(fed, stop),
        _polling_loop("scheduled statuses cycle", lambda: publish_due(fed.settings), stop),
        _polling_loop("ended polls cycle", close_ended_polls, stop),
        _polling_loop("push cycle", lambda: deliver_pushes(fed), stop),
        _delivery_loop(fed, stop),
        leases.heartbeat(stop),
    )
