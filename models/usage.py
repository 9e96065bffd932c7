"""Usage observation ("analyse des usages"): what a twinning, or the whole instance, did month by
month, who took part, in which languages, at which meetings, and how far it reaches.

A report holds what its reader may see and nothing more: every figure about items is counted
from ``visible_items(viewer)``, so a member's report of a twinning counts its partner-only
items, and everyone else's (the public report) counts public items only. Figures are
aggregates (per month, kind, organisation, country, language, server); figures per person are
computed only when the caller asks for them, which the pages do for the twinning's moderators.

Each report is a fixed number of grouped queries, whatever the number of items. Months are UTC
calendar months (``YYYY-MM``). An item's translations are counted in the month the item was
posted: the time of each translation is not kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise import connections
from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.functions import Count, Sum
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.config import LOCALES
from models.content import ContentItem
from models.events import Attendance, EventDetails
from models.follows import Follow
from models.organisations import Organisation
from models.remote import RemoteActor, RemoteMembership
from models.social import LocalFollow
from models.twinnings import Membership, Twinning
from models.visibility import visible_items

# Kinds of items, in the order reports show them; "reply" is an answer (to an update, a
# discussion, a meeting or a resource).
KINDS = ("update", "discussion", "reply", "event", "resource")
THIS_SERVER = ""


@dataclass
class MonthActivity:
    month: str
    items: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    human_translations: int = 0
    machine_translations: int = 0

    @property
    def total(self) -> int:
        return sum(self.items.values())


@dataclass
class Participation:
    """Items posted by the people of one organisation (or of one country), and how many people
    posted them. Someone in two organisations counts in both."""

    name: str
    country: str
    items: int
    people: int
    # The people of other servers, whose organisation and country are not known here.
    elsewhere: bool = False


@dataclass
class LanguageCoverage:
    language: str
    available: int
    machine: int

    @property
    def human(self) -> int:
        return self.available - self.machine


@dataclass
class MeetingMonth:
    month: str
    meetings: int = 0
    held: int = 0
    going: int = 0
    not_going: int = 0


@dataclass
class ServerReach:
    """Members and followers on one server; ``THIS_SERVER`` is this instance's own people."""

    server: str
    members: int = 0
    followers: int = 0


@dataclass
class PersonActivity:
    name: str
    items: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.items.values())


@dataclass
class Report:
    months: list[MonthActivity]
    organisations: list[Participation]
    countries: list[Participation]
    languages: list[LanguageCoverage]
    meetings: list[MeetingMonth]
    reach: list[ServerReach]
    people: list[PersonActivity] | None = None

    @property
    def total_items(self) -> int:
        return sum(m.total for m in self.months)


def _dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


def _month_of(column: str) -> RawSQL:
    """The UTC month of a timestamp column, as ``YYYY-MM``, in the database's own words."""
    if _dialect() == "sqlite":
        return RawSQL(f"strftime('%Y-%m', {column})")
    return RawSQL(f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM')")


def _has_language(lang: str) -> str:
    column = '"content_items"."content_map"'
    if _dialect() == "sqlite":
        return f"json_extract({column}, '$.{lang}') IS NOT NULL"
    return f"jsonb_exists({column}::jsonb, '{lang}')"


def _by_machine(lang: str) -> str:
    column = '"content_items"."machine_languages"'
    if _dialect() == "sqlite":
        return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = '{lang}')"
    return f"jsonb_exists({column}::jsonb, '{lang}')"


def _sum_of(condition: str) -> Sum:
    """How many rows meet ``condition`` (tortoise sums any term, though its hints say fields)."""
    return Sum(RawSQL(f"CASE WHEN {condition} THEN 1 ELSE 0 END"))  # type: ignore[arg-type]


def _scope(twinning: Twinning | None) -> Q:
    """A twinning's items and the answers in its threads (answers hang under their root); for
    the instance, those of every twinning of this server."""
    if twinning is None:
        return Q(twinning_id__isnull=False) | Q(in_reply_to__twinning_id__isnull=False)
    return Q(twinning_id=twinning.id) | Q(in_reply_to__twinning_id=twinning.id)


def _items(viewer: Account | None, twinning: Twinning | None) -> QuerySet[ContentItem]:
    return visible_items(viewer).filter(_scope(twinning))


