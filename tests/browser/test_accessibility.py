"""axe-core, in a real browser (Debian's chromium) against a real ``jumelage serve``, finds no
accessibility violation on any main page, as a visitor, a member and an admin, in French,
English and Spanish, at 390 px and 1280 px: the full matrix. On every page also: no sideways
scroll, and at 1280 px the header on one line.

Kept cheap (about 75 s on a shared two-core machine): one server filled once (``jumelage
demo``: updates, discussions, meetings and resources in three languages; an admin by the CLI)
and one browser for the whole module; each role has one page, and only its language (the
switcher) and its viewport change: a page is loaded once per language and checked at both
widths without reloading. Screenshots of every page at both widths, in the role's own
language, go to ``JUMELAGE_SCREENSHOTS`` (or the module's temporary folder)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.browser.conftest import ARGS, CHROMIUM, requires_chromium
from tests.databases import fresh_database
from tests.servers import free_port, jumelage, running_server, server_env

pytestmark = requires_chromium
SLUG = "budget_participatif"
ADMIN_PASSWORD = "a long enough password"
WIDTHS = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 900}}
LANGUAGES = ("fr", "en", "es")
TABS = (
    "",
    "/discussions",
    "/meetings",
    "/resources",
    "/members",
    "/about",
    "/evaluations",
    "/tasks",
    "/usage",
)
PUBLIC_PAGES = [
    "/directory",
    *(f"/t/{SLUG}{tab}" for tab in TABS),
    "UPDATE",
    "/u/jorge",
    "/o/brest_numerique",
    "/usage",
    "/programmes",
    "/p/democratie_numerique",
]
# The pages each role sees, and the language its screenshots are taken in.
ROLES = {
    "visitor": (["/", *PUBLIC_PAGES, "/login", "/signup"], "fr"),
    "member": (["/", *PUBLIC_PAGES, "/settings", "/notifications"], "es"),
    "admin": (
        ["/admin", "/admin/task-templates", "/", "/settings", "/usage", "/programmes/new"],
        "en",
    ),
}


@dataclass(frozen=True)
class Site:
    base: str
    update: str


def _shots(tmp: Path) -> Path:
    folder = Path(os.environ.get("JUMELAGE_SCREENSHOTS") or tmp / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    tmp = tmp_path_factory.mktemp("axe")
    url = await fresh_database(tmp, "axe", migrated=True)
    port = free_port()
    env = server_env(tmp, url, port)
    with running_server(tmp, url, port=port) as base:
        await asyncio.to_thread(jumelage, env, "demo")
        admin = ("users", "create", "root", "--email", "root@example.org")
        await asyncio.to_thread(jumelage, env, *admin, "--password", ADMIN_PASSWORD, "--admin")
        async with httpx.AsyncClient(base_url=base) as web:
            feed = (await web.get(f"/t/{SLUG}")).text
        update = re.search(rf"/t/{SLUG}/updates/\d+", feed)
        assert update, "no update in the demo's twinning"
        yield Site(base, update.group(0))


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM or "/usr/bin/chromium", args=ARGS)
        yield b
        await b.close()


async def _log_in(page: Page, base: str, username: str, password: str) -> None:
    await page.goto(base + "/login")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(password)
    await page.locator("main form button[type=submit]").click()
    await page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def _describe(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"]][:5]
        lines.append(f"{where}: {v['id']} ({v['impact']}) {v['help']} -> {targets}")
    return lines


async def _layout(page: Page, width: int) -> list[str]:
    """What axe does not see: the header on one line on a wide screen, no sideways scroll."""
    problems = []
    if await page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        problems.append("the page scrolls sideways")
    header = await page.evaluate("document.querySelector('header.site').offsetHeight")
    if width >= 1280 and header > 64:
        problems.append(f"the header takes {header} px: more than one line")
    return problems


async def _check_role(browser: Browser, site: Site, role: str, shots: Path) -> list[str]:
    pages, shot_language = ROLES[role]
    pages = [site.update if p == "UPDATE" else p for p in pages]
    context: BrowserContext = await browser.new_context(viewport=WIDTHS[1280])
    page = await context.new_page()
    if role == "member":
        await _log_in(page, site.base, "maelle", "jumelage-demo")
    elif role == "admin":
        await _log_in(page, site.base, "root", ADMIN_PASSWORD)
    axe = Axe()
    found: list[str] = []
    for language in LANGUAGES:
        await page.goto(f"{site.base}/language?to={language}&next=/")
        for path in pages:
            await page.goto(site.base + path)
            for width, size in WIDTHS.items():
                await page.set_viewport_size(size)
                results = await axe.run(page)
                where = f"{role} {language} {width}px {path}"
                found.extend(_describe(where, results.response["violations"]))
                found.extend(f"{where}: {problem}" for problem in await _layout(page, width))
                if language == shot_language:
                    name = f"{role}-{path.strip('/').replace('/', '_') or 'home'}-{width}.png"
                    await page.screenshot(path=str(shots / name), full_page=True)
            await page.set_viewport_size(WIDTHS[1280])
    await context.close()
    return found


@pytest.mark.parametrize("role", list(ROLES))
async def test_no_axe_violation(
    site: Site, browser: Browser, role: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    found = await _check_role(browser, site, role, _shots(tmp_path_factory.getbasetemp()))
    assert not found, "axe found:\n" + "\n".join(found)
