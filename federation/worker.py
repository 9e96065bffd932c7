"""The federation worker loop: inbox processing and deliveries, inside ``jumelage serve`` by
default or alone in ``jumelage worker`` processes."""

from __future__ import annotations

import asyncio
import logging

from federation.context import Federation
from federation.delivery import deliver_due
from federation.processing import process_inbox

log = logging.getLogger(__name__)
IDLE_SLEEP = 1.0


async def run_once(fed: Federation) -> int:
    """One cycle of both queues; tests call this instead of sleeping."""
    return await process_inbox(fed) + await deliver_due(fed)


async def run(fed: Federation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            busy = await run_once(fed)
        except Exception:  # a database hiccup must not end the loop; it is logged and retried
            log.exception("federation worker cycle failed")
            busy = 0
        if not busy:
            try:
                await asyncio.wait_for(stop.wait(), IDLE_SLEEP)
            except TimeoutError:
                pass
