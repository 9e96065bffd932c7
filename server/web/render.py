"""Template rendering: one Jinja2 environment, gettext bound to the request's language."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from babel import Locale
from babel.dates import format_datetime, format_skeleton, format_time, format_timedelta
from markupsafe import Markup
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from models.config import LOCALES
from models.langmap import pick
from models.markup import to_html
from models.vocab import FIELDS, JOIN_POLICIES, LICENCES, MEMBER_ROLES, PHASES
from server import i18n
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


def _datetime(value: datetime) -> str:
    return format_datetime(value, "medium", locale=i18n.current_locale())


def _moment(value: datetime, zone: str = "") -> str:
    """A date and time without seconds, in the reader's language, in ``zone`` (an IANA
    name; the moment's own zone when empty or unknown)."""
    try:
        tz = ZoneInfo(zone) if zone else None
    except (ZoneInfoNotFoundError, ValueError):
        tz = None
    local = value.astimezone(tz) if tz is not None else value
    lang = i18n.current_locale()
    skeleton = "MMMEd" if local.year == datetime.now(local.tzinfo).year else "yMMMEd"
    day = format_skeleton(skeleton, local, locale=lang)
    pattern = str(Locale.parse(lang).datetime_formats["medium"])
    return pattern.format(format_time(local, "short", locale=lang), day)


_env.globals["pick"] = _pick
_env.filters["pageparams"] = _page_params
_env.filters["datetime"] = _datetime
_env.filters["moment"] = _moment
_env.filters["duration"] = _duration


def reader_zone(viewer: Any) -> str:
    """The account's time zone when it has one (an IANA name); empty otherwise, and dates
    then show in their own zone (a meeting's) or in UTC."""
    zone = getattr(viewer, "timezone", "") if viewer is not None else ""
    return zone if isinstance(zone, str) else ""


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings = request.app.state.settings
    html = _env.get_template(template).render(
        request=request,
        viewer=getattr(request.state, "viewer", None),
        bell=getattr(request.state, "bell", None),
        reader_zone=reader_zone(getattr(request.state, "viewer", None)),
        lang=i18n.current_locale(),
        csrf_token=csrf_token(request),
        flashes=take_flashes(request),
        instance_name=settings.instance_name,
        registrations=settings.registrations,
        **context,
    )
    headers = {"Cache-Control": "private, no-store", "Vary": "Accept, Cookie"}
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_xml(request: Request, template: str, **context: Any) -> Response:
    """Feeds: the same escaping as pages, served as Atom; public content only, so caches may
    keep them a little."""
    xml = _env.get_template(template).render(lang=i18n.current_locale(), **context)
    headers = {"Cache-Control": "public, max-age=300", "Vary": "Accept-Language"}
    return Response(xml, media_type="application/atom+xml; charset=utf-8", headers=headers)
