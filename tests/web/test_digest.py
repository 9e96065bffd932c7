"""The periodic publication: a public page of the week's or month's public items and coming
public meetings of a twinning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from models.content import ContentItem
from models.discussions import start_discussion
from models.events import EventInput, create_event
from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import log_in, make_account


async def test_digest_holds_recent_public_items_only(client: httpx.AsyncClient) -> None:
    maelle = await make_account("maelle")
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await post_update(maelle, twinning, "public", {"fr": "Nouvelle de la semaine"})
    old = await post_update(maelle, twinning, "public", {"fr": "Vieille nouvelle"})
    await ContentItem.filter(id=old.id).update(created_at=datetime.now(UTC) - timedelta(days=20))
    await post_update(maelle, twinning, "partners", {"fr": "Secret des partenaires"})
    await start_discussion(maelle, twinning, "public", {"fr": "Sujet ouvert"}, {"fr": "Texte"})
    next_year = datetime.now(UTC).year + 1
    await create_event(
        maelle,
        twinning,
        EventInput({"fr": "Forum"}, {}, f"{next_year}-02-01T10:00", f"{next_year}-02-01T12:00"),
    )
    await log_in(client, "maelle")  # a member reads the public page like anyone
    week = (await client.get("/t/brest/digest?period=week")).text
    assert "Nouvelle de la semaine" in week and "Sujet ouvert" in week and "Forum" in week
    assert "Vieille nouvelle" not in week and "Secret des partenaires" not in week
    month = (await client.get("/t/brest/digest")).text
    assert "Vieille nouvelle" in month and "Secret des partenaires" not in month
    assert (await client.get("/t/brest/digest?period=year")).status_code == 400
