"""Programmes: a set of twinnings, of this server and of others, followed by an instance admin
or a coordinating organisation, with their phases and figures on one page.

A programme takes a handle in the shared namespace (``models.handles``), so WebFinger's
``acct:slug@domain`` names it and no person, twinning or organisation can take it too.

Who manages one: the instance's admins, and the admins of the organisation that owns it.

Figures of local twinnings are ``models.usage`` reports, computed for the reader (the
visibility rule holds there: partner-only items count for the twinning's members only).
A twinning of another server is known here only by what it publishes: its actor document
(the phase) and the sizes of its public outbox, members and followers collections, read by
the federation layer when it is added and whenever a manager refreshes it, and kept on the
row (``snapshot``) with the time they were read. Those figures are public ones, whoever reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

from models import happenings
from models.accounts import Account
from models.config import LOCALES
from models.content import ContentItem
from models.errors import N_, Conflict, Invalid, NotAllowed
from models.handles import check_handle, claim_handle
from models.langmap import build_map
from models.organisations import Organisation, is_organisation_admin
from models.remote import RemoteActor
from models.twinnings import Twinning
from models.usage import (
    LanguageCoverage,
    MeetingMonth,
    MonthActivity,
    Participation,
    Report,
    ServerReach,
    usage_report,
)
from models.visibility import visible_items

RECENT_ITEMS = 3
MAX_TWINNINGS = 200


class Programme(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=30, unique=True)
    title_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    description_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    starts_on = fields.DateField(null=True)
    ends_on = fields.DateField(null=True)
    languages: fields.JSONField[list[str]] = fields.JSONField(default=list)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="programmes", null=True, on_delete=fields.SET_NULL
    )
    organisation_id: int | None
    created_by: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="programmes_created"
    )
    created_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "programmes"


class ProgrammeTwinning(Model):
    """One twinning of a programme: ours (``twinning``) or another server's (``remote``)."""

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "models.Programme", related_name="entries", on_delete=fields.CASCADE
    )
    programme_id: int
    twinning: fields.ForeignKeyNullableRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="programme_entries", null=True, on_delete=fields.CASCADE
    )
    twinning_id: int | None
    remote: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="programme_entries", null=True, on_delete=fields.CASCADE
    )
    remote_id: int | None
    # What the remote twinning published when last read: phase, items, members, followers.
    snapshot: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    fetched_at = fields.DatetimeField(null=True)
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "programme_twinnings"
        unique_together = (("programme", "twinning"), ("programme", "remote"))


@dataclass
class ProgrammeInput:
    title: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    starts_on: str = ""
    ends_on: str = ""
    languages: list[str] = field(default_factory=list)

    def cleaned(self) -> dict[str, Any]:
        starts, ends = _date("starts_on", self.starts_on), _date("ends_on", self.ends_on)
        if starts and ends and ends < starts:
            raise Invalid("ends_on", N_("the end comes before the start"))
        languages = sorted({lang for lang in self.languages if lang})
        if any(lang not in LOCALES for lang in languages):
            raise Invalid("languages", N_("choose among the offered languages"))
        return {
            "title_map": build_map("title", self.title, 150),
            "description_map": build_map("description", self.description, 5000, required=False),
            "starts_on": starts,
            "ends_on": ends,
            "languages": languages or list(LOCALES),
        }


