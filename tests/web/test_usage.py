"""Usage reports against a data set counted by hand: a twinning of two organisations (France and
Peru) with public and partner-only updates, discussions, answers, meetings with answers of who
goes, resources, translations by a person and by machine, a member and a follower on other
servers. A member's report counts everything; a non-member's and an anonymous visitor's count
the public items only; the CSV holds the tables' figures; the table per person is for the
twinning's moderators."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

import httpx

from models.accounts import Account
from models.config import Settings
from models.content import ContentItem
from models.events import EventInput, create_event, set_attendance
from models.follows import Follow
from models.organisations import OrganisationInput, create_organisation
from models.posting import post_reply, post_update
from models.remote import RemoteActor, RemoteMembership, now
from models.resources import ResourceInput, add_resource
from models.social import follow_local
from models.translations import keep_machine_translation, translate
from models.twinnings import Membership, Twinning, TwinningInput, create_twinning
from models.usage import usage_report
from models.visibility import store_audience
from tests.conftest import log_in, make_account

OCTOBER = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)

# What the hand count gives. Activity: {month: (update, discussion, reply, event, resource,
# translations by a person, by machine)}.
MEMBER_ACTIVITY = {"2026-10": (2, 1, 2, 0, 0, 1, 0), "2026-11": (0, 1, 1, 2, 2, 0, 1)}
PUBLIC_ACTIVITY = {"2026-10": (1, 1, 2, 0, 0, 1, 0), "2026-11": (0, 0, 0, 1, 1, 0, 1)}
# {organisation: (country, items, people)}
MEMBER_ORGS = {"Ker Breizh": ("FR", 6, 1), "Casa Andina": ("PE", 5, 1)}
PUBLIC_ORGS = {"Ker Breizh": ("FR", 4, 1), "Casa Andina": ("PE", 2, 1)}
# {language: (available, by a person, by machine)}
MEMBER_LANGS = {"fr": (7, 6, 1), "en": (2, 2, 0), "es": (4, 4, 0)}
PUBLIC_LANGS = {"fr": (5, 4, 1), "en": (2, 2, 0), "es": (1, 1, 0)}
# {month of the start: (meetings, held, going, not going)}
MEMBER_MEETINGS = {"2025-05": (1, 1, 2, 1), "2099-01": (1, 0, 1, 0)}
PUBLIC_MEETINGS = {"2025-05": (1, 1, 2, 1)}


async def _dated(item: ContentItem, moment: datetime) -> ContentItem:
    await ContentItem.filter(id=item.id).update(created_at=moment)
    item.created_at = moment
    return item


def _meeting(title: str, starts: str, ends: str, visibility: str) -> EventInput:
    return EventInput(
        title={"fr" if visibility == "public" else "es": title},
        description={},
        starts=starts,
        ends=ends,
        visibility=visibility,
    )


async def _remote(name: str, domain: str) -> RemoteActor:
    return await RemoteActor.create(
        uri=f"https://{domain}/users/{name}",
        actor_type="Person",
        handle=name,
        domain=domain,
        inbox=f"https://{domain}/users/{name}/inbox",
        fetched_at=now(),
    )


async def _seed() -> Twinning:
    """The data set the constants above count."""
    maelle, jorge = await make_account("maelle"), await make_account("jorge")
    nadia = await make_account("nadia")
    org = OrganisationInput("Ker Breizh", "FR", "Brest", "", ["fr"], ["governance"], {})
    await create_organisation(maelle, "kerbreizh", org)
    org = OrganisationInput("Casa Andina", "PE", "Lima", "", ["es"], ["governance"], {})
    await create_organisation(jorge, "casaandina", org)
    twinning = await create_twinning(maelle, "brest", TwinningInput(title={"fr": "Brest"}))
    await Membership.create(twinning=twinning, account=jorge, state="accepted")
    u1 = await _dated(await post_update(maelle, twinning, "public", {"fr": "Bonjour"}), OCTOBER)
    await translate(jorge, u1, "en", "Hello")
    await _dated(await post_update(jorge, twinning, "partners", {"es": "Hola"}), OCTOBER)
    d1 = await post_update(
        maelle, twinning, "public", {"fr": "Eau"}, {"fr": "Eau"}, kind="discussion"
    )
    await _dated(d1, OCTOBER)
    await _dated(await post_reply(jorge, d1, {"es": "Sí"}), OCTOBER)
    await _dated(await post_reply(maelle, d1, {"fr": "Oui"}), OCTOBER)
    d2 = await post_update(
        jorge, twinning, "partners", {"es": "Plan"}, {"es": "Plan"}, kind="discussion"
    )
    await _dated(d2, NOVEMBER)
    await _dated(await post_reply(maelle, d2, {"fr": "D'accord"}), NOVEMBER)
    held = await create_event(
        maelle, twinning, _meeting("Réunion", "2025-05-10T10:00", "2025-05-10T12:00", "public")
    )
    await _dated(held, NOVEMBER)
    to_come = await create_event(
        jorge, twinning, _meeting("Reunión", "2099-01-10T10:00", "2099-01-10T12:00", "partners")
    )
    await _dated(to_come, NOVEMBER)
    for person, state in ((maelle, "going"), (jorge, "going"), (nadia, "not_going")):
        await set_attendance(person, held, state)
    await set_attendance(maelle, to_come, "going")
    link = ResourceInput({"en": "Guide"}, {}, resource_kind="link", url="https://example.org/g")
    guide = await add_resource(jorge, twinning, link, data_dir=None)  # type: ignore[arg-type]
    await keep_machine_translation(jorge, guide, "fr", {"content": "Guide", "title": "Guide"})
    await _dated(guide, NOVEMBER)
    plan = ResourceInput(
        {"fr": "Budget"}, {}, "link", url="https://example.org/b", visibility="partners"
    )
    await _dated(await add_resource(maelle, twinning, plan, data_dir=None), NOVEMBER)  # type: ignore[arg-type]
    await follow_local(nadia, "twinning", twinning.id)
    ana = await _remote("ana", "social.far.example")
    await RemoteMembership.create(twinning=twinning, actor=ana, state="accepted")
    bob = await _remote("bob", "masto.example")
    await Follow.create(follower=bob, target_type="twinning", target_id=twinning.id)
    return twinning


class _Tables(HTMLParser):
    """The cells of each table of a page, by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables_of(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return {name: rows[1:] for name, rows in parser.tables.items()}


def csv_of(text: str) -> set[tuple[str, ...]]:
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == ["section", "month", "name", "country", "measure", "value"]
    return {tuple(row) for row in reader}


@dataclass
class Expected:
    activity: dict[str, tuple[int, ...]]
    orgs: dict[str, tuple[str, int, int]]
    langs: dict[str, tuple[int, int, int]]
    meetings: dict[str, tuple[int, int, int, int]]


MEMBER = Expected(MEMBER_ACTIVITY, MEMBER_ORGS, MEMBER_LANGS, MEMBER_MEETINGS)
PUBLIC = Expected(PUBLIC_ACTIVITY, PUBLIC_ORGS, PUBLIC_LANGS, PUBLIC_MEETINGS)

KINDS = ("update", "discussion", "reply", "event", "resource")
COUNTRY_NAMES = {"FR": "France", "PE": "Peru"}
LANGUAGE_NAMES = {"fr": "French", "en": "English", "es": "Spanish"}
MONTHS = {
    "2025-05": "May 2025",
    "2026-10": "October 2026",
    "2026-11": "November 2026",
    "2099-01": "January 2099",
}


def expected_tables(e: Expected) -> dict[str, list[list[str]]]:
    total = sum(sum(counts[:5]) for counts in e.activity.values())
    return {
        "table-activity": [[MONTHS[m], *map(str, c)] for m, c in sorted(e.activity.items())],
        "table-organisations": [
            [name, COUNTRY_NAMES[c], str(items), str(people)]
            for name, (c, items, people) in e.orgs.items()
        ],
        "table-countries": [
            [COUNTRY_NAMES[c], str(items), str(people)] for c, items, people in e.orgs.values()
        ],
        "table-languages": [
            [LANGUAGE_NAMES[lang], str(a), f"{round(100 * a / total)} %", str(h), str(m)]
            for lang, (a, h, m) in e.langs.items()
        ],
        "table-meetings": [[MONTHS[m], *map(str, c)] for m, c in sorted(e.meetings.items())],
    }


def expected_csv(e: Expected) -> set[tuple[str, ...]]:
    rows: set[tuple[str, ...]] = set()
    measures = (*KINDS, "translation_human", "translation_machine")
    for month, counts in e.activity.items():
        pairs = zip(measures, counts, strict=True)
        rows |= {("activity", month, "", "", m, str(n)) for m, n in pairs}
    for name, (country, items, people) in e.orgs.items():
        rows |= {("organisations", "", name, country, "items", str(items))}
        rows |= {("organisations", "", name, country, "people", str(people))}
        rows |= {("countries", "", "", country, "items", str(items))}
        rows |= {("countries", "", "", country, "people", str(people))}
    for lang, counts in e.langs.items():
        for measure, n in zip(("available", "human", "machine"), counts, strict=True):
            rows.add(("languages", "", lang, "", measure, str(n)))
    for month, counts in e.meetings.items():
        for measure, n in zip(("meetings", "held", "going", "not_going"), counts, strict=True):
            rows.add(("meetings", month, "", "", measure, str(n)))
    return rows


def reach_csv(host: str, by_server: bool) -> set[tuple[str, ...]]:
    here = {("reach", "", host, "", "members", "2"), ("reach", "", host, "", "followers", "1")}
    if not by_server:
        others = "(other servers)"
        return here | {
            ("reach", "", others, "", "members", "1"),
            ("reach", "", others, "", "followers", "1"),
        }
    return here | {
        ("reach", "", "social.far.example", "", "members", "1"),
        ("reach", "", "social.far.example", "", "followers", "0"),
        ("reach", "", "masto.example", "", "members", "0"),
        ("reach", "", "masto.example", "", "followers", "1"),
    }


async def _check_report(client: httpx.AsyncClient, e: Expected, host: str, by_server: bool) -> str:
    page = await client.get("/t/brest/usage")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    tables = tables_of(page.text)
    for name, rows in expected_tables(e).items():
        assert tables[name] == rows, name
    exported = await client.get("/t/brest/usage.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = csv_of(exported.text)
    people = {r for r in rows if r[0] == "people"}
    assert rows - people == expected_csv(e) | reach_csv(host, by_server)
    return page.text


async def test_a_members_report_counts_every_item_the_hand_count_does(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _seed()
    await log_in(client, "jorge")
    html = await _check_report(client, MEMBER, settings.domain, by_server=True)
    assert 'id="table-people"' not in html and "Activity per person" not in html
    reach = tables_of(html)["table-reach"]
    assert [r[0] for r in reach[1:]] == ["masto.example", "social.far.example"]
    assert reach[0] == [f"This server ({settings.domain})", "2", "1"]


async def test_a_non_member_and_a_visitor_count_public_items_only(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    twinning = await _seed()
    await _check_report(client, PUBLIC, settings.domain, by_server=False)
    await log_in(client, "nadia")
    html = await _check_report(client, PUBLIC, settings.domain, by_server=False)
    assert "social.far.example" not in html and 'id="table-people"' not in html
    member = await usage_report(await Account.get(username="jorge"), twinning)
    public = await usage_report(None, twinning)
    assert (member.total_items, public.total_items) == (11, 6)


async def test_the_table_per_person_is_for_the_twinnings_moderators(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _seed()
    await log_in(client, "maelle")
    page = await client.get("/t/brest/usage")
    assert tables_of(page.text)["table-people"] == [
        ["maelle", "1", "1", "2", "1", "1"],
        ["jorge", "1", "1", "1", "1", "1"],
    ]
    rows = csv_of((await client.get("/t/brest/usage.csv")).text)
    assert ("people", "", "jorge", "", "reply", "1") in rows
    assert ("people", "", "maelle", "", "reply", "2") in rows


async def test_the_instance_report_holds_the_twinnings_items_as_its_reader_may_see_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await _seed()
    public = csv_of((await client.get("/usage.csv")).text)
    assert public - {r for r in public if r[0] == "reach"} == expected_csv(PUBLIC)
    page = await client.get("/usage")
    assert tables_of(page.text)["table-activity"] == expected_tables(PUBLIC)["table-activity"]
    assert 'href="/usage"' in (await client.get("/")).text
    await log_in(client, "jorge")
    member = csv_of((await client.get("/usage.csv")).text)
    assert member - {r for r in member if r[0] == "reach"} == expected_csv(MEMBER)
    about = (await client.get("/t/brest/about")).text
    assert 'href="/t/brest/usage"' in about


async def test_a_report_of_no_twinning_is_not_found(client: httpx.AsyncClient) -> None:
    assert (await client.get("/t/nowhere/usage")).status_code == 404
    assert (await client.get("/t/nowhere/usage.csv")).status_code == 404


async def test_people_of_other_servers_count_as_one_line_and_by_handle_for_moderators(
    client: httpx.AsyncClient,
) -> None:
    twinning = await _seed()
    ana = await RemoteActor.get(handle="ana")
    item = await ContentItem.create(
        kind="update",
        twinning=twinning,
        remote_author=ana,
        uri="https://social.far.example/notes/1",
        visibility="public",
        content_map={"es": "Saludos"},
        primary_language="es",
    )
    await store_audience(item)
    public = tables_of((await client.get("/t/brest/usage")).text)
    assert public["table-organisations"][-1] == ["People of other servers", "–", "1", "1"]
    assert public["table-countries"][-1] == ["People of other servers", "1", "1"]
    await log_in(client, "maelle")
    people = tables_of((await client.get("/t/brest/usage")).text)["table-people"]
    assert ["ana", "1", "0", "0", "0", "0"] in people
