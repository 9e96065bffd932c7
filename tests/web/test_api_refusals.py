"""What the server cannot keep, an app is told at once: a scheduled status carrying a poll
answers 422 with the reason, and nothing is published nor scheduled."""

from __future__ import annotations

import httpx
import pytest

from models.content import ContentItem
from models.oauth import issue_token, register_app
from models.scheduled import ScheduledStatus
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (
            {
                "poll[options][]": ["Yes", "No"],
                "poll[expires_in]": "86400",
                "scheduled_at": "2099-01-01T10:00:00Z",
            },
            "scheduled status cannot hold a poll",
        ),
    ],
)
async def test_a_scheduled_poll_is_refused_not_lost(
    client: httpx.AsyncClient, extra: dict[str, object], reason: str
) -> None:
    maelle = await make_account("maelle")
    await create_twinning(maelle, "lapaz", TwinningInput(title={"fr": "La Paz"}))
    oauth_app, _ = await register_app("t", "urn:ietf:wg:oauth:2.0:oob", "read write", "")
    _, token, _ = await issue_token(oauth_app, maelle, "read write")
    answer = await client.post(
        "/api/v1/statuses",
        data={"status": "@lapaz Vote next week", **extra},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422 and reason in answer.json()["error"]
    assert not await ContentItem.exists()
    assert not await ScheduledStatus.exists()
