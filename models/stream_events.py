"""Stream events: what apps connected to the streaming API hear of (an item new, edited or
gone; a notification), published once by ``models.happenings`` and read by every streaming
connection of every server process.

An event names what happened by ids only; each connection loads the rows and applies the
visibility rule for its own subscriber when it sends, so an event carries nothing a reader may
not see. Events are published only once their change has committed: on PostgreSQL as a
``NOTIFY`` inside the transaction (delivered at commit, to every process that ``LISTEN``s);
on SQLite, where one process serves, they wait in the act and go to this process's listeners
after the commit. A rolled back change publishes nothing."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field

from tortoise import connections

from models.accounts import Account
from models.content import Audience, ContentItem
from models.visibility import PUBLIC, member_twinning_ids

log = logging.getLogger(__name__)

CHANNEL = "jumelage_stream"
# NOTIFY payloads are at most 8,000 bytes: a longer list of readers of a gone item is cut,
# and the readers left out keep a stale item on screen until they reload (never a leak).
MAX_READERS = 500

KINDS = ("update", "status.update", "delete", "notification")


@dataclass(frozen=True)
class Gone:
    """Who could see an item before it went (its audience rows as they were), since the
    rows go with it and a ``delete`` must not tell a non-member that a partner-only item
    existed."""

    public: bool = False
    twinnings: tuple[int, ...] = ()
    accounts: tuple[int, ...] = ()


@dataclass(frozen=True)
class StreamEvent:
    kind: str
    item_id: int | None = None
    notification_id: int | None = None
    account_id: int | None = None  # the recipient of a notification
    gone: Gone = field(default_factory=Gone)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, payload: str) -> StreamEvent | None:
        """None for a payload that is not one of ours (logged, never raised: a listener
        must outlive one odd message)."""
        try:
            data = json.loads(payload)
            gone = data.pop("gone", {}) or {}
            event = cls(
                **data,
                gone=Gone(
                    bool(gone.get("public")),
                    tuple(int(i) for i in gone.get("twinnings", ())),
                    tuple(int(i) for i in gone.get("accounts", ())),
                ),
            )
        except (ValueError, TypeError, AttributeError):
            log.warning("ignored a stream event that is not one: %.200s", payload)
            return None
        return event if event.kind in KINDS else None


Listener = Callable[[StreamEvent], None]
_listeners: set[Listener] = set()
_held: ContextVar[list[StreamEvent] | None] = ContextVar("held_stream_events", default=None)


def listen(listener: Listener) -> None:
    """``listener`` is called in this process for every event, from the event loop; it must
    not block (a streaming connection puts the event in its bounded queue)."""
    _listeners.add(listener)


def unlisten(listener: Listener) -> None:
    _listeners.discard(listener)


def listener_count() -> int:
    return len(_listeners)


def dispatch(event: StreamEvent) -> None:
    """Hands one event to every listener of this process."""
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:
            log.exception("a stream listener failed on %s", event.kind)


def is_postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def publish(event: StreamEvent) -> None:
    if is_postgres():
        client = connections.get("default")
        await client.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, event.to_json()])
        return
    held = _held.get()
    if held is None:
        dispatch(event)
    else:
        held.append(event)


@contextlib.contextmanager
def holding(outermost: bool) -> Iterator[list[StreamEvent]]:
    """Within the outermost act, events wait in the returned list: the act hands them to
    ``release`` once its transaction has committed, and forgets them if it failed."""
    if not outermost:
        yield []
        return
    held: list[StreamEvent] = []
    token = _held.set(held)
    try:
        yield held
    finally:
        _held.reset(token)


def release(held: list[StreamEvent]) -> None:
    for event in held:
        dispatch(event)


async def gone_audience(item: ContentItem) -> Gone:
    rows = await Audience.filter(item_id=item.id)
    return Gone(
        public=any(r.kind == PUBLIC for r in rows),
        twinnings=tuple(sorted({r.twinning_id for r in rows if r.twinning_id is not None})),
        accounts=tuple(sorted({r.account_id for r in rows if r.account_id is not None}))[
            :MAX_READERS
        ],
    )


async def item_published(kind: str, item: ContentItem) -> None:
    """``update`` or ``status.update`` of an item that exists (and is committed with the
    act); ``delete`` of one about to go, with who could see it."""
    gone = await gone_audience(item) if kind == "delete" else Gone()
    await publish(StreamEvent(kind, item_id=item.id, gone=gone))


async def notification_published(notification_id: int, account_id: int) -> None:
    await publish(
        StreamEvent("notification", notification_id=notification_id, account_id=account_id)
    )


async def may_have_seen(viewer: Account | None, gone: Gone) -> bool:
    """The visibility rule (``may_view``) over the audience a gone item had."""
    if gone.public:
        return True
    if viewer is None or not viewer.is_active:
        return False
    if viewer.id in gone.accounts:
        return True
    return bool(set(gone.twinnings) & await member_twinning_ids(viewer))
