"""Uploads cost a real server little memory whatever they claim: a 1 MB ODF-shaped zip whose
``mimetype`` member inflates to 1 GiB, and a PNG declaring 10,000 × 10,000 pixels, are refused
with a reason through the Mastodon API (which takes no office documents) and the web resource
form (which does), and the peak resident memory of the ``jumelage serve`` process (its
high-water mark, VmHWM) hardly moves."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.api.conftest import PASSWORD, Instance, password_token

MB = 1024 * 1024
ODT = "application/vnd.oasis.opendocument.text"


def peak_memory(pid: int) -> int:
    """The process's peak resident set size in bytes, as the kernel counts it."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    assert match, status
    return int(match.group(1)) * 1024


def odt(mimetype_padding: int = 0) -> bytes:
    """An ODF text document; with padding, its ``mimetype`` member is followed by that many
    spaces (which a careless reader strips, taking the bomb for a document)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            member.write(ODT.encode())
            chunk = b" " * MB
            for _ in range(mimetype_padding // MB):
                member.write(chunk)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    bomb = odt(mimetype_padding=1024 * MB)
    assert len(bomb) < 1.1 * MB
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo("mimetype").file_size > 1024 * MB
    return bomb


@pytest.fixture(scope="module")
def pixel_bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def token(instance: Instance) -> str:
    return password_token(instance.base, "alice")


@pytest.fixture(scope="module")
def browser(instance: Instance) -> Iterator[httpx.Client]:
    """Alice logged in on the web, as a browser is."""
    with httpx.Client(base_url=instance.base, headers={"Accept-Language": "en"}) as client:
        page = client.get("/login").text
        answer = client.post(
            "/login",
            data={"csrf_token": _csrf(page), "username": "alice", "password": PASSWORD},
        )
        assert answer.status_code == 303, answer.text
        yield client


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def api_upload(instance: Instance, token: str, content: bytes, name: str) -> httpx.Response:
    return httpx.post(
        f"{instance.base}/api/v2/media",
        headers={"Authorization": f"Bearer {token}"},
        files={"file": (name, content, "application/octet-stream")},
        timeout=60,
    )


def web_upload(browser: httpx.Client, content: bytes, name: str) -> httpx.Response:
    data = {
        "csrf_token": _csrf(browser.get("/t/lapaz").text),
        "resource_kind": "document",
        "resource_title_en": "Minutes",
        "licence": "CC-BY-SA-4.0",
        "visibility": "partners",
        "language": "en",
    }
    files = {"file": (name, content, "application/octet-stream")}
    return browser.post("/t/lapaz/resources", data=data, files=files, timeout=60)


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_zip_and_pixel_bombs_are_refused_and_memory_stays_bounded(
    instance: Instance, token: str, browser: httpx.Client, zip_bomb: bytes, pixel_bomb: bytes
) -> None:
    # What any upload costs once (imports, first requests) is paid before measuring.
    assert api_upload(instance, token, photo(), "photo.jpg").status_code == 200
    document = web_upload(browser, odt(), "minutes.odt")
    assert document.status_code == 303, re.findall(r"\w*rror.*", document.text)
    before = peak_memory(instance.pid)
    cases = [
        (zip_bomb, "minutes.odt", "only PNG, JPEG", "declares sizes"),
        (pixel_bomb, "map.png", "megapixels", "megapixels"),
    ]
    for content, name, api_reason, web_reason in cases:
        api = api_upload(instance, token, content, name)
        assert api.status_code == 422 and api_reason in api.json()["error"], api.text
        web = web_upload(browser, content, name)
        assert web.status_code == 400 and web_reason in web.text, re.findall(r"\w*rror.*", web.text)
        grown = peak_memory(instance.pid) - before
        print(f"{name}: peak RSS grew by {grown / MB:.1f} MB")
        assert grown < 8 * len(zip_bomb), (name, grown)
    shown = browser.get("/resources").text
    assert shown.count("Minutes") == 1  # the one real document; the bombs left nothing
