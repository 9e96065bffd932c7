"""Faces in a real browser against a real ``jumelage serve``: a member uploads her avatar in
her settings and a picture for her twinning through the file inputs; both load on her page
and the twinning's (under the pages' Content-Security-Policy), and someone without a picture
shows initials. Screenshots of a person page and a twinning page at 390 and 1280 px."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import requires_chromium, sign_up
from tests.browser.test_member_home import LAPTOP, PHONE, _new_twinning, _post, shots_dir
from tests.photos import gps_photo

pytestmark = requires_chromium


def landscape() -> bytes:
    """A wide picture: sky, hills and a sun, so the banner's crop can be seen."""
    image = Image.new("RGB", (1600, 900), (120, 180, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((1150, 120, 1350, 320), fill=(250, 210, 80))
    draw.polygon(
        [(0, 900), (0, 560), (500, 380), (1000, 600), (1600, 420), (1600, 900)], (60, 130, 70)
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


async def _upload(page: Page, url: str, path: Path) -> None:
    await page.goto(url)
    await page.locator("#picture-file").set_input_files(str(path))
    await page.get_by_role("button", name="Upload the picture").click()


async def _loaded(page: Page, selector: str) -> bool:
    return bool(
        await page.locator(selector).first.evaluate("i => i.complete && i.naturalWidth > 0")
    )


async def test_faces_are_uploaded_and_shown(server: str, browser: Browser, tmp_path: Path) -> None:
    base, folder = server, shots_dir(tmp_path)
    (tmp_path / "me.jpg").write_bytes(gps_photo())
    (tmp_path / "landscape.jpg").write_bytes(landscape())
    context = await browser.new_context(locale="en-GB", viewport=LAPTOP)
    page = await context.new_page()
    await sign_up(page, base, "maelle")
    await _upload(page, base + "/settings", tmp_path / "me.jpg")
    await expect(page.get_by_text("Your picture was saved.")).to_be_visible()
    await _new_twinning(page, base, "brest", "Brest and La Paz")
    await _upload(page, base + "/t/brest/edit", tmp_path / "landscape.jpg")
    await _post(page, base, "brest", "The library opens on Saturday.", partners=False)
    await _new_twinning(page, base, "lima", "Lima reading circles")
    await page.goto(base + "/u/maelle")
    assert await _loaded(page, "main img.face-l")
    assert await _loaded(page, "header.site img.face")
    await page.goto(base + "/t/brest")
    assert await _loaded(page, "header.twinning img.banner")
    for name, viewport in (("390", PHONE), ("1280", LAPTOP)):
        await page.set_viewport_size(viewport)
        shots = (("person", "/u/maelle"), ("twinning", "/t/brest"), ("settings", "/settings"))
        for shot, path in (*shots, ("picture-form", "/t/brest/edit"), ("plain", "/t/lima")):
            await page.goto(base + path)
            await page.screenshot(path=str(folder / f"faces-{shot}-{name}.png"), full_page=True)
    other = await (await browser.new_context(locale="en-GB", viewport=PHONE)).new_page()
    await sign_up(other, base, "ana_q")
    await other.goto(base + "/u/ana_q")
    await expect(other.locator("main .face-l[aria-hidden=true]")).to_have_text("AQ")
    await other.screenshot(path=str(folder / "faces-initials-390.png"), full_page=True)
