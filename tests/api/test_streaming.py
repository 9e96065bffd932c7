"""The streaming API against a real ``jumelage serve``: Mastodon.py's server-sent event
streams and a ``websockets`` client hear new items, notifications and deletions; a
partner-only update reaches members' streams and no one else's; bad tokens and too many
connections are refused; and on PostgreSQL two server processes share their events.

Waiting is on events, never on time: each check reads what arrived up to a later public
event that must arrive, and asserts on all of it."""

from __future__ import annotations

import json
import queue
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from mastodon import Mastodon, StreamListener
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from models.config import load_settings
from server.streams import is_in_process
from tests.api.conftest import Instance, password_token
from tests.api.test_mastodon_py import client_for
from tests.databases import is_postgres
from tests.servers import serving

WAIT = 60  # seconds an event that must come may take on a loaded machine
Event = tuple[str, Any]


class Collector(StreamListener):  # type: ignore[misc]
    """Every event of a Mastodon.py stream, in order, handed to the test thread."""

    def __init__(self) -> None:
        self.events: queue.Queue[Event] = queue.Queue()
        self.heard_of: queue.Queue[None] = queue.Queue()

    def on_update(self, status: Any) -> None:
        self.events.put(("update", status))

    def on_status_update(self, status: Any) -> None:
        self.events.put(("status.update", status))

    def on_notification(self, notification: Any) -> None:
        self.events.put(("notification", notification))

    def on_delete(self, status_id: Any) -> None:
        self.events.put(("delete", str(status_id)))

    def handle_heartbeat(self) -> None:
        self.heard_of.put(None)


def until(get: Callable[[], Event], done: Callable[[Event], bool]) -> list[Event]:
    """The events up to and including the first one ``done`` accepts."""
    seen: list[Event] = []
    while True:
        try:
            event = get()
        except (queue.Empty, TimeoutError):
            raise AssertionError(f"the awaited event never came; heard {seen}") from None
        seen.append(event)
        if done(event):
            return seen


def is_status(kind: str, status_id: str) -> Callable[[Event], bool]:
    return lambda e: e[0] == kind and str(e[1]["id"]) == status_id


def is_gone(status_id: str) -> Callable[[Event], bool]:
    return lambda e: e == ("delete", status_id)


@contextmanager
def mastodon_stream(open_stream: Callable[..., Any]) -> Iterator[Collector]:
    collector = Collector()
    handle = open_stream(collector, run_async=True)
    try:
        collector.heard_of.get(timeout=WAIT)  # the server's first comment: subscribed
        yield collector
    finally:
        handle.close()


def ws_url(base: str, query: str) -> str:
    return base.replace("http://", "ws://") + "/api/v1/streaming?" + query


def ws_events(socket: ClientConnection) -> Callable[[], Event]:
    def get() -> Event:
        message = json.loads(socket.recv(timeout=WAIT))
        payload = message["payload"]
        return message["event"], payload if message["event"] == "delete" else json.loads(payload)

    return get


def subscribe(socket: ClientConnection, **message: str) -> None:
    """Subscribes, then waits for the answer to an odd message sent after: messages are
    read in order, so the subscription holds once that answer is in."""
    socket.send(json.dumps({"type": "subscribe", **message}))
    socket.send(json.dumps({"type": "nonsense"}))
    assert json.loads(socket.recv(timeout=WAIT)) == {"error": "Unknown message type", "status": 400}


@pytest.fixture(scope="module")
def alice(instance: Instance) -> Mastodon:
    return client_for(instance, "alice")


@pytest.fixture(scope="module")
def bob(instance: Instance) -> Mastodon:
    api = client_for(instance, "bob")
    api.account_follow(api.account_lookup("lapaz")["id"])  # lapaz's public items are his home
    return api


def test_health_and_the_instance_name_the_streaming_url(instance: Instance) -> None:
    assert httpx.get(f"{instance.base}/api/v1/streaming/health").text == "OK"
    ws = instance.base.replace("http://", "ws://")
    assert httpx.get(f"{instance.base}/api/v1/instance").json()["urls"]["streaming_api"] == ws
    v2 = httpx.get(f"{instance.base}/api/v2/instance").json()
    assert v2["configuration"]["urls"]["streaming"] == ws


