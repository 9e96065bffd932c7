"""A twinning spread over three real instances behaves as one space.

A (127.0.0.1) hosts the twinning of Maëlle, with Nadia, who is no member; Jorge on B
(127.0.0.2) and Ana on C (127.0.0.3) join it; Carla on C only follows it. Public and
partner-only updates, a partner-only discussion, meeting and file reach exactly whom they
should on each instance; Jorge's and Ana's answers reach each other through the twinning; a
public mention of Carla notifies her on C. After Jorge leaves (from B) and Ana is removed (on
A), nothing new of the partners reaches them, and what they had is no longer shown to them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.databases import fresh_database
from tests.federation.test_two_instances import _eventually, _post, _session, _subscribe
from tests.federation.test_workspace_two_instances import PDF, _app_token
from tests.servers import free_port, jumelage, migrate, running_server, server_env

PASSWORD = "long password"
HOSTS = {"a": "127.0.0.1", "b": "127.0.0.2", "c": "127.0.0.3"}
PEOPLE = {"a": ("maelle", "nadia"), "b": ("jorge",), "c": ("ana", "carla")}
PUBLIC, SECRET = "Public news of the twinning", "Partner budget 4711"
THREAD, MEETING, FILE = "Partners thread", "Steering committee", "Minutes of the partners"


@dataclass
class Node:
    name: str
    host: str
    port: int
    data: Path
    database: str

    @property
    def domain(self) -> str:
        return f"{self.host}:{self.port}"


@pytest.fixture
async def nodes(tmp_path: Path) -> dict[str, Node]:
    found = {}
    for name, host in HOSTS.items():
        (tmp_path / name).mkdir()
        database = await fresh_database(tmp_path / name, name, migrated=True)
        node = Node(name, host, free_port(host), tmp_path / name, database)
        env = server_env(node.data, database, node.port, host)
        migrate(env)
        for person in PEOPLE[name]:
            args = ("--email", f"{person}@{name}.org", "--password", PASSWORD)
            jumelage(env, "users", "create", person, *args)
        found[name] = node
    env_a = server_env(found["a"].data, found["a"].database, found["a"].port, HOSTS["a"])
    jumelage(env_a, "twinnings", "create", "brest_lapaz", "--title", "Brest", "--owner", "maelle")
    return found


@dataclass
class Space:
    base: dict[str, str]
    web: dict[str, httpx.AsyncClient]
    api: dict[str, httpx.AsyncClient]


@pytest.fixture
async def space(nodes: dict[str, Node]) -> AsyncIterator[Space]:
    bases: dict[str, str] = {}
    with (
        running_server(nodes["a"].data, nodes["a"].database, nodes["a"].port, host=HOSTS["a"]) as a,
        running_server(nodes["b"].data, nodes["b"].database, nodes["b"].port, host=HOSTS["b"]) as b,
        running_server(nodes["c"].data, nodes["c"].database, nodes["c"].port, host=HOSTS["c"]) as c,
    ):
        bases = {"a": a, "b": b, "c": c}
        web, api = {}, {}
        for node, people in PEOPLE.items():
            for person in people:
                web[person] = await _session(bases[node], person)
                token = await _app_token(bases[node], person)
                api[person] = httpx.AsyncClient(
                    base_url=bases[node], headers={"Authorization": f"Bearer {token}"}, timeout=20
                )
        yield Space(bases, web, api)
        for client in [*web.values(), *api.values()]:
            await client.aclose()


MEMBERS = "/t/brest_lapaz/members"


async def _approve_everyone(maelle: httpx.AsyncClient, expected: int) -> None:
    pending = re.compile(r'name="remote_id" value="(\d+)">\s*<button name="action" value="approve')

    async def requests_arrived() -> bool:
        return len(pending.findall((await maelle.get(MEMBERS)).text)) == expected

    await _eventually(requests_arrived)
    for remote_id in pending.findall((await maelle.get(MEMBERS)).text):
        await _post(maelle, MEMBERS, MEMBERS, {"action": "approve_remote", "remote_id": remote_id})


async def _feed(web: httpx.AsyncClient) -> str:
    return (await web.get("/feed")).text


async def _status_with(api: httpx.AsyncClient, text: str) -> dict[str, str]:
    home = (await api.get("/api/v1/timelines/home", params={"limit": 40})).json()
    return next(s for s in home if text in s["content"])


async def _answers(api: httpx.AsyncClient, status_id: str) -> str:
    context = (await api.get(f"/api/v1/statuses/{status_id}/context")).json()
    return " ".join(s["content"] for s in context.get("descendants", []))


async def _share_everything(space: Space) -> str:
    """Maëlle's items, public and partner-only; returns the thread's address on A."""
    maelle, page = space.web["maelle"], "/t/brest_lapaz"
    await _post(maelle, page, page + "/updates", {"content_en": PUBLIC, "visibility": "public"})
    await _post(maelle, page, page + "/updates", {"content_en": SECRET, "visibility": "partners"})
    thread = await _post(
        maelle,
        page,
        page + "/discussions",
        {"subject_en": THREAD, "message_en": "What do we propose?", "visibility": "partners"},
    )
    when = {"starts": "2031-03-01T10:00", "ends": "2031-03-01T12:00", "timezone": "UTC"}
    await _post(
        maelle,
        page,
        page + "/events",
        {**when, "event_title_en": MEETING, "visibility": "partners"},
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', (await maelle.get(page)).text)
    assert token
    uploaded = await maelle.post(
        page + "/resources",
        data={
            "csrf_token": token.group(1),
            "resource_kind": "document",
            "resource_title_en": FILE,
            "licence": "CC-BY-SA-4.0",
            "visibility": "partners",
        },
        files={"file": ("minutes.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text
    return thread


async def test_a_twinning_over_three_instances_is_one_space(
    nodes: dict[str, Node], space: Space
) -> None:
    web, api = space.web, space.api
    handle = f"@brest_lapaz@{nodes['a'].domain}"
    await _subscribe(web["jorge"], handle, "join")
    await _subscribe(web["ana"], handle, "join")
    await _subscribe(web["carla"], handle, "follow")
    await _approve_everyone(web["maelle"], 2)
    members = (await web["maelle"].get(MEMBERS)).text
    # Handles keep their port: two servers on one host are two servers.
    assert f"@jorge@{nodes['b'].domain}" in members and f"@ana@{nodes['c'].domain}" in members

    async def both_accepted() -> bool:
        pages = [(await web[p].get("/remote")).text for p in ("jorge", "ana", "carla")]
        return all("waiting for approval" not in page for page in pages)

    await _eventually(both_accepted)
    thread_on_a = await _share_everything(space)
    partner_only = (SECRET, THREAD, MEETING, FILE)

    async def partners_have_everything() -> bool:
        feeds = [await _feed(web[p]) for p in ("jorge", "ana")]
        return all(all(t in f for t in (PUBLIC, *partner_only)) for f in feeds)

    await _eventually(partners_have_everything)  # members get public news without following

    async def carla_has_the_news() -> bool:
        return PUBLIC in await _feed(web["carla"])

    await _eventually(carla_has_the_news)
    for outsider, path in (("carla", "/feed"), ("nadia", "/t/brest_lapaz")):
        page = (await web[outsider].get(path)).text
        assert not [t for t in partner_only if t in page], outsider
    async with httpx.AsyncClient(base_url=space.base["c"]) as anonymous:
        assert SECRET not in (await anonymous.get("/feed")).text

    # Answers from B and from C reach A and each other, through the twinning.
    threads = {p: await _status_with(api[p], THREAD) for p in ("jorge", "ana")}
    for person, words in (("jorge", "Respuesta de Jorge"), ("ana", "Réponse d'Ana")):
        data = {"status": words, "in_reply_to_id": threads[person]["id"]}
        answered = await api[person].post("/api/v1/statuses", data=data)
        assert answered.status_code == 200, answered.text

    async def answers_everywhere() -> bool:
        on_a = (await web["maelle"].get(thread_on_a)).text
        on_b = await _answers(api["jorge"], threads["jorge"]["id"])
        on_c = await _answers(api["ana"], threads["ana"]["id"])
        return "Ana" in on_b and "Jorge" in on_c and "Jorge" in on_a and "Ana" in on_a

    await _eventually(answers_everywhere)
    carla_sees = (await api["carla"].get("/api/v1/timelines/home", params={"limit": 40})).json()
    assert not [s for s in carla_sees if THREAD in s["content"] or "Jorge" in s["content"]]

    # A public mention of a follower on another server notifies her there.
    carla = f"@carla@{nodes['c'].domain}"
    await _post(
        web["maelle"],
        "/t/brest_lapaz",
        "/t/brest_lapaz/updates",
        {"content_en": f"Thanks {carla} for following", "visibility": "public"},
    )

    async def carla_notified() -> bool:
        found = (await api["carla"].get("/api/v1/notifications")).json()
        return any(n["type"] == "mention" and "Thanks" in n["status"]["content"] for n in found)

    await _eventually(carla_notified)

    # Jorge leaves from B; Ana is removed on A.
    remote = (await web["jorge"].get("/remote")).text
    subscription = re.search(r'name="subscription_id" value="(\d+)"', remote)
    assert subscription
    await _post(
        web["jorge"], "/remote", "/remote/unsubscribe", {"subscription_id": subscription[1]}
    )
    assert SECRET not in await _feed(web["jorge"])  # what he had is no longer his

    async def jorge_gone_from_a() -> bool:
        return f"@jorge@{nodes['b'].domain}" not in (await web["maelle"].get(MEMBERS)).text

    await _eventually(jorge_gone_from_a)
    await _subscribe(web["jorge"], handle, "follow")  # still reading the public news

    async def jorge_follows() -> bool:
        return "waiting for approval" not in (await web["jorge"].get("/remote")).text

    await _eventually(jorge_follows)
    members = (await web["maelle"].get(MEMBERS)).text
    role_form = r'name="remote_id" value="(\d+)">\s*<input type="hidden" name="action"'
    ana_id = re.search(role_form, members)
    assert ana_id
    await _post(
        web["maelle"], MEMBERS, MEMBERS, {"action": "remove_remote", "remote_id": ana_id[1]}
    )

    async def ana_removed_on_c() -> bool:
        page = (await web["ana"].get("/remote")).text
        return "brest_lapaz" not in page.split("Your twinnings on other instances")[-1]

    await _eventually(ana_removed_on_c)
    assert SECRET not in await _feed(web["ana"])
    later, marker = "Partners only, after they went", "Public, after they went"
    for content, visibility in ((later, "partners"), (marker, "public")):
        await _post(
            web["maelle"],
            "/t/brest_lapaz",
            "/t/brest_lapaz/updates",
            {"content_en": content, "visibility": visibility},
        )

    async def marker_on_b_and_c() -> bool:
        return marker in await _feed(web["carla"]) and marker in await _feed(web["jorge"])

    await _eventually(marker_on_b_and_c)
    for person in ("jorge", "ana"):
        assert later not in await _feed(web[person]), person
        home = (await api[person].get("/api/v1/timelines/home", params={"limit": 40})).json()
        assert not [s for s in home if later in s["content"]], person
