"""A real browser through the whole translation flow, each person in her own language and
time zone (the sign-up proposes the browser's zone; each checks it is the one kept): Ana
(Spanish, La Paz) starts a twinning; Fleur (French, Paris) and Bili (French, Bogotá,
translates Spanish into French) join it; Ana posts a partners-only update in Spanish; Fleur
sees it on her home with an unread count and a notification, and asks for it in French; Bili
finds the request waiting on her home and answers it; Fleur reads the update in French,
credited to Bili.

Each step is a small helper, so a step can be put in between; the clicks of the flow are
counted and printed. Screenshots at 390 and 1280 px go to the folder ``shots_dir`` gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

from tests.browser.conftest import requires_chromium
from tests.browser.test_member_home import LAPTOP, PHONE, shots_dir

pytestmark = requires_chromium
SLUG = "lapaz_lyon"
TITLE_ES = "Presupuesto participativo"
TEXT_ES = "El presupuesto participativo se vota el jueves en el barrio 8."
TITLE_FR = "Budget participatif"
TEXT_FR = "Le budget participatif est voté jeudi dans le quartier 8."


@dataclass
class Flow:
    """The server, where screenshots go, and the clicks people made so far."""

    base: str
    shots: Path
    clicks: int = 0

    async def click(self, target: Locator) -> None:
        await target.click()
        self.clicks += 1


async def shoot(page: Page, flow: Flow, name: str) -> None:
    for label, size in (("1280", LAPTOP), ("390", PHONE)):
        await page.set_viewport_size(size)
        await page.screenshot(path=str(flow.shots / f"{name}-{label}.png"), full_page=True)
    await page.set_viewport_size(LAPTOP)


async def sign_up_with_languages(
    browser: Browser,
    flow: Flow,
    username: str,
    locale: str,
    zone: str,
    pairs: tuple[str, ...] = (),
) -> Page:
    """Signs up in a browser speaking ``locale`` in time zone ``zone`` (proposed by the form,
    kept by the account), then declares the language pairs she translates (``"es>fr"``)."""
    context = await browser.new_context(locale=locale, timezone_id=zone, viewport=LAPTOP)
    page = await context.new_page()
    await page.goto(flow.base + "/signup")
    await expect(page.locator("#timezone")).to_have_value(zone)
    await page.locator("#username").fill(username)
    await page.locator("#email").fill(f"{username}@example.org")
    await page.locator("#password").fill("a long enough password")
    await flow.click(page.locator('form[action="/signup"] button[type="submit"]'))
    # Signed in: the header's menu holds the log-out button (folded away at most widths).
    await expect(page.locator('form[action="/logout"]')).to_have_count(1)
    await page.goto(flow.base + "/settings")
    await expect(page.locator("#timezone")).to_have_value(zone)
    if pairs:
        for pair in pairs:
            await flow.click(page.locator(f'input[name="pairs"][value="{pair}"]'))
        form = page.locator("form").filter(has=page.locator('input[value="translations"]'))
        await flow.click(form.locator('button[type="submit"]'))
        await expect(page.locator(f'input[name="pairs"][value="{pairs[0]}"]')).to_be_checked()
    return page


async def start_twinning(page: Page, flow: Flow, title: str) -> None:
    await page.goto(flow.base + "/twinnings/new")
    await page.locator("#slug").fill(SLUG)
    await page.locator("#title_es").fill(title)
    await flow.click(page.locator('input[name="fields"][value="health"]'))
    await page.locator("#join_policy").select_option("open")
    await flow.click(page.locator('form[action="/twinnings/new"] button[type="submit"]'))
    await expect(page.get_by_role("heading", name=title)).to_be_visible()


async def join(page: Page, flow: Flow) -> None:
    await page.goto(f"{flow.base}/t/{SLUG}")
    await flow.click(page.locator(f'form[action="/t/{SLUG}/join"] button'))
    await expect(page.locator(f'form[action="/t/{SLUG}/join"]')).to_have_count(0)


async def post_update(page: Page, flow: Flow, title: str, text: str) -> None:
    """In the author's language, partners only (the default audience): the one language
    switch is already on hers."""
    await page.goto(f"{flow.base}/t/{SLUG}")
    compose = page.locator(f'form[action="/t/{SLUG}"]')
    await expect(compose.locator('.langswitch button[aria-pressed="true"]')).to_have_attribute(
        "lang", "es"
    )
    await compose.locator("#content_es").fill(text)
    await flow.click(compose.locator("details.more:has(#title_es) > summary"))
    await compose.locator("#title_es").fill(title)
    await expect(compose.locator('.langswitch button[lang="es"] .written')).to_be_visible()
    await expect(compose.locator("#content_fr")).to_be_hidden()
    await compose.locator('.langswitch button[lang="fr"]').click()  # a look, not the flow
    await expect(compose.locator("#content_fr")).to_be_visible()
    await expect(compose.locator("#title_fr")).to_be_visible()  # title and text together
    await expect(compose.locator("#content_es")).to_be_hidden()
    await compose.locator('.langswitch button[lang="es"]').click()
    await shoot(page, flow, "compose")
    await expect(compose.locator('input[name="visibility"][value="partners"]')).to_be_checked()
    await flow.click(compose.locator('button[type="submit"]'))
    await expect(page.get_by_text(text)).to_be_visible()


async def open_from_home(page: Page, flow: Flow, title: str) -> None:
    """The update is new on the reader's home (count and bell), one click from there."""
    await page.goto(flow.base + "/")
    row = page.locator(".twinning-row").filter(has=page.locator(f'a[href="/t/{SLUG}"]'))
    await expect(row.locator('[data-space="updates"]')).to_have_text(re.compile(r"^1"))
    await expect(page.locator("header .bell .count")).to_have_text("1")
    await shoot(page, flow, "reader-home")
    await flow.click(page.get_by_role("link", name=title).first)
    await expect(page.locator("article.update.full")).to_contain_text(TEXT_ES)