def test_a_bad_or_missing_token_is_401_and_a_narrow_one_403(instance: Instance) -> None:
    user = f"{instance.base}/api/v1/streaming/user"
    bad = httpx.get(user, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"] == "Invalid access token"
    assert httpx.get(user).status_code == 401
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(instance.base, "stream=user&access_token=nope"))
    assert refused.value.response.status_code == 401
    narrow = password_token(instance.base, "bob", "read:accounts")
    answer = httpx.get(user, headers={"Authorization": f"Bearer {narrow}"})
    assert answer.status_code == 403


def test_mastodon_py_user_stream_hears_update_notification_and_delete(
    alice: Mastodon, bob: Mastodon
) -> None:
    with mastodon_stream(alice.stream_user) as heard:
        mine = alice.status_post("@lapaz Nouvelles du jumelage", visibility="public")
        got = until(heard.events.get, is_status("update", str(mine["id"])))
        assert got[-1][1]["content"].find("Nouvelles") >= 0
        reply = bob.status_post("Bravo !", in_reply_to_id=mine["id"])
        got = until(heard.events.get, lambda e: e[0] == "notification")
        assert got[-1][1]["type"] == "mention"
        assert str(got[-1][1]["status"]["id"]) == str(reply["id"])
        alice.status_delete(mine["id"])
        until(heard.events.get, is_gone(str(mine["id"])))


def test_mastodon_py_public_stream_hears_update_edit_and_delete(
    alice: Mastodon, bob: Mastodon
) -> None:
    with mastodon_stream(bob.stream_public) as heard:
        post = alice.status_post("@lapaz Une réunion jeudi", visibility="public")
        until(heard.events.get, is_status("update", str(post["id"])))
        alice.status_update(post["id"], "@lapaz Une réunion vendredi")
        got = until(heard.events.get, is_status("status.update", str(post["id"])))
        assert "vendredi" in got[-1][1]["content"]
        alice.status_delete(post["id"])
        until(heard.events.get, is_gone(str(post["id"])))


def test_websocket_user_and_public_hear_the_same(
    instance: Instance, alice: Mastodon, bob: Mastodon
) -> None:
    with connect(ws_url(instance.base, f"stream=user&access_token={alice.access_token}")) as ws:
        subscribe(ws, stream="public")
        get = ws_events(ws)
        post = alice.status_post("@lapaz Compte rendu", visibility="public")
        got = until(get, is_status("update", str(post["id"])))
        got += until(get, is_status("update", str(post["id"])))  # once per stream
        bob.status_post("Merci", in_reply_to_id=post["id"])
        got = until(get, lambda e: e[0] == "notification")
        assert got[-1][1]["type"] == "mention" and got[-1][1]["account"]["acct"] == "bob"
        alice.status_delete(post["id"])
        until(get, is_gone(str(post["id"])))


def test_websocket_hashtag_and_list_streams_hear_their_items(
    instance: Instance, alice: Mastodon, bob: Mastodon
) -> None:
    """A hashtag stream hears public items with the tag; a list (a twinning) stream is its
    members' or followers', and another's list is not found."""
    lapaz = alice.account_lookup("lapaz")["id"].removeprefix("t")
    bogota = alice.account_lookup("bogota")["id"].removeprefix("t")
    with connect(ws_url(instance.base, f"access_token={alice.access_token}")) as ws:
        subscribe(ws, stream="hashtag", tag="Semences")
        subscribe(ws, stream="list", list=lapaz)
        ws.send(json.dumps({"type": "subscribe", "stream": "list", "list": bogota}))
        assert json.loads(ws.recv(timeout=WAIT)) == {"error": "Record not found", "status": 404}
        ws.send(json.dumps({"type": "subscribe", "stream": "everything"}))
        assert json.loads(ws.recv(timeout=WAIT))["error"] == "Unknown stream type"
        plain = alice.status_post("@lapaz Sans étiquette", visibility="public")
        tagged = alice.status_post("@lapaz Échange de #semences", visibility="public")
        frames = [json.loads(ws.recv(timeout=WAIT)) for _ in range(3)]
    heard = [(f["stream"], f["event"], str(json.loads(f["payload"])["id"])) for f in frames]
    assert sorted(heard) == sorted(
        [
            (["list", lapaz], "update", str(plain["id"])),
            (["list", lapaz], "update", str(tagged["id"])),
            (["hashtag", "semences"], "update", str(tagged["id"])),
        ]
    )


