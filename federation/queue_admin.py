"""The state of the federation queues as an admin needs it (how much waits, since when, which
hosts fail and why) and the two things an admin may do about a failing host: try it now, or
give up what waits for it. The metrics endpoint and the admin page read the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.functions import Min, Sum
from tortoise.queryset import QuerySet

from models.mail import MailNotice
from models.media import MediaFile
from models.queues import Delivery, InboxActivity
from models.remote import Host

DELIVERY_STATES = ("pending", "done", "failed")
GIVEN_UP = "given up by an admin"


@dataclass
class QueueFigures:
    deliveries: dict[str, int]
    oldest_pending_seconds: float
    inbox_unprocessed: int
    inbox_oldest_seconds: float
    hosts_failing: int
    hosts_unavailable: int
    mail_unsent: int
    media_bytes: int


@dataclass
class FailingHost:
    host: Host
    waiting: int
    last_error: str


async def _oldest(query: QuerySet[Delivery] | QuerySet[InboxActivity], field: str) -> float:
    row = await query.annotate(first=Min(field)).first().values("first")
    first = row["first"] if row else None
    return max(0.0, (datetime.now(UTC) - first).total_seconds()) if first else 0.0


async def queue_figures() -> QueueFigures:
    """A handful of aggregate queries; true for the whole node, whichever process asks."""
    media = await MediaFile.all().annotate(total=Sum("size")).first().values("total")
    return QueueFigures(
        deliveries={s: await Delivery.filter(state=s).count() for s in DELIVERY_STATES},
        oldest_pending_seconds=await _oldest(Delivery.filter(state="pending"), "created_at"),
        inbox_unprocessed=await InboxActivity.filter(processed_at=None).count(),
        inbox_oldest_seconds=await _oldest(InboxActivity.filter(processed_at=None), "received_at"),
        hosts_failing=await Host.exclude(failing_since=None).count(),
        hosts_unavailable=await Host.filter(unavailable=True).count(),
        mail_unsent=await MailNotice.filter(sent_at=None).count(),
        media_bytes=int((media or {}).get("total") or 0),
    )


async def failing_hosts(limit: int = 100) -> list[FailingHost]:
    """Failing hosts, the longest failing first, with what waits for each and its last error."""
    hosts = await Host.exclude(failing_since=None).order_by("failing_since").limit(limit)
    found = []
    for host in hosts:
        pending = Delivery.filter(host=host.host, state="pending")
        last = await Delivery.filter(host=host.host).exclude(last_error="").order_by("-id").first()
        found.append(FailingHost(host, await pending.count(), last.last_error if last else ""))
    return found


async def retry_now(host: str) -> int:
    """The host's backoff is lifted and its waiting rows are due at once; how many."""
    now = datetime.now(UTC)
    await Host.filter(host=host).update(retry_at=now)
    return await Delivery.filter(host=host, state="pending").update(next_attempt_at=now)


async def give_up(host: str) -> int:
    """What waits for the host is dropped (marked failed, not deleted, so it can be told);
    the host stays known as failing until it answers again. How many rows."""
    return await Delivery.filter(host=host, state="pending", claimed_until=None).update(
        state="failed", last_error=GIVEN_UP
    )
