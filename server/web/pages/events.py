"""Meetings: scheduling one, saying whether one goes, and calendars (iCalendar) for a
twinning's public meetings and for each member's own, behind a private address."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

from icalendar import Calendar, Event
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.queryset import QuerySet

from federation.serialize import item_uri
from models.accounts import Account, account_zone
from models.content import ContentItem
from models.errors import ModelError
from models.events import EventDetails, EventInput, create_event, set_attendance, upcoming
from models.langmap import pick
from models.markup import to_html
from models.twinnings import Twinning
from server import i18n
from server.web.calendars import calendar_key
from server.web.forms import error_text, langmap, read_form, text
from server.web.guards import get_or_404, int_param, redirect, require_viewer
from server.web.pages.twinning_tabs import refused_form

MAX_EVENTS = 200


def event_input(form: FormData, default_zone: str) -> EventInput:
    """``default_zone``: the author's, for a form that names none (a client without the
    select)."""
    return EventInput(
        title=langmap(form, "event_title"),
        description=langmap(form, "event_description"),
        starts=text(form, "starts"),
        ends=text(form, "ends"),
        timezone=text(form, "timezone").strip() or default_zone,
        place=text(form, "place"),
        online_url=text(form, "online_url"),
        visibility=text(form, "visibility"),
    )


async def schedule(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    form = await read_form(request)
    data = event_input(form, account_zone(viewer, request.app.state.settings.default_timezone))
    try:
        item = await create_event(viewer, twinning, data)
    except ModelError as exc:
        values: dict[str, object] = {
            key: text(form, key) for key in ("starts", "ends", "timezone", "place")
        }
        values |= {"online_url": text(form, "online_url"), "visibility": data.visibility}
        values |= {"event_title": data.title, "event_description": data.description}
        return await refused_form(request, twinning, "meetings", exc, values)
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


async def attend(request: Request) -> Response:
    viewer = require_viewer(request)
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    item = await get_or_404(ContentItem, id=int_param(request, "item_id"), twinning=twinning)
    form = await read_form(request)
    try:
        await set_attendance(viewer, item, text(form, "attendance"))
    except ModelError as exc:
        raise HTTPException(404 if exc.status == 403 else 400, error_text(exc)) from None
    return redirect(f"/t/{twinning.slug}/updates/{item.id}")


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


async def _calendar(request: Request, name: str, query: QuerySet[ContentItem]) -> Response:
    """The events as iCalendar: times in each meeting's own zone (``TZID``, with its
    ``VTIMEZONE``), so a calendar keeps the wall-clock time if the zone's rules change."""
    settings = request.app.state.settings
    calendar = Calendar()
    calendar.add("prodid", "-//Jumelage//jumelage//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    lang = i18n.current_locale()
    items = await query.prefetch_related("twinning", "event").limit(MAX_EVENTS)
    for item in items:
        details: EventDetails = item.event  # type: ignore[attr-defined]
        twinning: Twinning = item.twinning  # type: ignore[assignment]
        _, title = pick(item.title_map, lang, item.primary_language)
        _, description = pick(item.content_map, lang, item.primary_language)
        url = item_uri(settings, twinning, item)
        event = Event()
        event.add("uid", url)
        event.add("summary", title)
        event.add("description", _plain(to_html(description, item.content_format)))
        event.add("dtstart", details.local(details.starts_at))
        event.add("dtend", details.local(details.ends_at))
        event.add("dtstamp", item.updated_at or item.created_at)
        event.add("url", url)
        if details.place or details.online_url:
            event.add("location", details.place or details.online_url)
        event.add("class", "PUBLIC" if item.visibility == "public" else "PRIVATE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return Response(
        calendar.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


async def twinning_calendar(request: Request) -> Response:
    """Public meetings only: a calendar app subscribing here is anonymous."""
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    _, title = pick(twinning.title_map, i18n.current_locale(), twinning.primary_language)
    query = upcoming(None, since=_a_month_ago()).filter(twinning=twinning)
    return await _calendar(request, title, query)


def _a_month_ago() -> datetime:
    from datetime import timedelta

    return datetime.now(UTC) - timedelta(days=31)


async def member_calendar(request: Request) -> Response:
    """Every meeting the member may see, partner-only ones included, at an address only they
    know (calendar apps cannot log in)."""
    account = await get_or_404(Account, username=request.path_params["username"], state="active")
    expected = calendar_key(request.app.state.settings.secret_key, account)
    if not hmac.compare_digest(expected, request.path_params["key"]):
        raise HTTPException(404)
    query = upcoming(account, since=_a_month_ago())
    return await _calendar(request, account.name, query)


routes = [
    Route("/t/{slug:handle}/meetings", schedule, methods=["POST"]),
    Route("/t/{slug:handle}/events", schedule, methods=["POST"]),
    Route("/t/{slug:handle}/events.ics", twinning_calendar),
    Route("/t/{slug:handle}/updates/{item_id:id}/attendance", attend, methods=["POST"]),
    Route("/calendar/{username:handle}/{key:hex_key}.ics", member_calendar),
]