async def _activity(items: QuerySet[ContentItem]) -> tuple[list[MonthActivity], list[Any]]:
    """One grouped query: items per month and kind, with their languages and translations."""
    sums: dict[str, Any] = {}
    for lang in LOCALES:
        has, machine = _has_language(lang), _by_machine(lang)
        other = f'"content_items"."primary_language" <> \'{lang}\''
        sums[f"has_{lang}"] = _sum_of(has)
        sums[f"machine_{lang}"] = _sum_of(f"{has} AND {machine}")
        sums[f"human_tr_{lang}"] = _sum_of(f"{has} AND {other} AND NOT ({machine})")
    month = _month_of('"content_items"."created_at"')
    rows = await (
        items.annotate(month=month, n=Count("id"), **sums)
        .group_by("month", "kind")
        .values("month", "kind", "n", *sums)
    )
    months: dict[str, MonthActivity] = {}
    for row in rows:
        if row["kind"] not in KINDS:
            continue
        entry = months.setdefault(row["month"], MonthActivity(row["month"]))
        entry.items[row["kind"]] += row["n"]
        for lang in LOCALES:
            entry.human_translations += int(row[f"human_tr_{lang}"] or 0)
            entry.machine_translations += int(row[f"machine_{lang}"] or 0)
    return [months[m] for m in sorted(months)], rows


def _coverage(rows: list[Any]) -> list[LanguageCoverage]:
    counted = [r for r in rows if r["kind"] in KINDS]
    return [
        LanguageCoverage(
            lang,
            sum(int(r[f"has_{lang}"] or 0) for r in counted),
            sum(int(r[f"machine_{lang}"] or 0) for r in counted),
        )
        for lang in LOCALES
    ]


async def _participation(
    items: QuerySet[ContentItem],
) -> tuple[list[Participation], list[Participation]]:
    """By organisation and by country of this server's authors, plus one line for the people
    of other servers (their organisation is not known here)."""
    local = items.filter(author_id__isnull=False, kind__in=KINDS)
    org_key = "author__organisation_memberships__organisation_id"
    country_key = "author__organisation_memberships__organisation__country"
    counts = {"n": Count("id", distinct=True), "people": Count("author_id", distinct=True)}
    by_org = await local.annotate(**counts).group_by(org_key).values(org_key, "n", "people")
    by_country = (
        await local.annotate(**counts).group_by(country_key).values(country_key, "n", "people")
    )
    remote = (
        await items.filter(author_id__isnull=True, remote_author_id__isnull=False, kind__in=KINDS)
        .annotate(n=Count("id"), people=Count("remote_author_id", distinct=True))
        .values("n", "people")
    )
    ids = [r[org_key] for r in by_org if r[org_key] is not None]
    names = {o.id: o for o in await Organisation.filter(id__in=ids)}
    organisations = [
        Participation(
            names[r[org_key]].name if r[org_key] is not None else "",
            names[r[org_key]].country if r[org_key] is not None else "",
            r["n"],
            r["people"],
        )
        for r in by_org
    ]
    countries = [Participation("", r[country_key] or "", r["n"], r["people"]) for r in by_country]
    for row in remote:
        if row["n"]:
            elsewhere = Participation("", "", row["n"], row["people"], elsewhere=True)
            organisations.append(elsewhere)
            countries.append(elsewhere)
    return _ranked(organisations), _ranked(countries)


def _ranked(rows: list[Participation]) -> list[Participation]:
    """Most active first; the lines without a known organisation last."""
    return sorted(rows, key=lambda r: (r.elsewhere, not (r.name or r.country), -r.items, r.name))


