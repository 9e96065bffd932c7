"""Web Push against a real ``jumelage serve``: a push-service stand-in on loopback receives
what the worker sends, checks the VAPID signature against the key the instance advertises and
decrypts the payload with the subscription's private key (``http_ece`` for RFC 8291, and
Mastodon.py's own decryption for the older ``aesgcm`` its subscriptions use).

Waiting is on pushes, never on time: a push that must not come is checked by a later push
that must, sent after it (the worker sends in the order notifications were made)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import http_ece
import httpx
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from mastodon import Mastodon

from tests.api.conftest import Instance
from tests.api.test_mastodon_py import client_for
from tests.servers import ROOT, free_port

WAIT = 60  # seconds a push that must come may take on a loaded machine


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    """A push service on loopback: what it receives is queued per subscription path; a path
    listed in ``answers`` gets that status instead of 201."""

    origin: str
    received: dict[str, queue.Queue[Received]] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)

    def endpoint(self, name: str) -> str:
        self.received.setdefault(f"/push/{name}", queue.Queue())
        return f"{self.origin}/push/{name}"

    def next(self, name: str) -> Received:
        try:
            return self.received[f"/push/{name}"].get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"no push came for {name}") from None

    async def handle(self, request: web.Request) -> web.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        got = Received(request.path, headers, await request.read())
        self.received.setdefault(request.path, queue.Queue()).put(got)
        return web.Response(status=self.answers.get(request.path, 201))


@pytest.fixture(scope="module")
def service() -> Iterator[PushService]:
    port = free_port()
    pushes = PushService(f"http://127.0.0.1:{port}")
    loop = asyncio.new_event_loop()
    app = web.Application()
    app.router.add_post("/push/{name}", pushes.handle)
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield pushes
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(WAIT)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(WAIT)


JOIN = """
import asyncio
from models import db
from models.accounts import Account
from models.config import load_settings
from models.memberships import decide_request, request_to_join
from models.twinnings import Twinning

async def join():
    await db.connect(load_settings())
    try:
        lapaz = await Twinning.get(slug="lapaz")
        await request_to_join(await Account.get(username="bob"), lapaz)
        await decide_request(await Account.get(username="alice"), lapaz, "bob", True)
    finally:
        await db.close()

asyncio.run(join())
"""


@pytest.fixture(scope="module", autouse=True)
def members(instance: Instance) -> None:
    """Bob joins La Paz through the app's own functions (in a process of its own, on the
    server's database), so that he may post there; Carla stays outside it."""
    subprocess.run([sys.executable, "-c", JOIN], env=instance.env, cwd=ROOT, check=True)


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def server_key(instance: Instance) -> str:
    key = httpx.get(f"{instance.base}/api/v2/instance").json()["configuration"]["vapid"]
    assert key["public_key"]
    return str(key["public_key"])


def check_vapid(jwt: str, key: str, origin: str) -> None:
    """RFC 8292: an ES256 JWT signed by the advertised key, for the push service's origin."""
    head, claims, signature = jwt.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key))
    raw = b64decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
    public.verify(der, f"{head}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(b64decode(head)) == {"typ": "JWT", "alg": "ES256"}
    body = json.loads(b64decode(claims))
    assert body["aud"] == origin
    assert body["sub"].startswith("mailto:")
    assert body["exp"] > time.time()


@dataclass
class Device:
    """An app's keys for one subscription, as a phone would make them."""

    private: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> Device:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    def keys(self) -> dict[str, str]:
        public = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "p256dh": base64.urlsafe_b64encode(public).decode().rstrip("="),
            "auth": base64.urlsafe_b64encode(self.auth).decode().rstrip("="),
        }

    def decrypt(self, got: Received, key: str, origin: str) -> dict[str, Any]:
        assert got.headers["content-encoding"] == "aes128gcm"
        scheme, _, params = got.headers["authorization"].partition(" ")
        assert scheme == "vapid"
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        assert parts["k"] == key
        check_vapid(parts["t"], key, origin)
        plain = http_ece.decrypt(
            got.body, private_key=self.private, auth_secret=self.auth, version="aes128gcm"
        )
        return dict(json.loads(plain))


