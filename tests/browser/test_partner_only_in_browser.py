"""A real browser (Debian's chromium driven by Playwright) against a real ``jumelage serve``:
sign up, create an organisation and a twinning, post a partner-only update, and check that an
anonymous visitor and a signed-in non-member cannot see it."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.conftest import requires_chromium, sign_up

pytestmark = requires_chromium
SECRET = "Draft budget for partners 4711"


async def test_partner_only_update_stays_with_members(server: str, browser: Browser) -> None:
    member = await (await browser.new_context(locale="en-GB")).new_page()
    await sign_up(member, server, "maelle")

    await member.goto(server + "/organisations/new")
    await member.get_by_label("Handle").fill("brest_num")
    await member.get_by_label("Name", exact=True).fill("Brest Numérique")
    await member.get_by_label("Country (two-letter code)").fill("FR")
    await member.get_by_label("Local governance").check()
    await member.get_by_role("checkbox", name="French").check()
    await member.get_by_role("button", name="Save").click()
    await expect(member.get_by_role("heading", name="Brest Numérique")).to_be_visible()

    await member.goto(server + "/twinnings/new")
    await member.get_by_label("Handle").fill("brest_lapaz")
    await member.locator("#title_en").fill("Brest – La Paz")
    await member.get_by_label("Health").check()
    await member.get_by_label("Partner organisations").select_option("brest_num")
    await member.get_by_role("button", name="Save").click()
    await expect(member.get_by_role("heading", name="Brest – La Paz")).to_be_visible()

    await member.locator("#content_en").fill(SECRET)
    await member.get_by_role("region", name="Post an update").get_by_label("Partners only").check()
    await member.get_by_role("button", name="Publish").click()
    await expect(member.get_by_text(SECRET)).to_be_visible()
    update_url = member.url
    assert "/t/brest_lapaz/updates/" in update_url

    anonymous = await (await browser.new_context()).new_page()
    response = await anonymous.goto(update_url)
    assert response is not None and response.status == 404
    await anonymous.goto(server + "/t/brest_lapaz")
    await expect(anonymous.get_by_role("heading", name="Brest – La Paz")).to_be_visible()
    assert SECRET not in await anonymous.content()

    outsider = await (await browser.new_context()).new_page()
    await sign_up(outsider, server, "outsider")
    for path in ("/t/brest_lapaz", "/directory?kind=updates&q=budget", "/u/maelle", "/"):
        await outsider.goto(server + path)
        assert SECRET not in await outsider.content(), path
    response = await outsider.goto(update_url)
    assert response is not None and response.status == 404

    await member.goto(server + "/directory?kind=updates&q=budget")
    await expect(member.get_by_text(SECRET)).to_be_visible()
