"""A real browser (Debian's chromium driven by Playwright) against a real ``jumelage serve``:
a member of two twinnings sees both on her home with what is new in each; a partner posts a
partners-only update; her home and her bell count it; opening the notifications page marks it
read, and the Mastodon API of the same server (httpx) then says so; a non-member never sees
the item or its count. Screenshots at 390 and 1280 px go to the test's output folder."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import requires_chromium, sign_up

pytestmark = requires_chromium
SECRET = "Partners-only budget line 8812"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


def shots_dir(tmp_path: Path) -> Path:
    """``JUMELAGE_SCREENSHOTS`` when set (CI keeps it as an artefact), else the test's
    temporary folder."""
    folder = Path(os.environ.get("JUMELAGE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _context(browser: Browser) -> BrowserContext:
    return await browser.new_context(locale="en-GB", viewport=LAPTOP)


async def _new_twinning(page: Page, base: str, slug: str, title: str) -> None:
    await page.goto(base + "/twinnings/new")
    await page.get_by_label("Handle").fill(slug)
    await page.locator("#title_en").fill(title)
    await page.get_by_label("Health").check()
    await page.get_by_label("Who may join").select_option("open")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", name=title)).to_be_visible()


async def _post(page: Page, base: str, slug: str, text: str, partners: bool) -> None:
    await page.goto(f"{base}/t/{slug}")
    await page.locator("#content_en").fill(text)
    audience = "Partners only" if partners else "Public"  # partners only is the default
    await page.get_by_role("region", name="Post an update").get_by_label(audience).check()
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_text(text)).to_be_visible()


async def _token(base: str, username: str) -> str:
    """An app's token by the password grant, as a Mastodon app gets one."""
    async with httpx.AsyncClient(base_url=base) as api:
        app = (
            await api.post(
                "/api/v1/apps",
                data={
                    "client_name": "tests",
                    "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                    "scopes": "read write",
                },
            )
        ).json()
        token = await api.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": f"{username}@example.org",
                "password": "a long enough password",
                "scope": "read write",
            },
        )
        assert token.status_code == 200, token.text
        return str(token.json()["access_token"])


async def _shoot(page: Page, folder: Path, name: str) -> None:
    for label, size in (("1280", LAPTOP), ("390", PHONE)):
        await page.set_viewport_size(size)
        await page.screenshot(path=str(folder / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(LAPTOP)


def _space(page: Page, twinning: str, space: str):  # type: ignore[no-untyped-def]
    row = page.locator(".twinning-row").filter(has=page.get_by_role("link", name=twinning))
    return row.locator(f'[data-space="{space}"]')


async def test_member_home_counts_a_partners_update_and_notifications_are_read_on_both_sides(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    folder = shots_dir(tmp_path)
    pablo = await (await _context(browser)).new_page()
    await sign_up(pablo, server, "pablo")
    await _new_twinning(pablo, server, "brest_lapaz", "Brest – La Paz")
    await _new_twinning(pablo, server, "lima_lyon", "Lima – Lyon")
    await _post(pablo, server, "lima_lyon", "Public news from Lima", partners=False)

    ines = await (await _context(browser)).new_page()
    await sign_up(ines, server, "ines")
    for slug in ("brest_lapaz", "lima_lyon"):
        await ines.goto(f"{server}/t/{slug}")
        await ines.get_by_role("button", name="Join").click()
        await expect(ines.get_by_role("link", name="Leave", exact=True)).to_be_visible()

    await ines.goto(server + "/")
    mine = ines.get_by_role("region", name="My twinnings")
    await expect(mine.get_by_role("link", name="Brest – La Paz")).to_be_visible()
    await expect(mine.get_by_role("link", name="Lima – Lyon")).to_be_visible()
    await expect(_space(ines, "Brest – La Paz", "updates")).to_have_count(0)
    bell = ines.locator("header .bell")
    await expect(bell.locator(".count")).to_have_count(0)

    await _post(pablo, server, "brest_lapaz", SECRET, partners=True)

    await ines.goto(server + "/")
    await expect(_space(ines, "Brest – La Paz", "updates")).to_have_text(re.compile(r"^1"))
    await expect(_space(ines, "Lima – Lyon", "updates")).to_have_count(0)
    await expect(ines.get_by_role("region", name="Feed").get_by_text(SECRET)).to_be_visible()
    await expect(bell.locator(".count")).to_have_text("1")
    await expect(bell).to_have_accessible_name("Notifications: 1 unread")
    await _shoot(ines, folder, "member-home")

    token = await _token(server, "ines")
    api = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=server, headers=api) as client:
        unread = (await client.get("/api/v1/notifications/unread_count")).json()
        assert unread == {"count": 1}
        listed = (await client.get("/api/v1/notifications")).json()
        assert [(n["type"], SECRET in n["status"]["content"]) for n in listed] == [("status", True)]

    await bell.click()
    await expect(ines).to_have_url(server + "/notifications")
    item = ines.locator(".notification").first
    await expect(item).to_contain_text("posted in Brest – La Paz")
    await expect(item).to_contain_text(SECRET)
    await expect(item.locator(".new-mark")).to_be_visible()  # new when opened
    await expect(bell.locator(".count")).to_have_count(0)
    await _shoot(ines, folder, "notifications")

    async with httpx.AsyncClient(base_url=server, headers=api) as client:
        assert (await client.get("/api/v1/notifications/unread_count")).json() == {"count": 0}
        markers = (await client.get("/api/v1/markers?timeline[]=notifications")).json()
        assert markers["notifications"]["last_read_id"] == listed[0]["id"]

    await ines.reload()
    await expect(ines.locator(".notification .new-mark")).to_have_count(0)

    outsider = await (await _context(browser)).new_page()
    await sign_up(outsider, server, "outsider")
    for path in ("/", "/notifications", "/t/brest_lapaz", "/about"):
        await outsider.goto(server + path)
        assert SECRET not in await outsider.content(), path
    await outsider.goto(server + "/")
    await expect(outsider.locator("header .bell .count")).to_have_count(0)
    await expect(outsider.get_by_text("You do not belong to a twinning yet.")).to_be_visible()
    await _shoot(outsider, folder, "outsider-home")
    visitor = await (await browser.new_context(locale="en-GB", viewport=LAPTOP)).new_page()
    await visitor.goto(server + "/")
    assert SECRET not in await visitor.content()
    await expect(visitor.get_by_role("heading", name="The twinning method")).to_be_visible()
