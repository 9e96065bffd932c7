"""The busiest routes fetch what a page of items needs in a fixed number of queries: a page
of 40 statuses sends no more SQL statements than a page of 5, and a web page or a document
sends no more once its lists are full than when they hold a few items.

The world is grown in rounds; every round holds each kind of item a page shows (updates with
a title, a translation, a picture and a poll, partner-only updates, another twinning's news, answers
from here and from another server), with favourites, reblogs and bookmarks, so that any page
of five items holds each kind and each fact, and a bigger page only holds more of them."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from models.accounts import Account
from models.content import ContentItem
from models.media import attach, store_media
from models.oauth import issue_token, register_app
from models.polls import PollInput, add_poll, vote
from models.posting import post_reply, post_update
from models.remote import RemoteActor, now
from models.social import follow_local
from models.translations import translate
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from models.visibility import store_audience
from tests.conftest import log_in, make_account
from tests.photos import gps_photo
from tests.query_count import queries_of

AP = {"Accept": "application/activity+json"}
BASE = "http://testserver.localhost"


@dataclass
class World:
    alice: Account
    bob: Account
    carla: Account
    lapaz: Twinning
    bogota: Twinning
    ruth: RemoteActor
    root: ContentItem
    rounds: int = 0


async def _world() -> World:
    """Alice runs La Paz, where Bob and Carla are partners; Carla runs Bogotá, which Bob
    follows; Ruth answers from another server."""
    alice, bob, carla = [await make_account(n) for n in ("alice", "bob", "carla")]
    lapaz = await create_twinning(alice, "lapaz", TwinningInput(title={"fr": "Brest – La Paz"}))
    bogota = await create_twinning(carla, "bogota", TwinningInput(title={"es": "Lyon – Bogotá"}))
    for member in (bob, carla):
        await Membership.create(twinning=lapaz, account=member, state="accepted")
    await follow_local(bob, "twinning", bogota.id)
    ruth = await RemoteActor.create(
        uri="https://far.example/users/ruth",
        actor_type="Person",
        handle="@ruth@far.example",
        domain="far.example",
        name="Ruth",
        inbox="https://far.example/users/ruth/inbox",
        fetched_at=now(),
    )
    root = await post_update(alice, lapaz, "public", {"fr": "Le fil"}, {"fr": "Un fil"})
    return World(alice, bob, carla, lapaz, bogota, ruth, root)


async def _remote_answer(world: World, root: ContentItem, n: int) -> ContentItem:
    """Ruth's answer as the inbox keeps one: its own id, its audience copied from the thread."""
    answer = await ContentItem.create(
        kind="reply",
        in_reply_to=root,
        remote_author=world.ruth,
        uri=f"https://far.example/notes/{n}",
        visibility=root.visibility,
        content_map={"en": f"From afar {n}"},
        primary_language="en",
        search_text=f"from afar {n}",
    )
    await store_audience(answer)
    return answer