def _date(name: str, value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(name, N_("write a date as YYYY-MM-DD")) from None


async def may_create_for(account: Account | None, org: Organisation | None) -> bool:
    """An instance admin, for the instance or any organisation; an organisation's admin, for
    that organisation."""
    if account is None or not account.is_active:
        return False
    if account.is_admin:
        return True
    return org is not None and await is_organisation_admin(account, org)


async def may_manage(account: Account | None, programme: Programme) -> bool:
    org = await Organisation.get_or_none(id=programme.organisation_id or 0)
    return await may_create_for(account, org)


async def create_programme(
    creator: Account, slug: str, data: ProgrammeInput, org: Organisation | None
) -> Programme:
    if not await may_create_for(creator, org):
        if org is None:
            raise NotAllowed("organisation", N_("only the instance's admins may do this"))
        raise NotAllowed("organisation", N_("only the organisation's admins may do this"))
    slug = check_handle("slug", slug)
    values = data.cleaned()
    async with happenings.acting():
        await claim_handle("slug", slug, "programme")
        return await Programme.create(slug=slug, organisation=org, created_by=creator, **values)


async def _require_manager(account: Account, programme: Programme) -> None:
    if not await may_manage(account, programme):
        raise NotAllowed("programme", N_("only the programme's managers may do this"))


async def _added(programme: Programme, **target: Any) -> ProgrammeTwinning:
    if await ProgrammeTwinning.filter(programme=programme).count() >= MAX_TWINNINGS:
        raise Invalid("twinning", N_("a programme holds at most %(n)s twinnings"), n=MAX_TWINNINGS)
    if await ProgrammeTwinning.filter(programme=programme, **target).exists():
        raise Conflict("twinning", N_("this twinning is in the programme already"))
    try:
        async with happenings.acting():
            entry = await ProgrammeTwinning.create(programme=programme, **target)
            await happenings.joined_programme(programme.id, entry.id)
    except IntegrityError:
        raise Conflict("twinning", N_("this twinning is in the programme already")) from None
    return entry


async def add_local_twinning(editor: Account, programme: Programme, slug: str) -> ProgrammeTwinning:
    await _require_manager(editor, programme)
    twinning = await Twinning.get_or_none(slug=slug.strip().lstrip("@").lower()[:30])
    if twinning is None:
        raise Invalid("twinning", N_("no twinning of this server has this name"))
    return await _added(programme, twinning=twinning)


async def add_remote_twinning(
    editor: Account, programme: Programme, group: RemoteActor, snapshot: dict[str, Any]
) -> ProgrammeTwinning:
    """``group`` and ``snapshot`` were read by the federation layer (a Group's document)."""
    await _require_manager(editor, programme)
    entry = await _added(programme, remote=group)
    await keep_snapshot(entry, snapshot)
    return entry


async def keep_snapshot(entry: ProgrammeTwinning, snapshot: dict[str, Any]) -> None:
    entry.snapshot = snapshot
    entry.fetched_at = datetime.now(UTC)
    await entry.save(update_fields=["snapshot", "fetched_at"])


async def remove_twinning(editor: Account, programme: Programme, entry_id: int) -> None:
    await _require_manager(editor, programme)
    await ProgrammeTwinning.filter(programme=programme, id=entry_id).delete()


async def entries_of(programme: Programme) -> list[ProgrammeTwinning]:
    query = ProgrammeTwinning.filter(programme=programme).prefetch_related("twinning", "remote")
    return await query.order_by("id")


@dataclass
class TwinningFigures:
    """One local twinning as the programme page shows it to one reader."""

    entry: ProgrammeTwinning
    twinning: Twinning
    report: Report
    recent: list[ContentItem]

    @property
    def members(self) -> int:
        return sum(s.members for s in self.report.reach)

    @property
    def followers(self) -> int:
        return sum(s.followers for s in self.report.reach)


async def local_figures(viewer: Account | None, entry: ProgrammeTwinning) -> TwinningFigures:
    twinning: Twinning = entry.twinning  # type: ignore[assignment]
    report = await usage_report(viewer, twinning)
    recent = (
        await visible_items(viewer)
        .filter(twinning_id=twinning.id, in_reply_to_id__isnull=True)
        .order_by("-created_at", "-id")
        .limit(RECENT_ITEMS)
    )
    return TwinningFigures(entry, twinning, report, list(recent))


def combined_report(reports: list[Report]) -> Report:
    """The sum of the local twinnings' reports (each already drawn for its reader)."""
    months: dict[str, MonthActivity] = {}
    orgs: dict[tuple[str, str, bool], Participation] = {}
    countries: dict[tuple[str, bool], Participation] = {}
    languages: dict[str, LanguageCoverage] = {}
    meetings: dict[str, MeetingMonth] = {}
    reach: dict[str, ServerReach] = {}
    for report in reports:
        for m in report.months:
            total = months.setdefault(m.month, MonthActivity(m.month))
            for kind, n in m.items.items():
                total.items[kind] += n
            total.human_translations += m.human_translations
            total.machine_translations += m.machine_translations
        for p in report.organisations:
            _add_participation(orgs, (p.name, p.country, p.elsewhere), p)
        for p in report.countries:
            _add_participation(countries, (p.country, p.elsewhere), p)
        for c in report.languages:
            lang = languages.setdefault(c.language, LanguageCoverage(c.language, 0, 0))
            lang.available += c.available
            lang.machine += c.machine
        for g in report.meetings:
            month = meetings.setdefault(g.month, MeetingMonth(g.month))
            month.meetings += g.meetings
            month.held += g.held
            month.going += g.going
            month.not_going += g.not_going
        for s in report.reach:
            server = reach.setdefault(s.server, ServerReach(s.server))
            server.members += s.members
            server.followers += s.followers
    return Report(
        months=[months[m] for m in sorted(months)],
        organisations=_by_items(orgs.values()),
        countries=_by_items(countries.values()),
        languages=list(languages.values()) or [LanguageCoverage(lang, 0, 0) for lang in LOCALES],
        meetings=[meetings[m] for m in sorted(meetings)],
        reach=_reach_order(reach),
    )


def _add_participation(into: dict[Any, Participation], key: Any, p: Participation) -> None:
    """People are summed across twinnings: someone in two twinnings counts twice."""
    row = into.setdefault(key, Participation(p.name, p.country, 0, 0, p.elsewhere))
    row.items += p.items
    row.people += p.people


def _by_items(rows: Any) -> list[Participation]:
    return sorted(rows, key=lambda r: (r.elsewhere, not (r.name or r.country), -r.items, r.name))


def _reach_order(reach: dict[str, ServerReach]) -> list[ServerReach]:
    here = reach.pop("", ServerReach(""))
    others = sorted(reach.values(), key=lambda s: (-(s.members + s.followers), s.server))
    return [here, *others]
