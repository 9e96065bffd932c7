"""Usage reports, of one twinning (``/t/<slug>/usage``) and of the whole instance (``/usage``):
tables with a chart beside each, and the same figures as CSV for researchers.

What a report counts is ``models.usage``'s business (the visibility rule holds there); this
page decides what the reader may see beyond items: figures per person for the twinning's
moderators only, and members and followers server by server for those who may see the
twinning's members (the instance's admins, for the instance); others read the totals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Any

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.accounts import Account
from models.twinnings import Twinning, membership_of
from models.usage import KINDS, THIS_SERVER, Report, ServerReach, usage_report
from models.visibility import may_see_members
from server import i18n
from server.web.charts import Bar, Chart, Row, bar_chart
from server.web.guards import get_or_404, viewer_of
from server.web.pages.twinning_tabs import frame
from server.web.render import render

OTHER_SERVERS = "*"
CSV_COLUMNS = ("section", "month", "name", "country", "measure", "value")


def kind_names() -> dict[str, str]:
    return {
        "update": i18n.gettext("Updates"),
        "discussion": i18n.gettext("Discussions"),
        "reply": i18n.gettext("Answers"),
        "event": i18n.gettext("Meetings"),
        "resource": i18n.gettext("Resources"),
    }


def _items_words(n: int) -> str:
    return i18n.ngettext("%(num)s item", "%(num)s items", n)


def month_name(month: str) -> str:
    """``2026-09`` as the reader says it ("septembre 2026")."""
    year, number = month.split("-")
    day = date(int(year), int(number), 1)
    return format_date(day, "LLLL y", locale=i18n.current_locale())


def _activity_chart(report: Report) -> Chart:
    rows = [Row(month_name(m.month), [Bar(m.total, _items_words(m.total))]) for m in report.months]
    summary = i18n.gettext("No item yet.")
    if report.months:
        busiest = max(report.months, key=lambda m: m.total)
        summary = i18n.gettext(
            "Items: %(items)s; months: %(months)s; the busiest month: %(month)s (%(count)s).",
            items=report.total_items,
            months=len(report.months),
            month=month_name(busiest.month),
            count=busiest.total,
        )
    return bar_chart("activity", i18n.gettext("Items per month"), summary, rows)


def _organisation_name(name: str, elsewhere: bool) -> str:
    if elsewhere:
        return i18n.gettext("People of other servers")
    return name or i18n.gettext("No organisation")


def _organisations_chart(report: Report) -> Chart:
    rows = [
        Row(_organisation_name(p.name, p.elsewhere), [Bar(p.items, _items_words(p.items))])
        for p in report.organisations
    ]
    summary = i18n.gettext("No item yet.")
    if report.organisations:
        top = report.organisations[0]
        summary = i18n.gettext(
            "Groups of authors: %(n)s; the most active: %(name)s (%(items)s).",
            n=len(report.organisations),
            name=_organisation_name(top.name, top.elsewhere),
            items=_items_words(top.items),
        )
    return bar_chart("organisations", i18n.gettext("Items per organisation"), summary, rows)


def _share(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _languages_chart(report: Report) -> Chart:
    total = report.total_items
    rows = [
        Row(
            i18n.language_name(c.language),
            [
                Bar(c.human, i18n.gettext("by a person: %(n)s", n=c.human), 0),
                Bar(c.machine, i18n.gettext("by machine: %(n)s", n=c.machine), 1),
            ],
        )
        for c in report.languages
    ]
    shares = ", ".join(
        f"{i18n.language_name(c.language)} {_share(c.available, total)} %" for c in report.languages
    )
    summary = i18n.gettext(
        "Share of the items readable in each language: %(shares)s.", shares=shares
    )
    return bar_chart("languages", i18n.gettext("Items in each language"), summary, rows)


def _meetings_chart(report: Report) -> Chart:
    rows = [
        Row(
            month_name(m.month),
            [
                Bar(m.held, i18n.gettext("held: %(n)s", n=m.held), 0),
                Bar(m.going, i18n.gettext("going: %(n)s", n=m.going), 1),
            ],
        )
        for m in report.meetings
    ]
    held = sum(m.held for m in report.meetings)
    going = sum(m.going for m in report.meetings)
    summary = i18n.gettext(
        "Meetings held: %(held)s; answers “going”: %(going)s.", held=held, going=going
    )
    return bar_chart("meetings", i18n.gettext("Meetings per month"), summary, rows)


def server_name(server: str, host: str) -> str:
    if server == THIS_SERVER:
        return i18n.gettext("This server (%(host)s)", host=host)
    if server == OTHER_SERVERS:
        return i18n.gettext("Other servers")
    return server


def _reach_chart(reach: list[ServerReach], host: str) -> Chart:
    rows = [
        Row(
            server_name(s.server, host),
            [
                Bar(s.members, i18n.gettext("members: %(n)s", n=s.members), 0),
                Bar(s.followers, i18n.gettext("followers: %(n)s", n=s.followers), 1),
            ],
        )
        for s in reach
    ]
    summary = i18n.gettext(
        "Members: %(members)s; followers: %(followers)s; servers: %(servers)s.",
        members=sum(s.members for s in reach),
        followers=sum(s.followers for s in reach),
        servers=len([s for s in reach if s.members or s.followers]),
    )
    return bar_chart("reach", i18n.gettext("Members and followers by server"), summary, rows)


def reach_shown(report: Report, by_server: bool) -> list[ServerReach]:
    """Server by server, or this server and the sum of the others."""
    if by_server:
        return report.reach
    here, others = report.reach[0], report.reach[1:]
    total = ServerReach(
        OTHER_SERVERS, sum(s.members for s in others), sum(s.followers for s in others)
    )
    return [here, total]


def csv_rows(report: Report, reach: list[ServerReach], host: str) -> Iterator[tuple[object, ...]]:
    """The figures of the page's tables, one figure a line (the columns are told on the page)."""
    for m in report.months:
        for kind in KINDS:
            yield ("activity", m.month, "", "", kind, m.items[kind])
        yield ("activity", m.month, "", "", "translation_human", m.human_translations)
        yield ("activity", m.month, "", "", "translation_machine", m.machine_translations)
    for p in report.organisations:
        name = "(other servers)" if p.elsewhere else p.name or "(no organisation)"
        yield ("organisations", "", name, p.country, "items", p.items)
        yield ("organisations", "", name, p.country, "people", p.people)
    for p in report.countries:
        country = "(other servers)" if p.elsewhere else p.country or "(unknown)"
        yield ("countries", "", "", country, "items", p.items)
        yield ("countries", "", "", country, "people", p.people)
    for c in report.languages:
        yield ("languages", "", c.language, "", "available", c.available)
        yield ("languages", "", c.language, "", "human", c.human)
        yield ("languages", "", c.language, "", "machine", c.machine)
    for meeting in report.meetings:
        for measure in ("meetings", "held", "going", "not_going"):
            yield ("meetings", meeting.month, "", "", measure, getattr(meeting, measure))
    for s in reach:
        name = host if s.server == THIS_SERVER else s.server
        name = "(other servers)" if s.server == OTHER_SERVERS else name
        yield ("reach", "", name, "", "members", s.members)
        yield ("reach", "", name, "", "followers", s.followers)
    for person in report.people or []:
        for kind in KINDS:
            yield ("people", "", person.name, "", kind, person.items[kind])


