"""A poll in a real browser (Debian's chromium) against a real ``jumelage serve``: Maëlle opens
the poll fields of the update form (a ``details`` element, no script), Jorge votes with a
radio button on the feed and sees the results, in text, at 390 px and 1280 px. Screenshots go
to the run's output folder (``JUMELAGE_TEST_OUTPUT``, or pytest's base temporary folder)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.conftest import requires_chromium
from tests.browser.test_twinning_tabs import SLUG, _fits, _log_in, _person, shots  # noqa: F401

pytestmark = requires_chromium


async def _twinning(base: str) -> None:
    maelle = await _person(base, "maelle")
    twinning = {"slug": SLUG, "title_en": "Brest – La Paz", "primary_language": "en"}
    twinning |= {"summary_en": "Participatory budgets", "join_policy": "open"}
    twinning |= {"languages": "en", "phase": "agreement", "licence": "CC-BY-SA-4.0"}
    await maelle.post("/twinnings/new", "/twinnings/new", twinning)
    jorge = await _person(base, "jorge")
    await jorge.post(f"/t/{SLUG}", f"/t/{SLUG}/join", {})
    await maelle.http.aclose()
    await jorge.http.aclose()


async def test_a_poll_is_made_and_voted_on_in_the_browser(
    server: str,
    browser: Browser,
    shots: Path,  # noqa: F811
) -> None:
    await _twinning(server)
    page = await browser.new_page(viewport={"width": 1280, "height": 900})
    await _log_in(page, server, "maelle")
    await page.goto(f"{server}/t/{SLUG}")
    await page.get_by_label("Write an update…").fill("When shall we meet in La Paz?")
    await page.get_by_text("Add a poll (optional)").click()
    await page.get_by_label("Option 1").fill("In March")
    await page.get_by_label("Option 2").fill("In April")
    await page.get_by_label("Option 3").fill("Later in the year")
    await page.get_by_label("Public").check()
    await page.screenshot(path=shots / "poll-form-1280.png", full_page=True)
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("button", name="Vote")).to_have_count(1)
    await page.close()

    for width in (390, 1280):
        context = await browser.new_context(viewport={"width": width, "height": 900})
        page = await context.new_page()
        await _log_in(page, server, "jorge")
        await page.goto(f"{server}/t/{SLUG}")
        if width == 390:
            await page.screenshot(path=shots / "poll-vote-390.png", full_page=True)
            await page.get_by_label("In April").check()
            await page.get_by_role("button", name="Vote").click()
        else:
            await page.goto(f"{server}/t/{SLUG}")
        results = page.locator("ul.poll-results").first
        await expect(results).to_contain_text("In April")
        await expect(results).to_contain_text("100 % · 1 vote")
        await expect(page.get_by_role("button", name="Vote")).to_have_count(0)
        assert await _fits(page)
        await page.screenshot(path=shots / f"poll-results-{width}.png", full_page=True)
        await context.close()
