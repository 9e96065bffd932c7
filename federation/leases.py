"""Who holds a queue row, and for how long. A worker claims inbox and delivery rows for a short
lease, names itself on them (``worker_id``: host, process id, start time) and renews the lease
while the work is in flight (``heartbeat``); a killed worker's rows are taken again when the
lease ends, or at once by the next worker started on the same host, which sees that the
process that claimed them is gone (``release_dead``)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
from datetime import timedelta

from models.queues import Delivery, InboxActivity
from models.remote import now

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
HEARTBEAT = 10.0  # seconds between two renewals: a third of the lease, so one late beat is harmless


@functools.cache
def worker_id() -> str:
    """This process's name on the rows it claims; the start time tells it from an earlier
    process that had the same pid (containers restart as pid 1)."""
    return f"{socket.gethostname()}:{os.getpid()}:{time.time():.6f}"


def is_dead(holder: str, me: str) -> bool:
    """True only when sure: ``holder`` ran on this host and its process is gone, or had our
    pid before this process started. A holder on another host is left to its lease."""
    try:
        host, pid_text, _ = holder.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    my_host, my_pid, _ = me.rsplit(":", 2)
    if host != my_host or holder == me:
        return False
    if pid == int(my_pid):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, under another user
        return False
    return False


async def release_dead(me: str | None = None) -> int:
    """At start-up: rows still leased to dead processes of this host go back to the queue
    now rather than when their lease ends. Returns how many."""
    me = me or worker_id()
    released = 0
    for model in (Delivery, InboxActivity):
        held = model.filter(claimed_until__gt=now()).exclude(claimed_by="")
        holders = await held.distinct().values_list("claimed_by", flat=True)
        for holder in {str(h) for h in holders}:
            if is_dead(holder, me):
                released += await model.filter(claimed_by=holder).update(
                    claimed_until=None, claimed_by=""
                )
    if released:
        log.warning("released %d queue rows claimed by dead processes of this host", released)
    return released


async def renew(me: str | None = None) -> int:
    """Pushes back the end of every lease this process holds (read first: on SQLite even an
    UPDATE that matches nothing takes the writer lock)."""
    me = me or worker_id()
    until = now() + LEASE
    renewed = 0
    for model in (Delivery, InboxActivity):
        mine = model.filter(claimed_by=me, claimed_until__not_isnull=True)
        if await mine.exists():
            renewed += await mine.update(claimed_until=until)
    return renewed


async def heartbeat(stop: asyncio.Event, me: str | None = None) -> None:
    """Renews this process's leases every ``HEARTBEAT`` seconds until ``stop``."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), HEARTBEAT)
        if stop.is_set():
            return
        try:
            await renew(me)
        except Exception:  # a database hiccup: the next beat tries again, well within the lease
            log.exception("renewing leases failed")
