"""Walks every GET route, as HTML and as ActivityPub, as an anonymous visitor, a signed-in
non-member (with a pending request), an instance admin who is not a member, and a member: the
partner-only update reaches the member alone, including through search, the directory,
profiles, outboxes and pagination."""

from __future__ import annotations

import re

import httpx
from starlette.routing import Route

from models.accounts import Account
from models.content import ContentItem
from models.discussions import start_discussion
from models.events import EventInput, create_event
from models.media import attach, store_media
from models.memberships import request_to_join
from models.oauth import issue_token, register_app
from models.organisations import Organisation, OrganisationInput, create_organisation
from models.polls import PollInput, add_poll
from models.posting import post_reply, post_update
from models.programmes import ProgrammeInput, add_local_twinning, create_programme
from models.resources import ResourceInput, add_resource
from models.translation_requests import (
    LANGUAGE_PAIRS,
    TranslationRequest,
    ask_translation,
    set_pairs,
)
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from tests.conftest import log_in, make_account

MARKER = "zqxpartnersonlymarker"  # never typed into a search box, so never echoed
PARAMS_RE = re.compile(r"{(\w+)(?::\w+)?}")


async def _world() -> tuple[Twinning, ContentItem]:
    author = await make_account("author")
    partner = await make_account("partner")
    outsider = await make_account("outsider")
    await make_account("root", role="admin")
    await create_organisation(
        author,
        "org_a",
        OrganisationInput("Org A", "FR", "Brest", "", ["fr"], ["health"], {"fr": "Structure"}),
    )
    t = await create_twinning(
        author,
        "secret_t",
        TwinningInput(
            title={"fr": "Jumelage"}, fields_of_action=["health"], partner_slugs=["org_a"]
        ),
    )
    await Membership.create(twinning=t, account=partner, state="accepted")
    await request_to_join(outsider, t)
    secret = await post_update(
        author, t, "partners", {"fr": f"Budget {MARKER}"}, {"fr": f"Titre {MARKER}"}
    )
    await post_reply(partner, secret, {"fr": f"Réponse {MARKER}"})
    for name in ("outsider", "root"):  # they would translate it, were they members
        await set_pairs(await Account.get(username=name), LANGUAGE_PAIRS)
    await ask_translation(partner, secret, "es")
    await create_event(
        author,
        t,
        EventInput(
            {"fr": f"Réunion {MARKER}"},
            {},
            "2031-01-01T10:00",
            "2031-01-01T11:00",
            visibility="partners",
        ),
    )
    await start_discussion(author, t, "partners", {"fr": f"Sujet {MARKER}"}, {"fr": "Texte"})
    for n in range(25):
        await post_update(author, t, "public", {"en": f"public news {n}"})
    org = await Organisation.get(slug="org_a")  # its programme shows the twinning's figures
    programme = await create_programme(author, "prog_v", ProgrammeInput({"fr": "P"}), org)
    await add_local_twinning(author, programme, t.slug)
    return t, secret


def _get_paths(  # type: ignore[no-untyped-def]
    app, t: Twinning, item_id: int, reply_id: int, media: str, request_id: int
) -> list[str]:
    slug = t.slug
    handles = {"u": "author", "t": slug, "o": "org_a", "p": "prog_v"}
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if route.path.startswith("/api/v1/streaming/") and not route.path.endswith("/health"):
            continue  # a stream never ends; what reaches whom: tests/api/test_streaming.py
        prefix = route.path.split("/")[1]
        values = {
            "slug": handles.get(prefix, slug),
            "handle": handles.get(prefix, ""),
            "item_id": str(item_id),
            "reply_id": str(reply_id),
            "username": "author",
            "account_id": f"t{t.id}",
            "status_id": str(item_id),
            "list_id": str(t.id),
            "notification_id": "1",
            "media_id": "1",
            "name": media,
            "hashtag": "budget",
            "rest": "v1/unknown",
            "key": "0" * 40,
            "request_id": str(request_id),
            "scheduled_id": "1",
            "filter_id": "1",
            "keyword_id": "1",
            "filter_status_id": "1",
            "task_id": "1",
            "group_id": "1",
            "poll_id": "0",
        }
        paths.append(PARAMS_RE.sub(lambda m, v=values: v[m.group(1)], route.path))
    extras = [
        f"/t/{slug}?page=2",
        f"/t/{slug}?page=3",
        "/directory?kind=updates&q=titre",
        "/directory?kind=updates&page=2",
        "/directory?kind=updates&q=budget",
        "/directory?q=budget",
        "/u/author?page=2",
        "/u/partner",  # wrote only a reply, which has no twinning of its own
        f"/t/{slug}/members?page=2",
        f"/t/{slug}/meetings?page=2",
        f"/t/{slug}/resources?page=2",
        f"/t/{slug}/members/remove?username=partner",
        f"/t/{slug}/members/remove?remote_id=1",
        f"/t/{slug}/outbox?page=1",
        f"/t/{slug}/outbox?page=2",
        "/u/author/outbox?page=2",
        "/.well-known/webfinger?resource=acct:author@t.localhost",
        f"/api/v1/statuses/{reply_id}",
        f"/api/v1/statuses/{reply_id}/context",
        f"/api/v1/accounts/t{t.id}/statuses?max_id=99999",
        "/api/v1/accounts/p1/statuses",
        "/api/v2/search?q=budget",
        "/api/v2/search?q=titre&type=statuses",
        "/api/v1/timelines/home?limit=40",
        "/api/v1/timelines/public?limit=40",
        f"/api/v1/timelines/list/{t.id}?limit=40",
        "/api/v1/notifications",
        f"/t/{slug}/events.ics",
        "/resources?kind=link",
        "/resources?q=guide",
        "/feed.atom",
        f"/t/{slug}/feed.atom",
    ]
    return paths + extras


