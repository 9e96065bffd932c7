"""Template rendering: one Jinja2 environment, gettext bound to the request's language."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from babel.dates import format_date, format_time, format_timedelta
from markupsafe import Markup, escape
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from models.accounts import account_zone
from models.config import LOCALES
from models.langmap import pick
from models.markup import to_html
from models.vocab import FIELDS, JOIN_POLICIES, LICENCES, MEMBER_ROLES, PHASES
from models.zones import is_offered, old_names
from server import dates, i18n
from server.web.faces import hue, initials
from server.web.guards import take_flashes
from server.web.session import csrf_token

TEMPLATES = Path(__file__).resolve().parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    undefined=jinja2.StrictUndefined,
)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
_env.filters["rich"] = lambda text, fmt: Markup(to_html(text, fmt))  # sanitised by nh3
_env.filters["language_name"] = i18n.language_name
_env.filters["country_name"] = i18n.country_name
_env.filters["initials"] = initials
_env.filters["face_hue"] = hue
_env.globals.update(
    LOCALES=LOCALES,
    FIELDS=FIELDS,
    PHASES=PHASES,
    JOIN_POLICIES=JOIN_POLICIES,
    LICENCES=LICENCES,
    MEMBER_ROLES=MEMBER_ROLES,
    zone_choices=i18n.zone_choices,
    zone_label=i18n.zone_label,
    zone_offered=is_offered,
    zone_old_names=old_names,
)


def _pick(langmap: dict[str, str], primary: str = "") -> tuple[str, str]:
    return pick(langmap, i18n.current_locale(), primary)


def _page_params(params: QueryParams, number: int) -> str:
    """The current query string with another page number, so filters survive paging."""
    items = [(k, v) for k, v in params.multi_items() if k != "page"]
    return urlencode([*items, ("page", str(number))])


def _duration(seconds: float) -> str:
    """How long, in words of the reader's language ("3 minutes"); a dash for nothing."""
    if seconds <= 0:
        return "–"
    return format_timedelta(timedelta(seconds=seconds), locale=i18n.current_locale())


@jinja2.pass_context
def _when(context: jinja2.runtime.Context, value: datetime, relative: bool = True) -> Markup:
    """Every date a page shows: ``<time>`` with the moment for machines, the full date and
    zone as a tooltip, and "3 hours ago" or "Thu 15 Jan, 18:00" in the reader's zone."""
    zone, lang = context.get("reader_zone") or "UTC", i18n.current_locale()
    shown = dates.short(value, zone, lang) if relative else dates.day_and_time(value, zone, lang)
    return _time_tag(value, zone, lang, shown)


def _time_tag(value: datetime, zone: str, lang: str, shown: str) -> Markup:
    full = dates.full(value, zone, lang)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(dates.iso(value), full, shown)


def _day(iso_date: str) -> Markup:
    """A calendar date (a white paper's), not a moment: no zone, in the reader's language."""
    try:
        shown = format_date(date.fromisoformat(iso_date), "long", locale=i18n.current_locale())
    except ValueError:
        shown = iso_date
    return Markup('<time datetime="{}">{}</time>').format(iso_date, shown)


@jinja2.pass_context
def _meeting_time(context: jinja2.runtime.Context, event: Any, with_end: bool = False) -> Markup:
    """A meeting's start (and end) in the reader's zone, then in the meeting's own zone when
    it is another one, so both sides of a twinning read the time they will join at."""
    zone, lang = context.get("reader_zone") or "UTC", i18n.current_locale()
    html = _span(event, zone, lang, with_end) + Markup(" ({})").format(dates.zone_time_label(zone))
    own = event.timezone
    if not dates.same_clock(event.starts_at, own, zone):
        label = i18n.gettext("%(zone)s, the meeting's zone", zone=dates.zone_time_label(own))
        html += Markup(' <span class="own-zone"><span class="sep">· </span>{} ({})</span>').format(
            _span(event, own, lang, with_end, reader_zone=zone), label
        )
    return html


def _span(event: Any, zone: str, lang: str, with_end: bool, reader_zone: str = "") -> Markup:
    """Start (and end) in ``zone``; the day is left out when it is the day already shown in
    ``reader_zone``, or for an end on the day of the start."""
    start = dates.in_zone(event.starts_at, zone)
    same_day = reader_zone and start.date() == dates.in_zone(event.starts_at, reader_zone).date()
    first = format_time(start, "short", locale=lang) if same_day else None
    html = _time_tag(event.starts_at, zone, lang, first or dates.day_and_time(start, zone, lang))
    if with_end:
        end = dates.in_zone(event.ends_at, zone)
        shown = (
            format_time(end, "short", locale=lang)
            if end.date() == start.date()
            else dates.day_and_time(end, zone, lang)
        )
        html += Markup(" – ") + _time_tag(event.ends_at, zone, lang, shown)
    return html


_env.globals["pick"] = _pick
_env.filters["pageparams"] = _page_params
_env.filters["when"] = _when
_env.filters["meeting_time"] = _meeting_time
_env.filters["day"] = _day
_env.filters["duration"] = _duration


def reader_zone(request: Request) -> str:
    """The zone dates are shown in on this request: the signed-in account's, else the
    instance's default (an IANA name)."""
    viewer = getattr(request.state, "viewer", None)
    return account_zone(viewer, request.app.state.settings.default_timezone)


class _LazyCsrf:
    """The session's CSRF token, made only when a template prints it: a page without a form
    leaves the session alone, and the renderer learns whether this page holds a token."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.used = False

    def __str__(self) -> str:
        self.used = True
        return csrf_token(self.request)

    def __html__(self) -> str:
        return str(escape(str(self)))


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings
    viewer = getattr(request.state, "viewer", None)
    token = _LazyCsrf(request)
    flashes = take_flashes(request)
    html = _env.get_template(template).render(
        request=request,
        viewer=viewer,
        bell=getattr(request.state, "bell", None),
        reader_zone=reader_zone(request),
        lang=i18n.current_locale(),
        csrf_token=token,
        flashes=flashes,
        instance_name=settings.instance_name,
        registrations=settings.registrations,
        **context,
    )
    # What only this visitor may see (an account, a flash, a form's token) marks the page as
    # theirs; otherwise the shared cache (server.http_cache) may keep it for every visitor.
    request.state.same_for_every_visitor = viewer is None and not flashes and not token.used
    headers = {"Cache-Control": "private, no-store", "Vary": "Accept, Cookie"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_xml(request: Request, template: str, **context: Any) -> Response:
    """Feeds: the same escaping as pages, served as Atom; public content only, so caches may
    keep them a little."""
    xml = _env.get_template(template).render(lang=i18n.current_locale(), **context)
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
    return Response(xml, media_type="application/atom+xml; charset=utf-8", headers=headers)
