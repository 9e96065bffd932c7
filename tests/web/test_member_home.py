"""The member's home and the notifications page, through the app: unread counts per space of
each twinning, one feed, upcoming meetings in the reader's zone or the meeting's, what waits
for the member, and notifications read alike on the web and in the Mastodon API. Partner-only
items reach no one else, counts included."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from models.accounts import Account
from models.discussions import start_discussion
from models.events import EventInput, create_event
from models.memberships import decide_request, invite, request_to_join
from models.notifications import Notification
from models.oauth import issue_token, register_app
from models.posting import post_reply, post_update
from models.seen import unread_counts
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from server.dates import day_and_time
from tests.conftest import log_in, make_account, post_form

SECRET = "zqxbudgetpartnersonly"
NEXT_YEAR = datetime.now(UTC).year + 1


async def _join(account: Account, twinning: Twinning, moderator: Account) -> None:
    await request_to_join(account, twinning)
    await decide_request(moderator, twinning, account.username, accept=True)


async def _two_twinnings() -> tuple[Account, Account, Twinning, Twinning]:
    """Inès belongs to two twinnings; Pablo, her partner, runs both."""
    pablo = await make_account("pablo")
    ines = await make_account("ines")
    brest = await create_twinning(pablo, "brest", TwinningInput(title={"fr": "Brest – La Paz"}))
    lima = await create_twinning(pablo, "lima", TwinningInput(title={"es": "Lima – Lyon"}))
    for t in (brest, lima):
        await _join(ines, t, pablo)
    return pablo, ines, brest, lima


async def _token(account: Account) -> str:
    app, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, account, "read write")
    return str(token)


def _pill(html: str, slug: str, space: str) -> int:
    """The unread count drawn on the home for one space of one twinning (0 when none)."""
    row = html.split(f'href="/t/{slug}"', 1)[1].split('class="twinning-row"', 1)[0]
    match = re.search(rf'data-space="{space}">(\d+)', row)
    return int(match.group(1)) if match else 0


async def test_member_home_counts_what_is_new_in_each_space_of_each_twinning(
    client: httpx.AsyncClient,
) -> None:
    pablo, ines, brest, lima = await _two_twinnings()
    await post_update(pablo, brest, "partners", {"fr": SECRET})
    await post_update(pablo, brest, "public", {"fr": "Nouvelles publiques"})
    thread = await start_discussion(
        pablo, brest, "partners", {"fr": "Calendrier"}, {"fr": "On en parle ?"}
    )
    await create_event(
        pablo,
        lima,
        EventInput(
            title={"es": "Reunión de lanzamiento"},
            description={},
            starts=f"{NEXT_YEAR}-01-15T10:00",
            ends=f"{NEXT_YEAR}-01-15T12:00",
            timezone="Europe/Paris",
            visibility="partners",
        ),
    )
    await post_update(ines, lima, "public", {"es": "Lo mío no cuenta"})
    await log_in(client, "ines")
    home = (await client.get("/", headers={"Accept-Language": "en"})).text
    assert "My twinnings" in home and "Brest – La Paz" in home and "Lima – Lyon" in home
    assert _pill(home, "brest", "updates") == 2 and _pill(home, "brest", "discussions") == 1
    assert _pill(home, "lima", "meetings") == 1 and _pill(home, "lima", "updates") == 0
    assert SECRET in home and "Reunión de lanzamiento" in home
    # The meeting in the instance's zone (the account chose none) and its own, no seconds.
    assert "09:00" in home and "10:00" in home and "10:00:00" not in home
    assert "Paris time, the meeting" in home

    seen = await post_form(client, "/", "/home/seen", {"twinning": "brest"})
    assert seen.status_code == 303
    home = (await client.get("/")).text
    assert _pill(home, "brest", "updates") == 0 and _pill(home, "lima", "meetings") == 1
    await post_reply(pablo, thread, {"fr": "Oui"})  # an answer is news of the discussions
    assert (await unread_counts(ines, [brest.id]))[brest.id]["discussions"] == 1
    assert (await client.get(f"/t/brest/updates/{thread.id}")).status_code == 200
    assert (await unread_counts(ines, [brest.id]))[brest.id]["discussions"] == 0  # opened
    assert (await client.get("/t/lima/meetings")).status_code == 200  # the tab opened
    counts = (await unread_counts(ines, [lima.id]))[lima.id]
    assert counts["meetings"] == 0


async def test_non_member_never_sees_a_partner_only_item_or_its_count(
    client: httpx.AsyncClient,
) -> None:
    pablo, _ines, brest, _lima = await _two_twinnings()
    outsider = await make_account("outsider")
    await post_update(pablo, brest, "partners", {"fr": SECRET})
    await log_in(client, "outsider")
    for path in ("/", "/notifications", "/about"):
        page = await client.get(path)
        assert page.status_code == 200 and SECRET not in page.text, path
    assert 'class="count"' not in (await client.get("/")).text  # no unread bell count
    assert await unread_counts(outsider, [brest.id]) == {}
    assert not await Notification.filter(account=outsider).exists()


async def test_notifications_page_and_api_agree_on_what_is_read(
    client: httpx.AsyncClient,
) -> None:
    pablo, ines, brest, _lima = await _two_twinnings()
    await post_update(pablo, brest, "partners", {"fr": SECRET})
    token = await _token(ines)
    api = {"Authorization": f"Bearer {token}"}
    listed = (await client.get("/api/v1/notifications", headers=api)).json()
    assert [n["type"] for n in listed] == ["status"]
    assert (await client.get("/api/v1/notifications/unread_count", headers=api)).json() == {
        "count": 1
    }
    await log_in(client, "ines")
    home = (await client.get("/", headers={"Accept-Language": "en"})).text
    assert re.search(r'class="count" aria-hidden="true">1<', home)
    page = (await client.get("/notifications", headers={"Accept-Language": "en"})).text
    assert "posted in Brest – La Paz" in page and SECRET in page and "New" in page
    assert (await client.get("/api/v1/notifications/unread_count", headers=api)).json() == {
        "count": 0
    }
    markers = await client.get("/api/v1/markers?timeline[]=notifications", headers=api)
    assert markers.json()["notifications"]["last_read_id"] == listed[0]["id"]
    assert 'class="count"' not in (await client.get("/")).text

    # Dismissed on the web: gone for apps too; a stranger's id is not found.
    dismissed = await post_form(
        client, "/notifications", f"/notifications/{listed[0]['id']}/dismiss", {}
    )
    assert dismissed.status_code == 303
    assert (await client.get("/api/v1/notifications", headers=api)).json() == []
    other = await post_form(client, "/notifications", "/notifications/999999/dismiss", {})
    assert other.status_code == 404


async def test_an_app_marking_notifications_read_clears_the_bell(
    client: httpx.AsyncClient,
) -> None:
    pablo, ines, brest, _lima = await _two_twinnings()
    await post_update(pablo, brest, "partners", {"fr": SECRET})
    await log_in(client, "ines")
    assert 'class="count"' in (await client.get("/")).text
    token = await _token(ines)
    newest = await Notification.filter(account=ines).order_by("-id").first()
    assert newest is not None
    saved = await client.post(
        "/api/v1/markers",
        headers={"Authorization": f"Bearer {token}"},
        data={"notifications[last_read_id]": str(newest.id)},
    )
    assert saved.status_code == 200, saved.text
    assert 'class="count"' not in (await client.get("/")).text
    page = (await client.get("/notifications")).text
    assert 'class="notification new"' not in page and SECRET in page


async def test_what_waits_for_the_member_invitations_and_requests_they_moderate(
    client: httpx.AsyncClient,
) -> None:
    pablo, _ines, brest, _lima = await _two_twinnings()
    closed = await create_twinning(
        pablo, "closed", TwinningInput(title={"en": "Closed circle"}, join_policy="invitation")
    )
    newcomer = await make_account("newcomer")
    await request_to_join(newcomer, brest)
    await invite(pablo, closed, "ines")
    await log_in(client, "pablo")
    home = (await client.get("/", headers={"Accept-Language": "en"})).text
    assert "Waiting for you" in home and "asks to join" in home and "newcomer" in home
    approved = await post_form(
        client, "/", "/t/brest/members", {"action": "approve", "username": "newcomer"}
    )
    assert approved.status_code == 303
    assert await Membership.filter(account=newcomer, twinning=brest, state="accepted").exists()
    assert "Waiting for you" not in (await client.get("/")).text

    client.cookies.clear()
    await log_in(client, "ines")
    home = (await client.get("/", headers={"Accept-Language": "en"})).text
    assert "You are invited to join" in home and "Closed circle" in home
    joined = await post_form(client, "/", "/t/closed/join", {})
    assert joined.status_code == 303
    assert await Membership.filter(
        twinning=closed, account__username="ines", state="accepted"
    ).exists()


def test_dates_show_without_seconds_in_the_zone_asked() -> None:
    """In the zone asked, to the minute; an unknown zone reads as UTC."""
    moment = datetime(NEXT_YEAR, 1, 15, 14, 0, 5, tzinfo=UTC)
    assert "10:00" in day_and_time(moment, "America/La_Paz", "fr")
    assert "15:00" in day_and_time(moment, "Europe/Paris", "fr")
    assert ":05" not in day_and_time(moment, "Europe/Paris", "fr")
    assert "14:00" in day_and_time(moment, "Nowhere/Atlantis", "fr")


async def test_visitors_keep_the_presentation_page(client: httpx.AsyncClient) -> None:
    page = await client.get("/", headers={"Accept-Language": "en"})
    assert "The twinning method" in page.text and "My twinnings" not in page.text
    assert (await client.get("/notifications")).status_code in (302, 303)
