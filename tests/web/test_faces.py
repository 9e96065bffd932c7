"""Faces: an uploaded avatar, logo or twinning picture is kept only as a clean copy (no EXIF,
upright, cut to its shape) under a name made of its hash and served for a year; an SVG, a
file that only starts like a picture, a decompression bomb and too big a file are refused
with a reason and change nothing; without a picture the initials show, on a colour white
letters can be read on."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import httpx
import pytest
from PIL import Image

from models.accounts import Account
from models.config import Settings
from models.oauth import issue_token, register_app
from models.organisations import Organisation, OrganisationInput, create_organisation
from models.posting import post_update
from models.twinnings import Twinning, TwinningInput, create_twinning
from server.web.faces import HUES, hue, initials
from tests.conftest import csrf_of, log_in, make_account
from tests.photos import GREEN, SERIAL, WHITE, gps_photo

ONG_BREST = OrganisationInput(
    name="ONG Brest",
    country="FR",
    city="",
    website="",
    languages=["fr"],
    fields_of_action=["health"],
    description={},
)
CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "faces.css"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
# PNG's first bytes, then a page: what a browser that sniffs could run as HTML.
POLYGLOT = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>" + b"x" * 64


def png_bomb(side: int = 10_000) -> bytes:
    """A valid PNG header declaring ``side`` × ``side`` grey pixels, all zero: a few KB that
    would take 100 MB once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = side.to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    rows = zlib.compress(b"\x00" * (side + 1) * 100, 9)  # the first rows are enough
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


async def _upload(
    client: httpx.AsyncClient, page: str, action: str, content: bytes, name: str = "me.jpg"
) -> httpx.Response:
    token = csrf_of((await client.get(page)).text)
    files = {"file": (name, content, "image/jpeg")}
    return await client.post(action, data={"csrf_token": token}, files=files)