async def ask_translation(page: Page, flow: Flow) -> None:
    await flow.click(page.get_by_role("button", name="Demander une traduction en français"))
    await expect(page.locator(".flash")).to_be_visible()
    await expect(page.locator(".asked")).to_contain_text("français")
    await shoot(page, flow, "update-asked")


async def answer_translation(page: Page, flow: Flow, title: str, text: str) -> None:
    """From the translator's home: the request waits there, the answer form beside the
    original."""
    await page.goto(flow.base + "/")
    waiting = page.locator(".waiting .translation-request")
    await expect(waiting).to_contain_text("fleur")
    await expect(page.locator("header .bell .count")).to_have_text(re.compile(r"^[12]$"))
    await shoot(page, flow, "translator-home")
    await flow.click(waiting.get_by_role("link", name="Traduire"))
    await expect(page.locator(".original")).to_contain_text(TEXT_ES)
    await page.locator("#tr-title").fill(title)
    await page.locator("#tr-content").fill(text)
    await shoot(page, flow, "answer-form")
    await flow.click(page.get_by_role("button", name="Enregistrer la traduction"))
    await expect(page.locator("article.update.full")).to_contain_text(text)


async def test_a_partner_asks_for_a_translation_and_a_bilingual_member_answers_it(
    server: str, browser: Browser, tmp_path: Path
) -> None:
    flow = Flow(server, shots_dir(tmp_path))
    ana = await sign_up_with_languages(browser, flow, "ana", "es-ES", "America/La_Paz")
    await start_twinning(ana, flow, "La Paz – Lyon")
    fleur = await sign_up_with_languages(browser, flow, "fleur", "fr-FR", "Europe/Paris")
    bili = await sign_up_with_languages(
        browser, flow, "bili", "fr-FR", "America/Bogota", pairs=("es>fr",)
    )
    for partner in (fleur, bili):
        await join(partner, flow)
    await post_update(ana, flow, TITLE_ES, TEXT_ES)

    await open_from_home(fleur, flow, TITLE_ES)
    await ask_translation(fleur, flow)
    await answer_translation(bili, flow, TITLE_FR, TEXT_FR)

    await fleur.goto(server + "/")
    await expect(fleur.locator("header .bell .count")).to_have_text("2")  # posted, translated
    await flow.click(fleur.locator("header .bell"))
    await expect(fleur.locator(".notification").first).to_contain_text("a traduit")
    await flow.click(fleur.locator(".notification").first.get_by_role("link", name=TITLE_FR))
    article = fleur.locator("article.update.full")
    await expect(fleur.get_by_role("heading", name=TITLE_FR)).to_be_visible()
    await expect(article).to_contain_text(TEXT_FR)
    await expect(article.locator(".credit")).to_have_text("Traduit par @bili")
    await expect(article).not_to_contain_text("modifiée")
    await shoot(fleur, flow, "translated-update")
    print(f"translation flow: {flow.clicks} clicks")
    assert flow.clicks < 30
