"""Stream events leave from the one place where things happen, once their change has
committed, carrying ids only; the hub of a process bounds what it holds per connection and
per token. On PostgreSQL the events are read as every server process reads them, through a
``LISTEN`` connection; on SQLite from this process's hub.

Nothing waits on time: each check publishes a marker after what it checks and reads up to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from models.config import Settings
from models.happenings import acting
from models.posting import delete_update, post_reply, post_update
from models.stream_events import (
    CHANNEL,
    StreamEvent,
    listen,
    may_have_seen,
    publish,
    unlisten,
)
from models.twinnings import Membership, TwinningInput, create_twinning
from server.streams import QUEUE_SIZE, Hub, Subscriber, TooManyConnections, is_in_process
from tests.conftest import make_account
from tests.databases import is_postgres

MARKER = StreamEvent("update", item_id=-1)


class Heard:
    """The events this test hears, the way a server process hears them."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[StreamEvent] = asyncio.Queue()

    def take(self, event: StreamEvent) -> None:
        self.queue.put_nowait(event)

    def take_payload(self, connection: object, pid: int, channel: str, payload: str) -> None:
        event = StreamEvent.from_json(payload)
        assert event is not None
        self.take(event)

    async def up_to_marker(self) -> list[StreamEvent]:
        await publish(MARKER)
        events = []
        while (event := await asyncio.wait_for(self.queue.get(), 60)) != MARKER:
            events.append(event)
        return events


@pytest_asyncio.fixture
async def heard(settings: Settings) -> AsyncIterator[Heard]:
    found = Heard()
    if not is_postgres():
        listen(found.take)
        yield found
        unlisten(found.take)
        return
    connection = await asyncpg.connect(settings.database_url.replace("postgres:", "postgresql:"))
    await connection.add_listener(CHANNEL, found.take_payload)
    yield found
    await connection.close()


async def test_a_post_is_published_once_committed_and_a_failed_act_publishes_nothing(
    heard: Heard,
) -> None:
    owner = await make_account("owner")
    twinning = await create_twinning(owner, "t_stream", TwinningInput(title={"en": "One"}))
    kept = await post_update(owner, twinning, "public", {"en": "Kept"})
    with pytest.raises(RuntimeError):
        async with acting():
            lost = await post_update(owner, twinning, "public", {"en": "Rolled back"})
            raise RuntimeError("the change fails")
    events = await heard.up_to_marker()
    assert [(e.kind, e.item_id) for e in events] == [("update", kept.id)]
    assert lost.id != kept.id


async def test_a_deletion_says_who_could_see_the_item_and_a_reply_notifies(
    heard: Heard,
) -> None:
    owner, member, stranger = [await make_account(n) for n in ("owner", "member", "stranger")]
    twinning = await create_twinning(owner, "t_gone", TwinningInput(title={"en": "Gone"}))
    await Membership.create(twinning=twinning, account=member, state="accepted")
    item = await post_update(owner, twinning, "partners", {"en": "Partners only"})
    await post_reply(member, item, {"en": "Seen"})
    await delete_update(owner, item)
    events = await heard.up_to_marker()
    kinds = [e.kind for e in events]
    assert kinds.count("update") == 2 and kinds[-1] == "delete"
    told = [e for e in events if e.kind == "notification" and e.account_id == owner.id]
    assert len(told) == 1 and told[0].notification_id is not None
    gone = events[-1].gone
    assert gone.public is False and gone.twinnings == (twinning.id,)
    assert await may_have_seen(member, gone) and await may_have_seen(owner, gone)
    assert not await may_have_seen(stranger, gone) and not await may_have_seen(None, gone)


def test_an_odd_payload_is_no_event() -> None:
    for payload in ("nope", "[]", '{"kind": "rm -rf"}', '{"kind": "update", "x": 1}'):
        assert StreamEvent.from_json(payload) is None
    event = StreamEvent("delete", item_id=3)
    assert StreamEvent.from_json(event.to_json()) == event


async def test_a_slow_subscriber_is_dropped_and_holds_no_more_than_its_queue() -> None:
    subscriber = Subscriber(token_id=None)
    for n in range(QUEUE_SIZE + 50):
        subscriber.offer(StreamEvent("update", item_id=n))
    assert subscriber.dropped.is_set() and subscriber.queue.qsize() == 0
    assert await subscriber.next_event(wait=60) is None


async def test_a_token_holds_at_most_eight_connections_of_a_process(settings: Settings) -> None:
    hub = Hub()
    joined = [await hub.join(settings, token_id=7) for _ in range(8)]
    with pytest.raises(TooManyConnections):
        await hub.join(settings, token_id=7)
    other = await hub.join(settings, token_id=8)
    await hub.leave(joined.pop())
    joined.append(await hub.join(settings, token_id=7))
    for subscriber in [*joined, other]:
        await hub.leave(subscriber)
    assert not hub.subscribers and not hub.per_token


def test_the_hub_is_in_process_on_sqlite_alone(settings: Settings) -> None:
    assert is_in_process(settings) is (not is_postgres())
