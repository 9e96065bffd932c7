"""What follows one inbound activity commits with it: a crash injected between the stored row
(a like, a reply) and its notification leaves neither, and processing resumed after it makes
exactly one row and one notification."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from federation.context import Federation
from federation.processing import process_inbox
from models import happenings
from models.content import ContentItem
from models.notifications import Notification
from models.posting import post_update
from models.queues import InboxActivity
from models.reactions import Like
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account
from tests.federation.peer import Peer
from tests.federation.test_reactions import GROUP, _reply, _send


class Crash(Exception):
    """Stands for the process dying at that point."""


@pytest.fixture
def crash_before_notifying(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The fault hook: the first notification written crashes its handler."""
    crashed: list[str] = []
    real = happenings.notify

    async def notify_or_crash(*args: object, **kwargs: object) -> None:
        if not crashed:
            crashed.append(str(args[1]))
            raise Crash("killed between the row and its notification")
        await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(happenings, "notify", notify_or_crash)
    yield crashed


async def _process_until_done(fed: Federation) -> None:
    """The worker taking the activity again, as it does after a failure or a crash."""
    for _ in range(3):
        await InboxActivity.filter(processed_at=None).update(claimed_until=None)
        await process_inbox(fed)
        if not await InboxActivity.filter(processed_at=None).exists():
            return
    raise AssertionError("the activity was never processed")


async def test_a_crash_before_the_notification_of_a_like_leaves_one_like_and_one_notification(
    client: httpx.AsyncClient, fed: Federation, peer: Peer, crash_before_notifying: list[str]
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    update = await post_update(owner, twinning, "public", {"fr": "Bonjour"})
    like = {
        "id": f"{peer.base}/likes/1",
        "type": "Like",
        "actor": peer.actor("ana"),
        "object": f"{GROUP}/updates/{update.id}",
    }
    await _send(client, peer, "ana", like)
    await process_inbox(fed)
    assert crash_before_notifying == ["favourite"]
    assert await Like.filter(item=update).count() == 0  # rolled back with its notification
    assert await Notification.filter(kind="favourite").count() == 0

    await _process_until_done(fed)
    assert await Like.filter(item=update).count() == 1
    assert await Notification.filter(account=owner, kind="favourite").count() == 1


async def test_a_crash_before_the_notification_of_a_reply_leaves_one_reply_and_one_notification(
    client: httpx.AsyncClient, fed: Federation, peer: Peer, crash_before_notifying: list[str]
) -> None:
    owner = await make_account("maelle")
    twinning = await create_twinning(owner, "brest", TwinningInput(title={"fr": "Brest"}))
    update = await post_update(owner, twinning, "public", {"fr": "Bonjour"})
    await _send(client, peer, "ana", _reply(peer, "ana", 1, f"{GROUP}/updates/{update.id}", "Hola"))
    await process_inbox(fed)
    assert crash_before_notifying == ["mention"]
    assert not await ContentItem.filter(in_reply_to=update).exists()

    await _process_until_done(fed)
    assert await ContentItem.filter(in_reply_to=update).count() == 1
    assert await Notification.filter(account=owner, kind="mention").count() == 1