async def _meetings(items: QuerySet[ContentItem]) -> list[MeetingMonth]:
    """Meetings by the UTC month they start in: how many, how many are over (held), and the
    answers of who is going and who is not."""
    events = Subquery(items.filter(kind="event").values("id"))
    month = _month_of('"event_details"."starts_at"')
    planned = EventDetails.filter(item_id__in=events).annotate(month=month, n=Count("item_id"))
    months: dict[str, MeetingMonth] = {}
    for row in await planned.group_by("month").values("month", "n"):
        months.setdefault(row["month"], MeetingMonth(row["month"])).meetings = row["n"]
    held = planned.filter(ends_at__lt=datetime.now(UTC))
    for row in await held.group_by("month").values("month", "n"):
        months.setdefault(row["month"], MeetingMonth(row["month"])).held = row["n"]
    starts = _month_of('"e"."starts_at"').sql
    start_month = RawSQL(
        f'(SELECT {starts} FROM "event_details" "e" WHERE "e"."item_id" = "attendances"."item_id")'
    )
    answers = (
        await Attendance.filter(item_id__in=events)
        .annotate(month=start_month, n=Count("id"))
        .group_by("month", "state")
        .values("month", "state", "n")
    )
    for row in answers:
        entry = months.setdefault(row["month"], MeetingMonth(row["month"]))
        if row["state"] == "going":
            entry.going += row["n"]
        elif row["state"] == "not_going":
            entry.not_going += row["n"]
    return [months[m] for m in sorted(months)]


def _twinning_ids(twinning: Twinning | None) -> Subquery | list[int]:
    return [twinning.id] if twinning is not None else Subquery(Twinning.all().values("id"))


async def _reach(twinning: Twinning | None) -> list[ServerReach]:
    """Accepted members and followers, people counted once per server even when they belong
    to (or follow) several twinnings of the instance."""
    ids = _twinning_ids(twinning)
    servers: dict[str, ServerReach] = {}
    remote_members = (
        await RemoteMembership.filter(twinning_id__in=ids, state="accepted")
        .annotate(n=Count("actor_id", distinct=True))
        .group_by("actor__domain")
        .values("actor__domain", "n")
    )
    for row in remote_members:
        servers.setdefault(row["actor__domain"], ServerReach(row["actor__domain"])).members = row[
            "n"
        ]
    followers = (
        await Follow.filter(target_type="twinning", target_id__in=ids, state="accepted")
        .annotate(n=Count("follower_id", distinct=True))
        .group_by("follower__domain")
        .values("follower__domain", "n")
    )
    for row in followers:
        domain = row["follower__domain"]
        servers.setdefault(domain, ServerReach(domain)).followers = row["n"]
    here = ServerReach(THIS_SERVER)
    members = Membership.filter(twinning_id__in=ids, state="accepted")
    here.members = len(set(await members.values_list("account_id", flat=True)))
    here.followers = await LocalFollow.filter(target_type="twinning", target_id__in=ids).count()
    ranked = sorted(servers.values(), key=lambda s: (-(s.members + s.followers), s.server))
    return [here, *ranked]


async def _people(items: QuerySet[ContentItem]) -> list[PersonActivity]:
    """Items per person and kind (for a twinning's moderators only: the caller decides)."""
    rows = (
        await items.filter(kind__in=KINDS)
        .annotate(n=Count("id"))
        .group_by("author_id", "remote_author_id", "kind")
        .values("author_id", "remote_author_id", "kind", "n")
    )
    local_ids = {r["author_id"] for r in rows if r["author_id"] is not None}
    remote_ids = {r["remote_author_id"] for r in rows if r["remote_author_id"] is not None}
    names = {("a", a.id): a.name for a in await Account.filter(id__in=local_ids)}
    for actor in await RemoteActor.filter(id__in=remote_ids):
        names[("r", actor.id)] = actor.handle or actor.uri
    people: dict[tuple[str, int], PersonActivity] = {}
    for row in rows:
        key = ("a", row["author_id"]) if row["author_id"] else ("r", row["remote_author_id"])
        if key[1] is None:
            continue
        person = people.setdefault(key, PersonActivity(names.get(key, "?")))
        person.items[row["kind"]] += row["n"]
    return sorted(people.values(), key=lambda p: (-p.total, p.name))


async def usage_report(
    viewer: Account | None, twinning: Twinning | None, per_person: bool = False
) -> Report:
    """The report ``viewer`` may read, of ``twinning`` or (None) of the whole instance."""
    items = _items(viewer, twinning)
    months, rows = await _activity(items)
    organisations, countries = await _participation(items)
    return Report(
        months=months,
        organisations=organisations,
        countries=countries,
        languages=_coverage(rows),
        meetings=await _meetings(items),
        reach=await _reach(twinning),
        people=await _people(items) if per_person else None,
    )
