"""The federation worker loop: inbox processing and deliveries, inside ``jumelage serve`` by
default or alone in ``jumelage worker`` processes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from federation.context import Federation
from federation.delivery import deliver_continuously, deliver_due
from federation.processing import process_inbox

log = logging.getLogger(__name__)
IDLE_SLEEP = 1.0


async def run_once(fed: Federation) -> int:
    """One cycle of both queues; tests call this instead of sleeping."""
    return await process_inbox(fed) + await deliver_due(fed)


async def _inbox_loop(fed: Federation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            busy = await process_inbox(fed)
        except Exception:  # a database hiccup must not end the loop; it is logged and retried
            log.exception("inbox cycle failed")
            busy = 0
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), IDLE_SLEEP)


async def _delivery_loop(fed: Federation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await deliver_continuously(fed, stop, idle=IDLE_SLEEP)
        except Exception:  # as above; the loop starts again after a pause
            log.exception("delivery loop failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), IDLE_SLEEP)


async def run(fed: Federation, stop: asyncio.Event) -> None:
    """Inbox and deliveries in two loops, so a long run of deliveries never holds up the
    processing of what arrives, nor the other way round."""
    await asyncio.gather(_inbox_loop(fed, stop), _delivery_loop(fed, stop))
