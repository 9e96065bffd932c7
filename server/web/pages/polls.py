"""Polls on the web: the optional poll fields of the update form, what a page shows of the
polls of its items (results only when the counts may be shown), and the vote form's route.
Voting goes through ``models.polls.vote``, which applies the visibility rule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account
from models.content import ContentItem
from models.errors import ModelError
from models.polls import Poll, PollInput, choices_on_items, polls_of, shows_totals, vote
from models.visibility import may_view
from server.web.forms import read_form, refusal_text, text
from server.web.guards import flash, get_or_404, redirect, require_viewer

# The durations the form offers, in seconds: an hour, a day, three days, a week.
DURATIONS = (3600, 86400, 259200, 604800)
POLL_FIELDS = (
    *(f"poll_option_{n}" for n in range(1, 5)),
    "poll_expires_in",
    "poll_multiple",
    "poll_hide_totals",
)


@dataclass
class OptionRow:
    title: str
    votes: int
    percent: int
    mine: bool


@dataclass
class PollView:
    """One poll as a page shows it to one reader."""

    poll: Poll
    chosen: list[int] | None
    may_vote: bool

    @property
    def shown(self) -> bool:
        return shows_totals(self.poll, self.chosen is not None)

    @property
    def total(self) -> int:
        return sum(self.poll.counts)

    def rows(self) -> list[OptionRow]:
        counts = self.poll.counts or [0] * len(self.poll.options)
        total = sum(counts)
        chosen = self.chosen or []
        return [
            OptionRow(title, n, round(100 * n / total) if total else 0, i in chosen)
            for i, (title, n) in enumerate(zip(self.poll.options, counts, strict=False))
        ]


async def poll_views(viewer: Account | None, items: Sequence[ContentItem]) -> dict[int, PollView]:
    """The polls of items the caller has chosen through the visibility rule, by item id: one
    query for the polls, one for the reader's choices."""
    ids = [item.id for item in items]
    polls = await polls_of(ids)
    chosen = await choices_on_items(viewer, ids)
    return {
        item_id: PollView(
            poll,
            chosen.get(poll.id),
            viewer is not None and not poll.expired and poll.id not in chosen,
        )
        for item_id, poll in polls.items()
    }


def poll_from_form(form: FormData) -> PollInput | None:
    """The poll of the update form, or None when no option was typed."""
    options = [text(form, f"poll_option_{n}") for n in range(1, 5)]
    typed = [option for option in options if option.strip()]
    if not typed:
        return None
    duration = text(form, "poll_expires_in")
    seconds = int(duration) if duration.isascii() and duration.isdigit() else DURATIONS[1]
    return PollInput(
        options=typed,
        expires_in=seconds if seconds in DURATIONS else DURATIONS[1],
        multiple=text(form, "poll_multiple") == "on",
        hide_totals=text(form, "poll_hide_totals") == "on",
    )


async def cast(request: Request) -> Response:
    """A vote from the web: the choices of the form, back to the update with the results."""
    viewer = require_viewer(request)
    item = await get_or_404(ContentItem, id=request.path_params["item_id"])
    poll = await Poll.get_or_none(item_id=item.id)
    if poll is None or not await may_view(viewer, item):
        raise HTTPException(404)  # as a missing item: nothing said of what one may not see
    form = await read_form(request)
    given = form.getlist("choices")
    choices = [
        int(c) if isinstance(c, str) and c.isascii() and c.isdigit() and len(c) < 4 else -1
        for c in given
    ]
    try:
        await vote(viewer, poll, choices)
    except ModelError as exc:
        flash(request, refusal_text(exc))
    return redirect(f"/t/{request.path_params['slug']}/updates/{item.id}#poll")


routes = [Route("/t/{slug:handle}/updates/{item_id:id}/vote", cast, methods=["POST"])]
