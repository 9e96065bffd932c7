"""The resource centre: documents recognised by their content (not their name), links,
refusals of bad files that leave nothing behind, partner-only files kept from non-members,
filters across twinnings, and the wire form (Document with its file)."""

from __future__ import annotations

import io
import zipfile

import httpx

from models.content import ContentItem
from models.media import MediaFile
from models.resources import ResourceDetails
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import csrf_of, log_in, make_account
from tests.photos import assert_clean_and_upright, gps_photo

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


async def _add(
    client: httpx.AsyncClient, file: tuple[str, bytes, str] | None = None, **fields: str
) -> httpx.Response:
    token = csrf_of((await client.get("/t/brest")).text)
    data = {
        "csrf_token": token,
        "resource_kind": "document",
        "resource_title_fr": "Guide de la méthode",
        "licence": "CC-BY-SA-4.0",
        "visibility": "public",
        "resource_fields": "governance",
        "language": "fr",
        **fields,
    }
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    return await client.post("/t/brest/resources", data=data, files=files)


async def test_documents_and_links_are_added_and_listed(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    pdf = await _add(
        client, ("guide.pdf", PDF, "application/pdf"), authors="Ana, Maëlle", year="2025"
    )
    assert pdf.status_code == 303, pdf.text
    word = await _add(
        client,
        ("compte-rendu.docx", docx(), "application/msword"),
        resource_title_fr="Compte rendu",
        visibility="partners",
    )
    assert word.status_code == 303, word.text
    link = await _add(
        client,
        None,
        resource_kind="link",
        resource_title_fr="Wiki",
        url="https://wiki.example.org/",
    )
    assert link.status_code == 303, link.text
    files = {m.media_type for m in await MediaFile.all()}
    assert files == {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    page = (await client.get(pdf.headers["location"])).text
    assert "Ana, Maëlle" in page and "2025" in page and "/media/" in page
    centre = (await client.get("/resources?kind=document&field=governance")).text
    assert "Guide de la méthode" in centre and "Compte rendu" in centre and "Wiki" not in centre
    await client.post("/logout", data={"csrf_token": csrf_of((await client.get("/")).text)})
    anonymous = (await client.get("/resources")).text
    assert "Guide de la méthode" in anonymous and "Compte rendu" not in anonymous
    secret = await MediaFile.get(media_type__startswith="application/vnd")
    assert (await client.get(f"/media/{secret.name}")).status_code == 404
    public = await MediaFile.get(media_type="application/pdf")
    download = await client.get(f"/media/{public.name}")
    assert download.status_code == 200 and download.content == PDF
    ap = await client.get(pdf.headers["location"], headers={"Accept": "application/activity+json"})
    obj = ap.json()
    assert obj["type"] == "Document" and obj["attachment"][0]["mediaType"] == "application/pdf"


async def test_a_photo_resource_is_kept_without_its_gps_and_serial(
    client: httpx.AsyncClient,
) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    added = await _add(client, ("terrain.jpg", gps_photo(), "image/jpeg"))
    assert added.status_code == 303, added.text
    photo = await MediaFile.get()
    assert (photo.width, photo.height, photo.kind) == (800, 1200, "image") and photo.blurhash
    download = await client.get(f"/media/{photo.name}")
    assert download.status_code == 200 and photo.size == len(download.content)
    assert_clean_and_upright(download.content)
    assert (await client.get(f"/media/{photo.preview_name}")).status_code == 200
    ap = await client.get(
        added.headers["location"], headers={"Accept": "application/activity+json"}
    )
    image = ap.json()["attachment"][0]
    assert (image["type"], image["width"], image["blurhash"]) == ("Image", 800, photo.blurhash)


async def test_bad_files_are_refused_and_leave_nothing(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    cases = [
        (("report.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"), "only PDF"),
        (("empty.pdf", b"", "application/pdf"), "empty"),
        (("fake.docx", b"PK\x03\x04not really a zip", "application/msword"), "only PDF"),
        (("map.png", b"\x89PNG\r\n\x1a\n<html></html>", "image/png"), "not a readable image"),
        (("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"), "only PDF"),
        (None, "file or a web address"),
    ]
    for file, message in cases:
        answer = await _add(client, file)
        assert answer.status_code == 400, (file, answer.status_code)
        assert message.lower() in answer.text.lower(), file
    too_big = await _add(
        client, ("big.pdf", b"%PDF-" + b"0" * (17 * 1024 * 1024), "application/pdf")
    )
    assert too_big.status_code == 413
    bad_year = await _add(client, ("guide.pdf", PDF, "application/pdf"), year="20x5")
    assert bad_year.status_code == 400 and "year" in bad_year.text
    assert not await ContentItem.exists() and not await ResourceDetails.exists()
    assert not await MediaFile.exists()


async def test_a_resources_facts_are_edited(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    added = await _add(client, ("guide.pdf", PDF, "application/pdf"), year="2024")
    edit = added.headers["location"] + "/edit"
    assert 'value="2024"' in (await client.get(edit)).text
    from tests.conftest import post_form

    base = {"title_fr": "Guide", "content_fr": "Le guide", "resource_kind": "method"}
    base |= {"licence": "CC-BY-4.0", "resource_fields": "health"}
    saved = await post_form(client, edit, edit, {**base, "year": "2025", "authors": "Jorge"})
    assert saved.status_code == 303
    details = await ResourceDetails.get()
    assert (details.year, details.authors, details.resource_kind) == (2025, "Jorge", "method")
    assert details.fields_of_action == ["health"] and details.licence == "CC-BY-4.0"
    assert "Guide" in (await client.get("/resources?field=health")).text
    refused = await post_form(client, edit, edit, {**base, "year": "next year"})
    assert refused.status_code == 400 and (await ResourceDetails.get()).year == 2025


async def test_who_leaves_a_twinning_loses_its_partner_files(client: httpx.AsyncClient) -> None:
    """The visibility rule decides, not who fetched or uploaded the file (an author keeps
    seeing what they wrote, as the rule says)."""
    from models.twinnings import Membership

    maelle = await make_account("maelle")
    jorge = await make_account("jorge")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    await log_in(client, "maelle")
    added = await _add(client, ("plan.pdf", PDF, "application/pdf"), visibility="partners")
    assert added.status_code == 303
    file = await MediaFile.get()
    await log_in(client, "jorge")
    assert (await client.get(f"/media/{file.name}")).status_code == 200
    await Membership.filter(account=jorge).delete()
    assert (await client.get(f"/media/{file.name}")).status_code == 404
