"""This process's side of the stream hub: the streaming connections it serves, each with a
bounded queue of events, and on PostgreSQL the one ``LISTEN`` connection that brings in the
events every process publishes (``models.stream_events``).

Memory stays bounded: a connection holds at most ``QUEUE_SIZE`` events (small ids), and one
that falls that far behind (a slow reader) is dropped rather than buffered. The listening
connection is opened with the first streaming connection and closed with the last, so a
process nobody streams from holds no extra database connection."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from models.config import Settings
from models.stream_events import CHANNEL, StreamEvent, dispatch, listen, unlisten

if TYPE_CHECKING:
    import asyncpg

log = logging.getLogger(__name__)

QUEUE_SIZE = 256
MAX_PER_TOKEN = 8


class TooManyConnections(Exception):
    """Beyond ``MAX_PER_TOKEN`` streaming connections of one token in this process."""


@dataclass(eq=False)
class Subscriber:
    """One streaming connection's mailbox. ``dropped`` turns true when it overflowed: its
    connection ends, and the app reconnects and reloads what it missed."""

    token_id: int | None
    queue: asyncio.Queue[StreamEvent] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, event: StreamEvent) -> None:
        if self.dropped.is_set():
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            log.info("dropped a streaming connection that fell %d events behind", QUEUE_SIZE)
            self.dropped.set()
            while not self.queue.empty():
                self.queue.get_nowait()

    async def next_event(self, wait: float) -> StreamEvent | None:
        """The next event, or None after ``wait`` seconds (time for a heartbeat) or once
        dropped."""
        getting = asyncio.ensure_future(self.queue.get())
        dropping = asyncio.ensure_future(self.dropped.wait())
        done, pending = await asyncio.wait(
            {getting, dropping}, timeout=wait, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        if getting in done and not self.dropped.is_set():
            return getting.result()
        return None


def is_in_process(settings: Settings) -> bool:
    """On SQLite one process serves, and events travel within it alone."""
    return settings.is_sqlite


class Hub:
    """The streaming connections of this process, counted per token."""

    def __init__(self) -> None:
        self.per_token: Counter[int] = Counter()
        self.subscribers: set[Subscriber] = set()
        self._listening: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def join(self, settings: Settings, token_id: int | None) -> Subscriber:
        if token_id is not None and self.per_token[token_id] >= MAX_PER_TOKEN:
            raise TooManyConnections
        subscriber = Subscriber(token_id)
        if token_id is not None:
            self.per_token[token_id] += 1
        self.subscribers.add(subscriber)
        listen(subscriber.offer)
        try:
            await self._listen(settings)
        except BaseException:
            await self.leave(subscriber)
            raise
        return subscriber

    async def leave(self, subscriber: Subscriber) -> None:
        if subscriber not in self.subscribers:
            return
        self.subscribers.discard(subscriber)
        unlisten(subscriber.offer)
        if subscriber.token_id is not None:
            self.per_token[subscriber.token_id] -= 1
            if self.per_token[subscriber.token_id] <= 0:
                del self.per_token[subscriber.token_id]
        if not self.subscribers:
            await self._stop_listening()

    async def _listen(self, settings: Settings) -> None:
        async with self._lock:
            if self._listening is not None or is_in_process(settings):
                return
            import asyncpg  # only on PostgreSQL: a SQLite node installs without it

            url = settings.database_url.replace("postgres://", "postgresql://", 1)
            connection = await asyncpg.connect(url)
            await connection.add_listener(CHANNEL, _received)
            connection.add_termination_listener(self._lost)
            self._listening = connection

    def _lost(self, connection: Any) -> None:
        """The listening connection broke (the database restarted): every connection of this
        process ends, and apps reconnect, which listens anew."""
        log.warning("the stream listening connection was lost; dropping its subscribers")
        self._listening = None
        for subscriber in list(self.subscribers):
            subscriber.dropped.set()

    async def _stop_listening(self) -> None:
        async with self._lock:
            connection, self._listening = self._listening, None
            if connection is not None and not self.subscribers:
                await connection.close()
            elif connection is not None:
                self._listening = connection


def _received(connection: Any, pid: int, channel: str, payload: str) -> None:
    event = StreamEvent.from_json(payload)
    if event is not None:
        dispatch(event)