async def _react(client: httpx.AsyncClient, token: str, item: ContentItem, *acts: str) -> None:
    for act in acts:
        answer = await client.post(
            f"/api/v1/statuses/{item.id}/{act}", headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text


async def _round(world: World, client: httpx.AsyncClient, tokens: dict[str, str], app) -> None:  # type: ignore[no-untyped-def]
    """Five items, newest last: every kind a page shows, each with its facts."""
    n = world.rounds = world.rounds + 1
    news = await post_update(
        world.alice, world.lapaz, "public", {"fr": f"Nouvelles {n}"}, {"fr": f"Titre {n}"}
    )
    await translate(world.bob, news, "es", f"Noticias {n}", f"Título {n}")
    photo = await store_media(world.alice, app.state.settings.data_dir, gps_photo())
    await attach(news, [photo.id])
    poll = await add_poll(news, PollInput(["Oui", "Non"], 3600))
    await vote(world.bob, poll, [n % 2])
    secret = await post_update(world.alice, world.lapaz, "partners", {"fr": f"Budget {n}"})
    far = await post_update(world.carla, world.bogota, "public", {"es": f"Noticias {n}"})
    await post_reply(world.bob, news, {"fr": f"Bravo {n}"})
    await post_reply(world.carla, world.root, {"fr": f"Dans le fil {n}"})
    await _remote_answer(world, far, n)
    await _react(client, tokens["carla"], news, "favourite", "reblog")
    await _react(client, tokens["bob"], news, "favourite", "bookmark")
    await _react(client, tokens["bob"], secret, "favourite")
    await _react(client, tokens["bob"], far, "favourite", "reblog")


async def _token(account: Account) -> str:
    app, _ = await register_app("counts", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, account, "read write")
    return str(token)


async def _grow(world: World, client: httpx.AsyncClient, app, rounds: int) -> None:  # type: ignore[no-untyped-def]
    tokens = {name: await _token(await Account.get(username=name)) for name in ("bob", "carla")}
    for _ in range(rounds):
        await _round(world, client, tokens, app)


def _more_for_more(counts: dict[str, tuple[int, int]]) -> list[str]:
    """Prints each route's counts (small page, big page); names those where the big page
    sends more."""
    for label, (small, big) in counts.items():
        print(f"{label}: {small} queries for the small page, {big} for the big one")
    return [f"{label}: {small} then {big}" for label, (small, big) in counts.items() if big > small]


async def test_a_page_of_40_statuses_sends_no_more_queries_than_a_page_of_5(
    client: httpx.AsyncClient, app
) -> None:  # type: ignore[no-untyped-def]
    world = await _world()
    await _grow(world, client, app, 9)
    headers = {"Authorization": f"Bearer {await _token(world.bob)}"}
    mine = {"Authorization": f"Bearer {await _token(world.alice)}"}
    routes = {
        "home timeline": ("/api/v1/timelines/home", headers),
        "public timeline": ("/api/v1/timelines/public", headers),
        "public timeline, anonymous": ("/api/v1/timelines/public", {}),
        "a person's statuses": (f"/api/v1/accounts/p{world.alice.id}/statuses", headers),
        "a twinning's statuses": (f"/api/v1/accounts/t{world.lapaz.id}/statuses", headers),
        "notifications": ("/api/v1/notifications", mine),
    }
    counts = {}
    for label, (path, who) in routes.items():
        small, few = await queries_of(client, f"{path}?limit=5", who)
        big, many = await queries_of(client, f"{path}?limit=40", who)
        assert len(few.json()) == 5 and len(many.json()) > 15, label
        counts[label] = (small, big)
    assert _more_for_more(counts) == []


async def _pages(app, world: World) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The query count of each busy page, anonymous and as Bob (a partner of La Paz); each
    page shows the newest round."""
    lapaz, root = world.lapaz.slug, world.root.id
    anonymous = {
        "home page, anonymous": ("/", None),
        "twinning page, anonymous": (f"/t/{lapaz}", None),
        "update page, anonymous": (f"/t/{lapaz}/updates/{root}", None),
        "twinning actor document": (f"/t/{lapaz}", AP),
        "person actor document": ("/u/alice", AP),
        "update object document": (f"/t/{lapaz}/updates/{root}", AP),
        "thread of an update, client API": (f"/api/v1/statuses/{root}/context", None),
    }
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        counts = {label: await _shown(client, p, h, world) for label, (p, h) in anonymous.items()}
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        await log_in(client, "bob")
        counts.update(await _member_pages(client, world))
    return counts


async def _member_pages(client: httpx.AsyncClient, world: World) -> dict[str, int]:
    lapaz, root = world.lapaz.slug, world.root.id
    member = {
        "member home": "/",
        "twinning page, member": f"/t/{lapaz}",
        "update page, member": f"/t/{lapaz}/updates/{root}",
    }
    return {label: await _shown(client, p, None, world) for label, p in member.items()}


async def _shown(
    client: httpx.AsyncClient, path: str, headers: dict[str, str] | None, world: World
) -> int:
    count, answer = await queries_of(client, path, headers)
    newest = {"/": "Titre", f"/t/{world.lapaz.slug}": "Titre"}.get(path, "Dans le fil")
    if headers is None and not path.startswith("/u/"):
        assert f"{newest} {world.rounds}" in answer.text, path
    return count


async def test_busy_pages_send_as_many_queries_for_a_full_page_as_for_a_short_one(
    client: httpx.AsyncClient, app
) -> None:  # type: ignore[no-untyped-def]
    world = await _world()
    await _grow(world, client, app, 1)
    short = await _pages(app, world)
    await _grow(world, client, app, 8)
    full = await _pages(app, world)
    assert _more_for_more({label: (short[label], full[label]) for label in short}) == []