async def test_avatar_is_kept_clean_square_and_served_for_a_year(
    client: httpx.AsyncClient,
) -> None:
    await make_account("maelle", display_name="Maëlle Le Goff")
    await log_in(client, "maelle")
    response = await _upload(client, "/settings", "/settings/avatar", gps_photo())
    assert response.status_code == 303, response.text
    account = await Account.get(username="maelle")
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", account.avatar)
    page = (await client.get("/u/maelle")).text
    assert f'src="/pictures/{account.avatar}"' in page
    served = await client.get(f"/pictures/{account.avatar}")
    assert served.status_code == 200
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["content-type"] == "image/jpeg"
    content = served.content
    assert b"Exif" not in content and SERIAL.encode() not in content and b"Canon" not in content
    image = Image.open(io.BytesIO(content))
    assert image.size == (400, 400) and not image.getexif()
    # Upright: the photo shows its white half on top once turned as the camera said.
    assert all(abs(a - b) < 16 for a, b in zip(image.getpixel((200, 60)), WHITE, strict=True))
    assert all(abs(a - b) < 16 for a, b in zip(image.getpixel((200, 340)), GREEN, strict=True))
    assert account.avatar.startswith(__import__("hashlib").sha256(content).hexdigest()[:32])


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
async def test_bad_pictures_are_refused_with_a_reason_and_change_nothing(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await make_account("maelle")
    await log_in(client, "maelle")
    too_big = b"\xff\xd8\xff" + b"\x00" * (8 * 1024 * 1024 + 1)
    cases = [
        (SVG, "drawing.svg", "only png, jpeg, gif and webp images"),
        (POLYGLOT, "page.png", "not a readable image"),
        (png_bomb(), "bomb.png", "at most 33 megapixels"),
        (too_big, "huge.jpg", "at most 8 mb"),
        (b"", "empty.jpg", "empty"),
    ]
    for content, name, reason in cases:
        response = await _upload(client, "/settings", "/settings/avatar", content, name)
        assert response.status_code == 400, (name, response.status_code)
        assert reason in response.text.lower(), name
        assert (await Account.get(username="maelle")).avatar == ""
    pictures = Path(settings.data_dir) / "pictures"
    assert not any(p.name.endswith(".partial") for p in pictures.glob("*"))


async def test_logo_and_twinning_picture_take_their_shapes(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    org = await create_organisation(maelle, "ongbrest", ONG_BREST)
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest et La Paz"}))
    await log_in(client, "maelle")
    logo = await _upload(client, f"/o/{org.slug}/edit", f"/o/{org.slug}/logo", gps_photo())
    assert logo.status_code == 303, logo.text
    banner = await _upload(client, "/t/brest/edit", "/t/brest/picture", gps_photo())
    assert banner.status_code == 303, banner.text
    org_row = await Organisation.get(slug="ongbrest")
    twinning = await Twinning.get(slug="brest")
    sizes = {}
    for name in (org_row.logo, twinning.picture):
        sizes[name] = Image.open(io.BytesIO((await client.get(f"/pictures/{name}")).content)).size
    assert sizes == {org_row.logo: (400, 400), twinning.picture: (1200, 400)}
    assert f"/pictures/{org_row.logo}" in (await client.get("/o/ongbrest")).text
    assert f"/pictures/{twinning.picture}" in (await client.get("/t/brest")).text
    remove = await client.post(
        "/t/brest/picture",
        data={"csrf_token": csrf_of((await client.get("/t/brest/edit")).text), "action": "remove"},
    )
    assert remove.status_code == 303
    assert (await Twinning.get(slug="brest")).picture == ""


async def test_only_an_organisation_admin_changes_its_logo(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await make_account("ana")
    await create_organisation(maelle, "ongbrest", ONG_BREST)
    await log_in(client, "ana")
    response = await _upload(client, "/o/ongbrest", "/o/ongbrest/logo", gps_photo())
    assert response.status_code == 403
    assert (await Organisation.get(slug="ongbrest")).logo == ""


async def test_unknown_picture_names_are_not_found(client: httpx.AsyncClient) -> None:
    for name in ("0" * 32 + ".png", "..%2f..%2fsecret.png", "abc.svg"):
        assert (await client.get(f"/pictures/{name}")).status_code == 404


async def test_without_a_picture_initials_show_hidden_from_screen_readers(
    client: httpx.AsyncClient,
) -> None:
    await make_account("maelle", display_name="Maëlle Le Goff")
    page = (await client.get("/u/maelle")).text
    face = re.search(
        r'<span class="face face-l face-hue-(\d+)" aria-hidden="true">([^<]+)</span>', page
    )
    assert face, page
    assert face.group(2) == "ML" and int(face.group(1)) == hue("Maëlle Le Goff")


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_every_initials_colour_holds_white_text_at_aa_contrast() -> None:
    colours = dict(
        re.findall(r"\.face-hue-(\d+) \{ background: (#[0-9a-f]{6}); \}", CSS.read_text())
    )
    assert sorted(map(int, colours)) == list(range(HUES))
    for colour in colours.values():
        assert 1.05 / (_luminance(colour) + 0.05) >= 4.5, colour


def test_initials_of_names() -> None:
    assert initials("Maëlle Le Goff") == "ML"
    assert initials("asso") == "AS"
    assert initials("jean-paul_b") == "JP"
    assert initials("  ") == "?"


async def test_a_member_s_face_shows_in_the_header_the_feed_and_the_member_list(
    client: httpx.AsyncClient,
) -> None:
    maelle = await make_account("maelle", display_name="Maëlle Le Goff")
    ana = await make_account("ana", display_name="Ana Quispe")
    brest = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest et La Paz"}))
    await post_update(maelle, brest, "public", {"fr": "Nouvelles de Brest"})
    await log_in(client, "maelle")
    assert (await _upload(client, "/settings", "/settings/avatar", gps_photo())).status_code == 303
    avatar = (await Account.get(id=maelle.id)).avatar
    img = f'<img class="face face-s" src="/pictures/{avatar}" width="24" height="24" alt=""'
    feed = (await client.get("/t/brest")).text
    header = feed.split("</header>", 1)[0]
    assert img in header  # the account menu
    assert feed.count(img) >= 2  # and beside the update's author
    members = (await client.get("/t/brest/members")).text
    assert f'src="/pictures/{avatar}"' in members
    # Someone without a picture: initials, hidden from screen readers (the name follows).
    assert ana.avatar == ""
    page = (await client.get("/u/ana")).text
    assert '<span class="face face-l face-hue-' in page and 'aria-hidden="true">AQ</span>' in page


async def test_own_pictures_are_in_the_actors_and_the_mastodon_api(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    maelle = await make_account("maelle")
    await make_account("ana")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest et La Paz"}))
    await log_in(client, "maelle")
    assert (await _upload(client, "/settings", "/settings/avatar", gps_photo())).status_code == 303
    assert (
        await _upload(client, "/t/brest/edit", "/t/brest/picture", gps_photo())
    ).status_code == 303
    avatar = (await Account.get(id=maelle.id)).avatar
    banner = (await Twinning.get(slug="brest")).picture
    base = settings.base_url
    wants = {"Accept": "application/activity+json"}
    person = (await client.get("/u/maelle", headers=wants)).json()
    assert person["icon"] == {
        "type": "Image",
        "mediaType": "image/jpeg",
        "url": f"{base}/pictures/{avatar}",
    }
    group = (await client.get("/t/brest", headers=wants)).json()
    assert group["image"]["url"] == group["icon"]["url"] == f"{base}/pictures/{banner}"
    other = (await client.get("/u/ana", headers=wants)).json()
    assert other["icon"]["url"] == f"{base}/static/avatar.png"
    entity = (await client.get(f"/api/v1/accounts/p{maelle.id}")).json()
    assert entity["avatar"] == entity["avatar_static"] == f"{base}/pictures/{avatar}"
    assert entity["header"] == f"{base}/static/header.png"
    ana = (await client.get("/api/v1/accounts/lookup", params={"acct": "ana"})).json()
    assert ana["avatar"] == f"{base}/static/avatar.png"


async def test_pages_link_a_favicon_and_a_manifest_named_after_the_instance(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    page = (await client.get("/")).text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<link rel="icon" href="/favicon.ico"' in page
    response = await client.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == settings.instance_name
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        served = await client.get(icon["src"])
        with Image.open(io.BytesIO(served.content)) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
    favicon = await client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.headers["content-type"] == "image/x-icon"


async def test_a_mastodon_app_sets_the_avatar_through_update_credentials(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    maelle = await make_account("maelle")
    app, _ = await register_app("tests", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(app, maelle, "read write")
    auth = {"Authorization": f"Bearer {token}"}
    refused = await client.patch(
        "/api/v1/accounts/update_credentials", headers=auth, files={"avatar": ("a.svg", SVG)}
    )
    assert refused.status_code == 422 and "avatar" in refused.json()["error"]
    sent = await client.patch(
        "/api/v1/accounts/update_credentials",
        headers=auth,
        files={"avatar": ("me.jpg", gps_photo(), "image/jpeg")},
    )
    assert sent.status_code == 200, sent.text
    avatar = (await Account.get(id=maelle.id)).avatar
    assert sent.json()["avatar"] == f"{settings.base_url}/pictures/{avatar}"
    served = (await client.get(f"/pictures/{avatar}")).content
    assert SERIAL.encode() not in served and b"Exif" not in served
