"""Twinnings (an ActivityPub ``Group`` each), their partner organisations and memberships.

A membership counts only once it is ``accepted``: invitations and join requests give no access."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.errors import N_, Invalid, NotAllowed
from models.facets import check_countries, check_languages, set_facets
from models.handles import check_handle, claim_handle
from models.langmap import build_map, primary_of, search_text
from models.organisations import Organisation
from models.phases import entered, next_phase
from models.vocab import FIELDS, JOIN_POLICIES, LICENCES, PHASES


class Twinning(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=30, unique=True)
    title_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    summary_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    description_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    primary_language = fields.CharField(max_length=5, default="en")
    fields_of_action: fields.JSONField[list[str]] = fields.JSONField(default=list)
    countries: fields.JSONField[list[str]] = fields.JSONField(default=list)
    languages: fields.JSONField[list[str]] = fields.JSONField(default=list)
    phase = fields.CharField(max_length=20, default="identification", db_index=True)
    join_policy = fields.CharField(max_length=12, default="approval")
    licence = fields.CharField(max_length=30, default="CC-BY-SA-4.0")
    # A name in models.pictures; empty: initials show instead.
    picture = fields.CharField(max_length=40, default="", db_default=SqlDefault("''"))
    search_text = fields.TextField(default="")
    created_by: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="twinnings_created"
    )
    created_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "twinnings"


class TwinningPartner(Model):
    id = fields.IntField(primary_key=True)
    twinning: fields.ForeignKeyRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="partners"
    )
    twinning_id: int
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="twinnings"
    )
    organisation_id: int

    class Meta:
        table = "twinning_partners"
        unique_together = (("twinning", "organisation"),)


class Membership(Model):
    id = fields.IntField(primary_key=True)
    twinning: fields.ForeignKeyRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="memberships"
    )
    twinning_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="memberships"
    )
    account_id: int
    role = fields.CharField(max_length=10, default="member")
    state = fields.CharField(max_length=10, default="pending")
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "memberships"
        unique_together = (("twinning", "account"),)
        indexes = (("account_id", "state"),)

    @property
    def is_moderator(self) -> bool:
        return self.state == "accepted" and self.role in ("admin", "moderator")


@dataclass
class TwinningInput:
    title: Mapping[str, str]
    summary: Mapping[str, str] = field(default_factory=dict)
    description: Mapping[str, str] = field(default_factory=dict)
    primary_language: str = "en"
    fields_of_action: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    phase: str = "identification"
    join_policy: str = "approval"
    licence: str = "CC-BY-SA-4.0"
    partner_slugs: list[str] = field(default_factory=list)

    def cleaned(self) -> dict[str, Any]:
        for name, value, allowed in (
            ("phase", self.phase, PHASES),
            ("join_policy", self.join_policy, JOIN_POLICIES),
            ("licence", self.licence, LICENCES),
        ):
            if value not in allowed:
                raise Invalid(name, N_("choose one of the offered values"))
        if any(f not in FIELDS for f in self.fields_of_action):
            raise Invalid("fields", N_("choose among the four fields"))
        title_map = build_map("title", self.title, 150)
        return {
            "title_map": title_map,
            "summary_map": build_map("summary", self.summary, 500, required=False),
            "description_map": build_map("description", self.description, 10000, required=False),
            "primary_language": primary_of(title_map, self.primary_language),
            "fields_of_action": sorted(set(self.fields_of_action)),
            "countries": check_countries(self.countries, required=False),
            "languages": check_languages(self.languages or [self.primary_language]),
            "phase": self.phase,
            "join_policy": self.join_policy,
            "licence": self.licence,
        }


async def _partners(slugs: list[str]) -> list[Organisation]:
    wanted = sorted({s.strip().lower() for s in slugs if s.strip()})
    orgs = await Organisation.filter(slug__in=wanted)
    if len(orgs) != len(wanted):
        missing = sorted(set(wanted) - {o.slug for o in orgs})
        raise Invalid("partners", N_("unknown organisation: %(names)s"), names=", ".join(missing))
    return orgs


async def _save_details(twinning: Twinning, partners: list[Organisation]) -> None:
    twinning.search_text = search_text(
        twinning.slug, twinning.title_map, twinning.summary_map, twinning.description_map
    )
    await twinning.save()
    await TwinningPartner.filter(twinning=twinning).delete()
    for org in partners:
        await TwinningPartner.create(twinning=twinning, organisation=org)
    countries = sorted(set(twinning.countries) | {o.country for o in partners})
    await set_facets(
        "twinning",
        twinning.id,
        {
            "field": twinning.fields_of_action,
            "country": countries,
            "language": twinning.languages,
            "phase": [twinning.phase],
        },
    )


async def create_twinning(owner: Account, slug: str, data: TwinningInput) -> Twinning:
    """The owner becomes the twinning's first admin."""
    slug = check_handle("slug", slug)
    values = data.cleaned()
    partners = await _partners(data.partner_slugs)
    async with in_transaction():
        await claim_handle("slug", slug, "twinning")
        twinning = Twinning(slug=slug, created_by=owner, **values)
        await _save_details(twinning, partners)
        await Membership.create(
            twinning=twinning,
            account=owner,
            role="admin",
            state="accepted",
            accepted_at=datetime.now(UTC),
        )
        await entered(twinning.id, twinning.phase, owner.id)
    return twinning


async def edit_twinning(editor: Account, twinning: Twinning, data: TwinningInput) -> None:
    await require_moderator(editor, twinning)
    values = data.cleaned()
    partners = await _partners(data.partner_slugs)
    before = twinning.phase
    for key, value in values.items():
        setattr(twinning, key, value)
    async with in_transaction():
        await _save_details(twinning, partners)
        if twinning.phase != before:
            await entered(twinning.id, twinning.phase, editor.id)


async def advance_phase(editor: Account, twinning: Twinning) -> str:
    """A moderator moves the twinning on to the method's next phase; returns it."""
    await require_moderator(editor, twinning)
    following = next_phase(twinning.phase)
    if following is None:
        raise Invalid("phase", N_("this twinning is in the method's last phase already"))
    partners = await Organisation.filter(twinnings__twinning=twinning)
    twinning.phase = following
    async with in_transaction():
        await _save_details(twinning, partners)
        await entered(twinning.id, following, editor.id)
    return following


async def membership_of(account: Account | None, twinning: Twinning) -> Membership | None:
    if account is None:
        return None
    return await Membership.get_or_none(twinning=twinning, account=account)


async def require_moderator(account: Account, twinning: Twinning, admin: bool = False) -> None:
    """Twinning admins (and moderators unless ``admin``) manage it; instance admins may too."""
    if account.is_admin:
        return
    m = await membership_of(account, twinning)
    allowed = ("admin",) if admin else ("admin", "moderator")
    if m is None or m.state != "accepted" or m.role not in allowed:
        raise NotAllowed("twinning", N_("only the twinning's admins or moderators may do this"))


async def moderator_ids(twinning: Twinning) -> list[int]:
    rows: list[Any] = await Membership.filter(
        twinning=twinning, state="accepted", role__in=("admin", "moderator")
    ).values_list("account_id", flat=True)
    return rows
