"""The push queue in one process: a push service that fails is tried again later, with its
error kept; the policies let through only whom they name; a notification queued for someone
who may no longer see its item is never sent. One cycle of the queue is run directly."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest_asyncio
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from federation.context import Federation
from federation.push_delivery import deliver_pushes
from models import happenings
from models.accounts import Account
from models.config import Settings
from models.oauth import issue_token, register_app
from models.push import PushJob, PushSubscription, subscribe
from models.social import follow_local
from tests.conftest import make_account
from tests.servers import free_port


@dataclass
class Service:
    origin: str
    status: int = 201
    paths: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.paths.append(request.path)
        return web.Response(status=self.status)


@pytest_asyncio.fixture
async def service(settings: Settings) -> AsyncIterator[Service]:
    port = free_port()
    found = Service(f"http://127.0.0.1:{port}")
    app = web.Application()
    app.router.add_post("/{name}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield found
    await runner.cleanup()


def keys() -> dict[str, str]:
    public = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "p256dh": base64.urlsafe_b64encode(public).decode(),
        "auth": base64.urlsafe_b64encode(os.urandom(16)).decode(),
    }


async def subscribed(
    settings: Settings, account: Account, endpoint: str, policy: str = "all"
) -> PushSubscription:
    app, _ = await register_app("phone", "urn:ietf:wg:oauth:2.0:oob", "push", "")
    token, access, _ = await issue_token(app, account, "read push")
    fields = {"endpoint": endpoint, **keys(), "standard": True, "policy": policy}
    return await subscribe(token, access, settings.secret_key, fields | {"alerts": ALERTS})


ALERTS = {"follow": True, "mention": True}


async def test_a_failing_push_service_is_tried_again_later(
    settings: Settings, fed: Federation, service: Service
) -> None:
    ana, ben = await make_account("ana"), await make_account("ben")
    await subscribed(settings, ana, f"{service.origin}/ana")
    service.status = 503
    async with happenings.acting():
        await happenings.followed(ana.id, from_account=ben)
    assert await deliver_pushes(fed) == 1
    job = await PushJob.get()
    assert job.attempts == 1 and "503" in job.last_error
    assert job.due_at > datetime.now(UTC) and job.claimed_until is None
    assert await deliver_pushes(fed) == 0  # not due yet
    await PushJob.filter(id=job.id).update(due_at=datetime.now(UTC))
    service.status = 201
    assert await deliver_pushes(fed) == 1
    assert not await PushJob.exists()
    assert service.paths == ["/ana", "/ana"]


async def test_policies_let_through_only_whom_they_name(
    settings: Settings, fed: Federation, service: Service
) -> None:
    """``followed``: people Ana follows; ``follower``: people who follow her; ``none``:
    nobody (nothing is even queued)."""
    ana, ben, cleo = [await make_account(n) for n in ("ana", "ben", "cleo")]
    await follow_local(ana, "person", ben.id)  # Ana follows Ben
    await follow_local(cleo, "person", ana.id)  # Cleo follows Ana
    for policy in ("all", "followed", "follower", "none"):
        await subscribed(settings, ana, f"{service.origin}/{policy}", policy)
    assert await PushJob.filter().count() == 0
    service.paths.clear()
    async with happenings.acting():
        await happenings.followed(ana.id, from_account=ben)
    await deliver_pushes(fed)
    assert sorted(service.paths) == ["/all", "/followed"]
    service.paths.clear()
    async with happenings.acting():
        await happenings.followed(ana.id, from_account=cleo)
    await deliver_pushes(fed)
    assert sorted(service.paths) == ["/all", "/follower"]
    assert not await PushJob.exists()


async def test_a_suspended_recipient_gets_no_push(
    settings: Settings, fed: Federation, service: Service
) -> None:
    ana, ben = await make_account("ana"), await make_account("ben")
    await subscribed(settings, ana, f"{service.origin}/ana")
    async with happenings.acting():
        await happenings.followed(ana.id, from_account=ben)
    await Account.filter(id=ana.id).update(state="suspended")
    assert await deliver_pushes(fed) == 1
    assert service.paths == [] and not await PushJob.exists()
