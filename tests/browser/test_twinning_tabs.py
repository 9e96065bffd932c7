"""A twinning in tabs, in a real browser (Debian's chromium) against a real ``jumelage serve``:
each tab at its own address, at 390 px and 1280 px, as a visitor, a signed-in non-member and a
member; partner-only items and their counts reach the member alone; leaving and deleting ask
first; the settings page fits a phone. Screenshots of every tab go to the run's output folder
(``JUMELAGE_TEST_OUTPUT``, or pytest's base temporary folder)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import requires_chromium

pytestmark = requires_chromium
PASSWORD = "a long enough password"
SLUG = "brest_lapaz"
TABS = {
    "feed": f"/t/{SLUG}",
    "discussions": f"/t/{SLUG}/discussions",
    "meetings": f"/t/{SLUG}/meetings",
    "resources": f"/t/{SLUG}/resources",
    "members": f"/t/{SLUG}/members",
    "about": f"/t/{SLUG}/about",
}
# One partner-only item per tab that lists items, and one public one.
SECRETS = {
    "feed": "Partner budget zq1",
    "discussions": "Partner thread zq2",
    "meetings": "Partner meeting zq3",
    "resources": "Partner guide zq4",
}
PUBLIC = {
    "feed": "Public news of the twinning",
    "discussions": "Public thread",
    "meetings": "Public meeting",
    "resources": "Public guide",
}
# Each tab's form posts to the tab's own address.
ACTIONS = {tab: TABS[tab] for tab in ("feed", "discussions", "meetings", "resources")}
WIDTHS = (390, 1280)


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = os.environ.get("JUMELAGE_TEST_OUTPUT")
    folder = (Path(root) if root else tmp_path_factory.getbasetemp()) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Person:
    """Someone using the server over HTTP with their own cookies, the way the forms do."""

    http: httpx.AsyncClient

    async def post(self, page: str, action: str, data: dict, files: dict | None = None) -> str:
        token = _csrf((await self.http.get(page)).text)
        answer = await self.http.post(action, data={"csrf_token": token, **data}, files=files)
        assert answer.status_code == 303, (action, answer.status_code, answer.text[:2000])
        return answer.headers["location"]


async def _person(base: str, username: str) -> Person:
    person = Person(httpx.AsyncClient(base_url=base))
    data = {"username": username, "email": f"{username}@example.org", "password": PASSWORD}
    await person.post("/signup", "/signup", data)
    return person


async def _world(base: str) -> dict[str, str]:
    """Maëlle's twinning with Jorge as a partner, an item of each kind in each audience, and a
    reply by Jorge; Otto has an account but is no member. Returns item addresses."""
    maelle = await _person(base, "maelle")
    org = {"slug": "brest_num", "name": "Brest Numérique", "country": "FR", "fields": "health"}
    await maelle.post("/organisations/new", "/organisations/new", {**org, "languages": "fr"})
    twinning = {"slug": SLUG, "title_en": "Brest – La Paz", "primary_language": "en"}
    twinning |= {"summary_en": "Participatory budgets in two cities", "join_policy": "open"}
    twinning |= {"partners": "brest_num", "languages": "en", "phase": "agreement"}
    twinning |= {"licence": "CC-BY-SA-4.0", "description_en": "We learn from each other."}
    await maelle.post("/twinnings/new", "/twinnings/new", twinning)
    jorge = await _person(base, "jorge")
    await jorge.post(TABS["feed"], f"/t/{SLUG}/join", {})
    await (await _person(base, "otto")).http.aclose()
    where: dict[str, str] = {}
    feed = TABS["feed"]  # every form's page carries the same session's CSRF token
    for visibility, texts in (("public", PUBLIC), ("partners", SECRETS)):
        common = {"visibility": visibility}
        where[f"update-{visibility}"] = await maelle.post(
            feed, ACTIONS["feed"], {**common, "content_en": texts["feed"]}
        )
        await maelle.post(
            feed,
            ACTIONS["discussions"],
            {**common, "subject_en": texts["discussions"], "message_en": "Let us talk."},
        )
        meeting = {"event_title_en": texts["meetings"], "timezone": "Europe/Paris"}
        meeting |= {"starts": "2031-03-01T10:00", "ends": "2031-03-01T12:00"}
        await maelle.post(feed, ACTIONS["meetings"], {**common, **meeting})
        resource = {"resource_title_en": texts["resources"], "resource_kind": "link"}
        resource |= {"url": "https://example.org/guide", "licence": "CC-BY-SA-4.0"}
        await maelle.post(feed, ACTIONS["resources"], {**common, **resource})
    public_update = where["update-public"]
    await jorge.post(public_update, f"{public_update}/replies", {"reply_en": "Well done!"})
    await maelle.http.aclose()
    await jorge.http.aclose()
    return where


async def _log_in(page: Page, base: str, username: str) -> None:
    await page.goto(base + "/login")
    await page.get_by_label("User name").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    # Signed in: the header's menu holds the log-out button (folded away at most widths).
    await expect(page.locator("header form[action='/logout']")).to_have_count(1)


async def _fits(page: Page) -> bool:
    """No sideways scrolling: the page is no wider than the window."""
    return bool(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


async def _tab_count(page: Page, tab: str) -> int:
    label = (
        await page.get_by_role("navigation", name="Sections of the twinning")
        .get_by_role("link", name=re.compile(tab, re.I))
        .locator(".count")
        .inner_text()
    )
    return int(label)


async def test_every_tab_shows_partner_items_to_members_alone(
    server: str, browser: Browser, shots: Path
) -> None:
    await _world(server)
    for viewer in ("visitor", "otto", "jorge"):
        for width in WIDTHS:
            context = await browser.new_context(
                locale="en-GB", viewport={"width": width, "height": 900}
            )
            page = await context.new_page()
            if viewer != "visitor":
                await _log_in(page, server, viewer)
            member = viewer == "jorge"
            for tab, path in TABS.items():
                answer = await page.goto(server + path)
                assert answer is not None and answer.status == 200, (viewer, tab)
                nav = page.get_by_role("navigation", name="Sections of the twinning")
                await expect(nav.locator("[aria-current=page]")).to_have_count(1)
                html = await page.content()
                for secret in SECRETS.values():
                    assert (secret in html) == (member and SECRETS.get(tab) == secret), (
                        viewer,
                        tab,
                        secret,
                    )
                if tab in PUBLIC:
                    await expect(page.get_by_text(PUBLIC[tab]).first).to_be_visible()
                    assert await _tab_count(page, tab) == (2 if member else 1), (viewer, tab)
                assert await _fits(page), (viewer, tab, width)
                shot = shots / f"tab-{tab}-{viewer}-{width}.png"
                await page.screenshot(path=shot, full_page=True)
            await context.close()


async def test_a_member_writes_from_the_feed_and_the_form_says_who_will_see(
    server: str, browser: Browser
) -> None:
    await _world(server)
    page = await (await browser.new_context(locale="en-GB")).new_page()
    await _log_in(page, server, "jorge")
    await page.goto(server + TABS["feed"])
    compose = page.get_by_role("region", name="Post an update")
    partners = compose.get_by_role("radio", name=re.compile("Partners only"))
    await expect(partners).to_be_checked()  # inside a twinning, partners-only by default
    await expect(compose.get_by_text("the 2 partners of this twinning")).to_be_visible()
    await expect(
        compose.get_by_text("anyone on the internet, including other servers")
    ).to_be_visible()
    await compose.get_by_label("Write an update…").fill("Written from the feed zq9")
    await compose.get_by_role("button", name="Publish").click()
    await expect(page.get_by_text("Written from the feed zq9")).to_be_visible()
    await expect(page.locator(".badge.partners").first).to_have_text("Partners only")
    await page.go_back()
    await expect(page).to_have_url(server + TABS["feed"])


async def test_leaving_and_deleting_ask_first(server: str, browser: Browser, shots: Path) -> None:
    where = await _world(server)
    jorge = await (await browser.new_context(locale="en-GB")).new_page()
    await _log_in(jorge, server, "jorge")
    await jorge.goto(server + TABS["feed"])
    await jorge.get_by_role("link", name="Leave", exact=True).click()
    await expect(jorge.get_by_role("heading", name="Leave this twinning?")).to_be_visible()
    await jorge.screenshot(path=shots / "confirm-leave-1280.png")
    await jorge.get_by_role("link", name="Cancel").click()
    await expect(jorge.get_by_text(SECRETS["feed"])).to_be_visible()  # still a member
    await jorge.get_by_role("link", name="Leave", exact=True).click()
    await jorge.get_by_role("button", name="Leave the twinning").click()
    await expect(jorge.get_by_text("You left the twinning.")).to_be_visible()
    assert SECRETS["feed"] not in await jorge.content()

    maelle = await (await browser.new_context(locale="en-GB")).new_page()
    await _log_in(maelle, server, "maelle")
    secret = server + where["update-partners"]
    await maelle.goto(secret)
    await maelle.get_by_role("link", name="Delete").click()
    await expect(maelle.get_by_role("heading", name="Delete this item?")).to_be_visible()
    await maelle.get_by_role("link", name="Cancel").click()
    await expect(maelle).to_have_url(secret)  # nothing was deleted by the first click
    await maelle.get_by_role("link", name="Delete").click()
    await maelle.get_by_role("button", name="Delete").click()
    await expect(maelle.get_by_text("The update was deleted.")).to_be_visible()
    answer = await maelle.goto(secret)
    assert answer is not None and answer.status == 404


async def test_removing_a_member_asks_first(server: str, browser: Browser) -> None:
    await _world(server)
    maelle = await (await browser.new_context(locale="en-GB")).new_page()
    await _log_in(maelle, server, "maelle")
    await maelle.goto(server + TABS["members"])
    jorge_row = maelle.locator("ul.members li", has_text="jorge")
    await jorge_row.get_by_role("link", name="Remove").click()
    question = maelle.get_by_role("heading", name="Remove jorge from this twinning?")
    await expect(question).to_be_visible()
    await maelle.get_by_role("button", name="Remove").click()
    await expect(maelle.locator("ul.members li", has_text="jorge")).to_have_count(0)


async def test_the_settings_page_fits_a_phone(server: str, browser: Browser) -> None:
    page = await (
        await browser.new_context(locale="en-GB", viewport={"width": 390, "height": 800})
    ).new_page()
    await _person(server, "maelle")
    await _log_in(page, server, "maelle")
    await page.goto(server + "/settings")
    await expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    assert await _fits(page)


async def test_tab_presses_to_the_first_update(server: str, browser: Browser) -> None:
    """Keyboard users reach the first update past the header, the tabs and the compact write
    box; the number is printed for the record."""
    await _world(server)
    page = await (
        await browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    ).new_page()
    await _log_in(page, server, "jorge")
    await page.goto(server + TABS["feed"])
    presses = 0
    in_update = "document.activeElement.closest('[aria-labelledby=updates] article') !== null"
    while not await page.evaluate(in_update):
        await page.keyboard.press("Tab")
        presses += 1
        assert presses < 60, "the first update is never reached by keyboard"
    print(f"Tab presses from the top of the twinning page to its first update: {presses}")
    assert presses <= 30
