"""Polls in Mastodon's shapes: the ``poll`` of a new status (form ``poll[options][]`` fields or
a JSON ``poll`` object), the Poll entity, ``GET /api/v1/polls/:id`` and voting. A poll is
seen through its item: whoever may not see the item gets 404 for the poll too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.routing import Route

from models.content import ContentItem
from models.lookup import record_id
from models.polls import Poll, PollInput, own_choices, shows_totals, vote
from models.visibility import may_view
from server.api.core import ApiError, Call, Params, endpoint, not_found


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1", "on", "yes")


def poll_input(p: Params) -> PollInput | None:
    """The poll asked for with a status, or None; malformed fields answer 422."""
    nested = p.values.get("poll")
    if nested is not None and not isinstance(nested, dict):
        raise ApiError(422, "Validation failed: poll must be an object")
    fields = nested or {
        key[len("poll[") :].split("]")[0]: value
        for key, value in p.values.items()
        if key.startswith("poll[")
    }
    if not fields:
        return None
    options = fields.get("options", [])
    if not isinstance(options, list):
        options = [options]
    if not all(isinstance(o, str) for o in options):
        raise ApiError(422, "Validation failed: poll options must be texts")
    try:
        expires_in = int(fields.get("expires_in", 0))
    except (TypeError, ValueError):
        raise ApiError(422, "Validation failed: poll expires_in must be a number") from None
    return PollInput(
        options=options,
        expires_in=expires_in,
        multiple=_flag(fields.get("multiple", False)),
        hide_totals=_flag(fields.get("hide_totals", False)),
    )


def poll_entity(poll: Poll, chosen: list[int] | None) -> dict[str, Any]:
    """Mastodon's Poll; counts are null while the author hides them (until the end, or until
    the viewer has voted)."""
    shown = shows_totals(poll, chosen is not None)
    counts = poll.counts if len(poll.counts) == len(poll.options) else [0] * len(poll.options)
    return {
        "id": str(poll.id),
        "expires_at": _iso(poll.expires_at),
        "expired": poll.expired,
        "multiple": poll.multiple,
        "votes_count": sum(counts) if shown else 0,
        "voters_count": poll.voters_count if shown else None,
        "options": [
            {"title": title, "votes_count": n if shown else None}
            for title, n in zip(poll.options, counts, strict=True)
        ],
        "emojis": [],
        "voted": chosen is not None,
        "own_votes": chosen or [],
    }


async def visible_poll(call: Call) -> Poll:
    number = record_id(call.request.path_params["poll_id"])
    poll = await Poll.get_or_none(id=number) if number is not None else None
    item = await ContentItem.get_or_none(id=poll.item_id) if poll is not None else None
    if poll is None or item is None or not await may_view(call.account, item):
        raise not_found()
    return poll


async def _drawn(call: Call, poll: Poll) -> dict[str, Any]:
    chosen = (await own_choices(call.account, [poll.id])).get(poll.id)
    return poll_entity(poll, chosen)


@endpoint("read:statuses", public=True)
async def show(call: Call) -> Any:
    return await _drawn(call, await visible_poll(call))


@endpoint("write:statuses")
async def cast(call: Call) -> Any:
    poll = await visible_poll(call)
    given = call.params.items("choices")
    choices = [int(c) if c.isascii() and c.isdigit() and len(c) < 4 else -1 for c in given]
    await vote(call.user, poll, choices)
    return await _drawn(call, await Poll.get(id=poll.id))


P = "/api/v1/polls/{poll_id}"
routes = [Route(P, show), Route(P + "/votes", cast, methods=["POST"])]
