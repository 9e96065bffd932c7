"""The OAuth consent page in a real browser: an app sends the person there, they log in,
read what the app asks for, authorise it, and the app gets a working token; denying sends
the app an error instead."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.browser.conftest import requires_chromium, sign_up

pytestmark = requires_chromium


async def _app(base: str, redirect: str) -> dict[str, str]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{base}/api/v1/apps",
            data={"client_name": "Tusky test", "redirect_uris": redirect, "scopes": "read write"},
        )
    answer.raise_for_status()
    return answer.json()


async def test_authorise_an_app_out_of_band(server: str, browser: Browser) -> None:
    app = await _app(server, "urn:ietf:wg:oauth:2.0:oob")
    page = await (await browser.new_context(locale="en-GB")).new_page()
    await sign_up(page, server, "maelle")
    query = f"response_type=code&client_id={app['client_id']}&scope=read+write"
    await page.goto(f"{server}/oauth/authorize?{query}&redirect_uri=urn:ietf:wg:oauth:2.0:oob")
    await expect(
        page.get_by_text("The app Tusky test asks to use your account maelle.")
    ).to_be_visible()
    await expect(
        page.get_by_text("post, edit and change things in your name (write)")
    ).to_be_visible()
    await page.get_by_role("button", name="Authorise").click()
    code = await page.locator("#oauth-code").inner_text()
    http = httpx.AsyncClient()
    token_answer = await http.post(
        f"{server}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
        },
    )
    me = await http.get(
        f"{server}/api/v1/accounts/verify_credentials",
        headers={"Authorization": f"Bearer {token_answer.json()['access_token']}"},
    )
    await http.aclose()
    assert me.json()["acct"] == "maelle"


async def test_deny_sends_the_app_an_error(server: str, browser: Browser) -> None:
    app = await _app(server, f"{server}/callback")
    page = await (await browser.new_context(locale="en-GB")).new_page()
    await sign_up(page, server, "maelle")
    await page.goto(
        f"{server}/oauth/authorize?response_type=code&client_id={app['client_id']}"
        f"&redirect_uri={server}/callback&state=xyz"
    )
    await page.get_by_role("button", name="Deny").click()
    await page.wait_for_url(f"{server}/callback?error=access_denied&state=xyz")
