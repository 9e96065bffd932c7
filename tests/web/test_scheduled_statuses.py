"""Scheduled statuses through the client API: kept, listed, moved and cancelled by their
author only; refused at once when they could not be posted; posted by the worker's cycle when
due, with their media and the audience the app asked for, and then federated like any post."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from federation.context import Federation
from federation.worker import run_once
from models.accounts import Account
from models.content import ContentItem
from models.happenings import Happening
from models.media import MediaFile
from models.memberships import decide_request, remove_member, request_to_join
from models.oauth import issue_token, register_app
from models.scheduled import ScheduledStatus, publish_due
from models.twinnings import Twinning, TwinningInput, create_twinning
from tests.conftest import make_account


async def _token(username: str) -> dict[str, str]:
    account = await make_account(username)
    oauth_app, _ = await register_app("t", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(oauth_app, account, "read write")
    return {"Authorization": f"Bearer {token}"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def _later(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
async def maelle(client: httpx.AsyncClient) -> dict[str, str]:
    headers = await _token("maelle")
    await create_twinning(
        await Account.get(username="maelle"), "lapaz", TwinningInput(title={"fr": "La Paz"})
    )
    return headers


async def test_a_scheduled_status_waits_then_is_posted_with_its_media(
    client: httpx.AsyncClient, maelle: dict[str, str], fed: Federation
) -> None:
    upload = await client.post(
        "/api/v2/media", files={"file": ("p.png", _png(), "image/png")}, headers=maelle
    )
    assert upload.status_code == 200, upload.text
    when = _later(60)
    answer = await client.post(
        "/api/v1/statuses",
        data={
            "status": "@lapaz Assemblée jeudi",
            "visibility": "private",
            "scheduled_at": when,
            "media_ids[]": upload.json()["id"],
            "spoiler_text": "Budget",
        },
        headers=maelle,
    )
    assert answer.status_code == 200, answer.text
    scheduled = answer.json()
    assert scheduled["params"]["text"] == "@lapaz Assemblée jeudi"
    assert scheduled["params"]["visibility"] == "private"
    assert [m["id"] for m in scheduled["media_attachments"]] == [upload.json()["id"]]
    shown = datetime.fromisoformat(scheduled["scheduled_at"])
    assert abs(shown - datetime.fromisoformat(when)) < timedelta(milliseconds=1)
    assert not await ContentItem.exists()

    listed = await client.get("/api/v1/scheduled_statuses", headers=maelle)
    assert [s["id"] for s in listed.json()] == [scheduled["id"]]
    assert await publish_due(fed.settings) == 0  # not due yet

    due = datetime.fromisoformat(when) + timedelta(seconds=1)
    assert await publish_due(fed.settings, now=due) == 1
    item = await ContentItem.get()
    assert item.visibility == "partners" and item.spoiler_text == "Budget"
    assert await MediaFile.filter(item=item).count() == 1
    assert await Happening.filter(kind="posted").exists()  # what federates it follows
    assert not await ScheduledStatus.exists()
    assert (await client.get("/api/v1/scheduled_statuses", headers=maelle)).json() == []
    await run_once(fed)


async def test_rescheduling_and_cancelling_are_the_authors_alone(
    client: httpx.AsyncClient, maelle: dict[str, str]
) -> None:
    made = await client.post(
        "/api/v1/statuses",
        data={"status": "@lapaz Rappel", "scheduled_at": _later(30)},
        headers=maelle,
    )
    sid = made.json()["id"]
    other = await _token("jorge")
    assert (await client.get(f"/api/v1/scheduled_statuses/{sid}", headers=other)).status_code == 404
    moved = await client.put(
        f"/api/v1/scheduled_statuses/{sid}", data={"scheduled_at": _later(90)}, headers=maelle
    )
    assert moved.status_code == 200
    stored = await ScheduledStatus.get(id=int(sid))
    assert stored.scheduled_at > datetime.now(UTC) + timedelta(minutes=80)
    gone = await client.delete(f"/api/v1/scheduled_statuses/{sid}", headers=other)
    assert gone.status_code == 404 and await ScheduledStatus.exists()
    gone = await client.delete(f"/api/v1/scheduled_statuses/{sid}", headers=maelle)
    assert gone.status_code == 200 and not await ScheduledStatus.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"status": "@lapaz Bientôt", "scheduled_at": "soon"}, "ISO 8601"),
        ({"status": "@lapaz Bientôt", "scheduled_at": _later(2)}, "5 minutes"),
        ({"status": "@lapaz Hier", "scheduled_at": "2020-01-01T10:00:00Z"}, "5 minutes"),
        ({"status": "Sans jumelage", "scheduled_at": _later(30)}, "mention a twinning"),
        ({"status": "@lapaz x", "scheduled_at": _later(30), "visibility": "x"}, "choose one"),
    ],
)
async def test_a_schedule_that_could_not_be_kept_is_refused_at_once(
    client: httpx.AsyncClient, maelle: dict[str, str], data: dict[str, str], reason: str
) -> None:
    answer = await client.post("/api/v1/statuses", data=data, headers=maelle)
    assert answer.status_code == 422 and reason in answer.json()["error"], answer.text
    assert not await ScheduledStatus.exists()


async def test_a_non_member_cannot_schedule_into_a_twinning(
    client: httpx.AsyncClient, maelle: dict[str, str]
) -> None:
    outsider = await _token("jorge")
    answer = await client.post(
        "/api/v1/statuses",
        data={"status": "@lapaz Spam", "scheduled_at": _later(30)},
        headers=outsider,
    )
    assert answer.status_code == 403 and not await ScheduledStatus.exists()


async def test_a_member_who_left_meanwhile_does_not_post_and_keeps_the_draft(
    client: httpx.AsyncClient, maelle: dict[str, str], fed: Federation
) -> None:
    jorge = await _token("jorge")
    owner = await Account.get(username="maelle")
    twinning = await Twinning.get(slug="lapaz")
    await request_to_join(await Account.get(username="jorge"), twinning)
    await decide_request(owner, twinning, "jorge", accept=True)
    made = await client.post(
        "/api/v1/statuses",
        data={"status": "@lapaz Je pars bientôt", "scheduled_at": _later(30)},
        headers=jorge,
    )
    assert made.status_code == 200, made.text
    await remove_member(owner, twinning, "jorge")
    assert await publish_due(fed.settings, now=datetime.now(UTC) + timedelta(hours=1)) == 0
    assert not await ContentItem.exists()
    kept = await ScheduledStatus.get()
    assert "members" in kept.failed_reason
    listed = await client.get("/api/v1/scheduled_statuses", headers=jorge)
    assert [s["id"] for s in listed.json()] == [made.json()["id"]]