def test_a_partner_only_update_reaches_members_alone(
    instance: Instance, alice: Mastodon, bob: Mastodon
) -> None:
    """Bob follows the twinning but is no member: neither his home nor the public stream
    hears of the partner-only update, nor of its deletion; Alice, a member, hears both."""
    carla = client_for(instance, "carla")
    bob_ws = connect(ws_url(instance.base, "stream=user"), additional_headers=bearer(bob))
    carla_ws = connect(ws_url(instance.base, f"stream=public&access_token={carla.access_token}"))
    with bob_ws, carla_ws, mastodon_stream(alice.stream_user) as alice_heard:
        subscribe(bob_ws, stream="public")
        secret = alice.status_post("@lapaz Budget interne", visibility="direct")
        marker = alice.status_post("@lapaz Nouvelles publiques", visibility="public")
        alice.status_delete(secret["id"])
        last = alice.status_post("@lapaz Encore des nouvelles", visibility="public")
        heard_by_alice = until(alice_heard.events.get, is_gone(str(secret["id"])))
        assert any(is_status("update", str(secret["id"]))(e) for e in heard_by_alice)
        bob_heard = until(ws_events(bob_ws), is_status("update", str(marker["id"])))
        bob_heard += until(ws_events(bob_ws), is_status("update", str(last["id"])))
        bob_heard += until(ws_events(bob_ws), is_status("update", str(last["id"])))
        carla_heard = until(ws_events(carla_ws), is_status("update", str(last["id"])))
    for heard in (bob_heard, carla_heard):
        assert str(secret["id"]) not in ids_in(heard)
        assert "Budget" not in json.dumps(heard)


def ids_in(events: list[Event]) -> set[str]:
    """The statuses events name: their own, a deletion's, a notification's."""
    ids = set()
    for kind, payload in events:
        if kind == "delete":
            ids.add(payload)
        elif kind == "notification":
            ids.add(str((payload["status"] or {}).get("id")))
        else:
            ids.add(str(payload["id"]))
    return ids


def bearer(api: Mastodon) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.access_token}"}


def test_a_token_holds_at_most_eight_connections(instance: Instance, bob: Mastodon) -> None:
    url = f"{instance.base}/api/v1/streaming/public"
    with httpx.Client(timeout=WAIT) as client:
        opened = [client.stream("GET", url, headers=bearer(bob)) for _ in range(9)]
        answers = [s.__enter__() for s in opened[:8]]
        try:
            assert {a.status_code for a in answers} == {200}
            ninth = client.get(url, headers=bearer(bob))
            assert ninth.status_code == 429
        finally:
            for stream in opened[:8]:
                stream.__exit__(None, None, None)


def test_processes_share_events_on_postgresql_and_sqlite_keeps_them_in_one(
    instance: Instance, alice: Mastodon, tmp_path: Path
) -> None:
    """On PostgreSQL a second ``jumelage serve`` on the same database (the same site behind
    a proxy) streams an update posted through the first; SQLite has one process, whose hub
    stays in it."""
    if not is_postgres():
        assert is_in_process(load_settings(instance.env))
        return
    (tmp_path / "secret_key").write_text((instance.data_dir / "secret_key").read_text())
    env = {"JUMELAGE_DOMAIN": instance.env["JUMELAGE_DOMAIN"]}
    with serving(tmp_path, instance.env["JUMELAGE_DATABASE_URL"], **env) as second:
        query = f"stream=public&access_token={alice.access_token}"
        with connect(ws_url(second.base, query)) as ws:
            post = alice.status_post("@lapaz D'un processus à l'autre", visibility="public")
            got = until(ws_events(ws), is_status("update", str(post["id"])))
    assert "processus" in got[-1][1]["content"]