AP = {"Accept": "application/activity+json"}


async def _token(username: str) -> str:
    """A Mastodon-app token of the viewer, so the client API is walked as them too."""
    app, _ = await register_app("walk", "urn:ietf:wg:oauth:2.0:oob", "read", "")
    _, token, _ = await issue_token(app, await Account.get(username=username), "read")
    return str(token)


async def _bodies(client: httpx.AsyncClient, paths: list[str]) -> dict[str, httpx.Response]:
    """Each path as a browser and as an ActivityPub client asks for it."""
    seen = {p: await client.get(p) for p in paths}
    seen.update({f"{p} (activity+json)": await client.get(p, headers=AP) for p in paths})
    return seen


async def test_partner_only_update_reaches_members_alone_on_every_route(app) -> None:  # type: ignore[no-untyped-def]
    t, secret = await _world()
    reply = await ContentItem.get(in_reply_to_id=secret.id)
    author = await Account.get(username="author")
    photo = await store_media(author, app.state.settings.data_dir, b"%PDF-1.4 " + MARKER.encode())
    await attach(secret, [photo.id])
    await add_resource(
        author,
        t,
        ResourceInput(
            {"fr": f"Guide {MARKER}"}, {}, url="https://example.org/guide", visibility="partners"
        ),
        app.state.settings.data_dir,
    )
    asked = await TranslationRequest.get(item=secret)
    poll = await add_poll(secret, PollInput([f"Oui {MARKER}", "Non"], 3600))
    paths = [
        *_get_paths(app, t, secret.id, reply.id, photo.name, asked.id),
        f"/api/v1/polls/{poll.id}",
    ]
    assert len(paths) > 15
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    seen: dict[str, dict[str, httpx.Response]] = {}
    for viewer in (None, "outsider", "root", "partner"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t.localhost") as c:
            if viewer:
                await log_in(c, viewer)
                c.headers["Authorization"] = f"Bearer {await _token(viewer)}"
            seen[viewer or "anonymous"] = await _bodies(c, paths)
    for viewer in ("anonymous", "outsider", "root"):
        for path, response in seen[viewer].items():
            assert response.status_code < 500, (viewer, path)
            assert MARKER not in response.text, (viewer, path)
        item_page = seen[viewer][f"/t/{t.slug}/updates/{secret.id}"]
        assert item_page.status_code == 404
        assert seen[viewer][f"/translations/{asked.id}"].status_code in (302, 303, 404)
    member = seen["partner"]
    assert member[f"/t/{t.slug}/updates/{secret.id}"].status_code == 200
    for path in (
        "/resources",
        "/resources?q=guide",
        f"/api/v1/statuses/{secret.id}",
        f"/api/v1/statuses/{reply.id}/context",
        "/api/v2/search?q=budget",
        f"/media/{photo.name}",
        "/api/v1/timelines/home?limit=40",
        f"/t/{t.slug}?page=2",
        "/directory?kind=updates&q=budget",
        f"/t/{t.slug}/updates/{secret.id}",
        "/u/author?page=2",
        "/directory?kind=updates&page=2",
    ):
        assert MARKER in member[path].text, path
    for tab in ("/discussions", "/meetings", "/resources"):  # the feed: page 2 above
        assert MARKER in member[f"/t/{t.slug}{tab}"].text, tab


async def test_pagination_counts_do_not_reveal_partner_items(app) -> None:  # type: ignore[no-untyped-def]
    t, _ = await _world()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.localhost") as c:
        page2 = await c.get(f"/t/{t.slug}?page=2")
    # 25 public updates: page 2 holds 5 of them and no link to a page 3.
    assert page2.text.count('class="update"') == 5
    assert "page=3" not in page2.text
