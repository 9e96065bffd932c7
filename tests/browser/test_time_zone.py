"""A real browser in La Paz: the sign-up page preselects the browser's time zone, and the
account then reads a meeting scheduled in Paris at La Paz time, with the meeting's own time
beside it. Screenshots of the meeting at 390 and 1280 px go to the test's output folder."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.conftest import requires_chromium, sign_up
from tests.browser.test_member_home import LAPTOP, _new_twinning, _shoot, shots_dir

pytestmark = requires_chromium
NEXT_YEAR = datetime.now(UTC).year + 1


async def test_sign_up_preselects_the_browsers_zone_and_meetings_read_in_it(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    context = await browser.new_context(
        locale="en-GB", viewport=LAPTOP, timezone_id="America/La_Paz"
    )
    page = await context.new_page()
    await page.goto(server + "/signup")
    await expect(page.get_by_label("Time zone")).to_have_value("America/La_Paz")
    await sign_up(page, server, "rosa")
    await _new_twinning(page, server, "brest_lapaz", "Brest – La Paz")
    await page.goto(f"{server}/t/brest_lapaz/meetings")
    await page.get_by_text("Schedule a meeting").click()
    await expect(page.get_by_label("Time zone")).to_have_value("America/La_Paz")
    await page.locator("#event_title_en").fill("Twinning committee")
    await page.get_by_label("Starts").fill(f"{NEXT_YEAR}-01-16T00:00")
    await page.get_by_label("Ends").fill(f"{NEXT_YEAR}-01-16T01:30")
    await page.get_by_label("Time zone").select_option("Europe/Paris")
    await page.get_by_role("button", name="Schedule").click()
    when = page.locator("dl.event dd").first
    await expect(when).to_contain_text("7:00 PM – 8:30 PM (La Paz time)")
    await expect(when).to_contain_text("(Paris time, the meeting's zone)")
    await _shoot(page, shots_dir(tmp_path), "meeting")
