"""While the node's bucket refuses (here: a bucket that does not exist on the S3-compatible
server running on this machine), a document sent by the resource form answers 503 with a
reason, and nothing is stored: no item, no file row."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from models.config import Settings
from models.content import ContentItem
from models.media import MediaFile
from models.media_store import S3Location, configure
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import csrf_of, log_in, make_account
from tests.s3 import KEYS, s3_server

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def broken_store(settings: Settings) -> Iterator[None]:
    with s3_server() as endpoint:
        keys = KEYS["JUMELAGE_S3_ACCESS_KEY"], KEYS["JUMELAGE_S3_SECRET_KEY"]
        configure(settings.data_dir, S3Location("no-such-bucket", "", endpoint, "", *keys))
        try:
            yield
        finally:
            configure(settings.data_dir, None)


async def test_an_upload_while_the_store_refuses_is_503_and_keeps_nothing(
    client: httpx.AsyncClient, broken_store: None
) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await log_in(client, "maelle")
    form = {
        "csrf_token": csrf_of((await client.get("/t/brest")).text),
        "resource_kind": "document",
        "resource_title_fr": "Guide",
        "licence": "CC-BY-SA-4.0",
        "visibility": "public",
        "resource_fields": "governance",
        "language": "fr",
    }
    files = {"file": ("guide.pdf", PDF, "application/pdf")}
    answer = await client.post("/t/brest/resources", data=form, files=files)
    assert answer.status_code == 503
    assert "cannot be reached" in answer.text
    assert await MediaFile.all().count() == 0
    assert await ContentItem.filter(kind="resource").count() == 0