def report_charts(report: Report, reach: list[ServerReach], host: str) -> dict[str, Chart]:
    """The chart beside each table of a report (also the programmes' combined report)."""
    return {
        "activity": _activity_chart(report),
        "organisations": _organisations_chart(report),
        "languages": _languages_chart(report),
        "meetings": _meetings_chart(report),
        "reach": _reach_chart(reach, host),
    }


async def _twinning_rights(viewer: Account | None, twinning: Twinning) -> tuple[bool, bool]:
    """(figures per person, members and followers server by server)."""
    membership = await membership_of(viewer, twinning)
    is_moderator = membership is not None and membership.is_moderator
    return is_moderator, await may_see_members(viewer, twinning)


async def _report(
    request: Request,
) -> tuple[Twinning | None, Report, list[ServerReach], bool]:
    """The twinning (None: the instance), its report, the reach as shown, and whether the
    reach is told server by server."""
    viewer = viewer_of(request)
    slug = request.path_params.get("slug")
    if slug is None:
        report = await usage_report(viewer, None)
        by_server = viewer is not None and viewer.is_active and viewer.is_admin
        return None, report, reach_shown(report, by_server), by_server
    twinning = await get_or_404(Twinning, slug=slug)
    per_person, by_server = await _twinning_rights(viewer, twinning)
    report = await usage_report(viewer, twinning, per_person=per_person)
    return twinning, report, reach_shown(report, by_server), by_server


async def page(request: Request) -> Response:
    twinning, report, reach, by_server = await _report(request)
    host = request.app.state.settings.domain
    charts = report_charts(report, reach, host)
    context: dict[str, Any] = {
        "report": report,
        "reach": reach,
        "by_server": by_server,
        "charts": charts,
        "kinds": KINDS,
        "kind_names": kind_names(),
        "server_name": lambda s: server_name(s, host),
        "share": _share,
        "month_name": month_name,
    }
    if twinning is None:
        return render(request, "usage.html", csv_url="/usage.csv", **context)
    around = await frame(request, twinning, "about")
    csv_url = f"/t/{twinning.slug}/usage.csv"
    return render(request, "twinning_usage.html", **around, csv_url=csv_url, **context)


async def download(request: Request) -> Response:
    twinning, report, reach, _ = await _report(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(report, reach, request.app.state.settings.domain))
    name = f"usage-{twinning.slug if twinning else 'instance'}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "Vary": "Cookie",
        },
    )


routes = [
    Route("/usage", page, methods=["GET"]),
    Route("/usage.csv", download, methods=["GET"]),
    Route("/t/{slug:handle}/usage", page, methods=["GET"]),
    Route("/t/{slug:handle}/usage.csv", download, methods=["GET"]),
]