def subscribe(
    instance: Instance, token: str, endpoint: str, device: Device, alerts: dict[str, bool]
) -> dict[str, Any]:
    """As a phone app sends it: JSON, the standard encryption asked for."""
    answer = httpx.post(
        f"{instance.base}/api/v1/push/subscription",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "subscription": {"endpoint": endpoint, "keys": device.keys(), "standard": True},
            "data": {"alerts": alerts, "policy": "all"},
        },
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def push_client(instance: Instance, username: str) -> Mastodon:
    client_id, secret = Mastodon.create_app(
        "push-tests", api_base_url=instance.base, scopes=["read", "write", "push"]
    )
    api = Mastodon(client_id=client_id, client_secret=secret, api_base_url=instance.base)
    api.log_in(username, "correct horse battery", scopes=["read", "write", "push"], allow_http=True)
    return api


def test_a_mention_and_a_reply_reach_the_push_service_signed_and_decryptable(
    instance: Instance, service: PushService
) -> None:
    alice, bob = push_client(instance, "alice"), client_for(instance, "bob")
    device, key = Device.new(), server_key(instance)
    sub = subscribe(
        instance, alice.access_token, service.endpoint("alice"), device, {"mention": True}
    )
    assert sub["server_key"] == key and sub["alerts"]["mention"] is True
    assert sub["alerts"]["favourite"] is False and sub["standard"] is True
    mention = bob.status_post("@lapaz @alice Bonjour, la réunion est jeudi", visibility="public")
    payload = device.decrypt(service.next("alice"), key, service.origin)
    notes = alice.notifications(types=["mention"])
    assert payload["notification_id"] == str(notes[0]["id"])
    assert payload["notification_type"] == "mention"
    assert payload["access_token"] == alice.access_token
    assert "bob" in payload["title"] and "réunion est jeudi" in payload["body"]
    assert payload["icon"].startswith(instance.base)
    mine = alice.status_post("@lapaz Qui vient ?", visibility="public")
    bob.status_post("Moi !", in_reply_to_id=mine["id"])
    reply = device.decrypt(service.next("alice"), key, service.origin)
    assert reply["notification_type"] == "mention" and "Moi !" in reply["body"]
    assert int(reply["notification_id"]) > int(payload["notification_id"])
    assert str(mention["id"]) == str(notes[0]["status"]["id"])


def test_alerts_switched_off_for_mentions_send_nothing(
    instance: Instance, service: PushService
) -> None:
    carla, bob = push_client(instance, "carla"), client_for(instance, "bob")
    device, key = Device.new(), server_key(instance)
    subscribe(instance, carla.access_token, service.endpoint("carla-off"), device, {})
    answer = httpx.put(
        f"{instance.base}/api/v1/push/subscription",
        headers={"Authorization": f"Bearer {carla.access_token}"},
        data={"data[alerts][mention]": "false", "data[alerts][favourite]": "true"},
    )
    assert answer.json()["alerts"]["mention"] is False
    bob.status_post("@lapaz @carla Tu as vu ?", visibility="public")
    liked = carla.status_post("@bogota Une photo du marché", visibility="public")
    bob.status_favourite(liked["id"])
    got = device.decrypt(service.next("carla-off"), key, service.origin)
    assert got["notification_type"] == "favourite"  # the mention before it sent nothing
    assert service.received["/push/carla-off"].empty()


def test_a_push_service_answering_410_ends_the_subscription(
    instance: Instance, service: PushService
) -> None:
    carla, bob = push_client(instance, "carla"), client_for(instance, "bob")
    service.answers["/push/carla-gone"] = 410
    endpoint = service.endpoint("carla-gone")
    subscribe(instance, carla.access_token, endpoint, Device.new(), {"mention": True})
    bob.status_post("@lapaz @carla Encore là ?", visibility="public")
    service.next("carla-gone")
    headers = {"Authorization": f"Bearer {carla.access_token}"}
    url = f"{instance.base}/api/v1/push/subscription"
    deadline = time.monotonic() + WAIT
    while (answer := httpx.get(url, headers=headers)).status_code == 200:
        assert time.monotonic() < deadline, "the subscription was kept after a 410"
        time.sleep(0.05)  # the worker drops it right after the answer it just sent
    assert answer.status_code == 404


