"""What the browser tests share: Debian's chromium driven by Playwright, a real
``jumelage serve`` per test, and signing up as a visitor does."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.databases import fresh_database
from tests.servers import running_server

CHROMIUM = shutil.which("chromium")
# CI installs Debian's chromium and sets JUMELAGE_REQUIRE_BROWSER=1, so there the browser tests
# always run (a missing browser fails them); on a developer's machine without chromium they are
# marked as not run, with the reason.
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("JUMELAGE_REQUIRE_BROWSER") != "1",
    reason="Debian's chromium is not installed (apt-get install chromium)",
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest_asyncio.fixture
async def server(tmp_path: Path) -> AsyncIterator[str]:
    url = await fresh_database(tmp_path, "browser", migrated=True)
    with running_server(tmp_path, url) as base:
        yield base


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM or "/usr/bin/chromium", args=ARGS)
        yield b
        await b.close()


async def sign_up(page: Page, base: str, username: str) -> None:
    await page.goto(base + "/signup")
    await page.get_by_label("User name").fill(username)
    await page.get_by_label("E-mail").fill(f"{username}@example.org")
    await page.get_by_label("Password").fill("a long enough password")
    await page.get_by_role("button", name="Create my account").click()
    # Signed in: the header's menu holds the log-out button (folded away at most widths).
    await expect(page.locator("header form[action='/logout']")).to_have_count(1)