def test_a_partner_only_reply_is_pushed_to_members_alone(
    instance: Instance, service: PushService
) -> None:
    """Bob, a member, answers Alice's partner-only update and names Carla, who is no member:
    Alice's phone hears of it, Carla's does not (her next push is a later public mention)."""
    alice, bob = push_client(instance, "alice"), client_for(instance, "bob")
    carla = push_client(instance, "carla")
    alice_device, carla_device, key = Device.new(), Device.new(), server_key(instance)
    subscribe(
        instance, alice.access_token, service.endpoint("alice-po"), alice_device, {"mention": True}
    )
    subscribe(
        instance, carla.access_token, service.endpoint("carla-po"), carla_device, {"mention": True}
    )
    secret = alice.status_post("@lapaz Budget interne", visibility="direct")
    bob.status_post("@carla Budget : 300 euros", in_reply_to_id=secret["id"], visibility="direct")
    heard = alice_device.decrypt(service.next("alice-po"), key, service.origin)
    assert heard["notification_type"] == "mention" and "300 euros" in heard["body"]
    bob.status_post("@lapaz @carla Rien de secret ici", visibility="public")
    got = carla_device.decrypt(service.next("carla-po"), key, service.origin)
    assert "Rien de secret ici" in got["body"]
    assert "Budget" not in json.dumps(got)


def test_mastodon_py_sets_reads_and_deletes_its_subscription(
    instance: Instance, service: PushService
) -> None:
    """Mastodon.py's helpers make the keys and decrypt what it receives (the ``aesgcm``
    encryption of subscriptions that do not ask for the standard one)."""
    bob, alice = push_client(instance, "bob"), client_for(instance, "alice")
    private, public = bob.push_subscription_generate_keys()
    made = bob.push_subscription_set(
        service.endpoint("bob-mpy"), public, mention_events=True, follow_events=False
    )
    assert made.alerts.mention is True and made.alerts.follow is False
    assert made.server_key == server_key(instance)
    assert bob.push_subscription().endpoint == service.endpoint("bob-mpy")
    bob.push_subscription_update(favourite_events=True)
    assert bob.push_subscription().alerts.favourite is True
    assert bob.push_subscription().alerts.mention is True
    alice.status_post("@lapaz @bob Un message pour toi", visibility="public")
    got = service.next("bob-mpy")
    scheme, _, jwt = got.headers["authorization"].partition(" ")
    assert scheme == "WebPush"
    check_vapid(jwt, got.headers["crypto-key"].split("p256ecdsa=")[1], service.origin)
    assert got.headers["crypto-key"].split("p256ecdsa=")[1] == server_key(instance)
    pushed = bob.push_subscription_decrypt_push(
        got.body, private, got.headers["encryption"], got.headers["crypto-key"]
    )
    assert pushed.notification_type == "mention"
    assert str(pushed.notification_id) == str(bob.notifications(types=["mention"])[0]["id"])
    bob.push_subscription_delete()
    answer = httpx.get(
        f"{instance.base}/api/v1/push/subscription",
        headers={"Authorization": f"Bearer {bob.access_token}"},
    )
    assert answer.status_code == 404


def test_push_needs_the_push_scope_and_valid_keys(instance: Instance) -> None:
    bob = client_for(instance, "bob")  # read write follow: no push
    url = f"{instance.base}/api/v1/push/subscription"
    denied = httpx.get(url, headers={"Authorization": f"Bearer {bob.access_token}"})
    assert denied.status_code == 403
    carla = push_client(instance, "carla")
    headers = {"Authorization": f"Bearer {carla.access_token}"}
    bad = {"subscription": {"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA"}}}
    answer = httpx.post(url, headers=headers, json=bad)
    assert answer.status_code == 422 and "p256dh" in answer.json()["error"]
    keys = Device.new().keys()
    odd = {"subscription": {"endpoint": "ftp://push.example/x", "keys": keys}}
    assert httpx.post(url, headers=headers, json=odd).status_code == 422
    policy = {"subscription": {"endpoint": "https://push.example/x", "keys": keys}}
    policy["data"] = {"policy": "everyone"}
    assert httpx.post(url, headers=headers, json=policy).status_code == 422
    assert httpx.get(url, headers=headers).status_code == 404
    app = httpx.post(
        f"{instance.base}/api/v1/apps",
        data={"client_name": "x", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "push"},
    )
    assert app.json()["vapid_key"] == server_key(instance)
