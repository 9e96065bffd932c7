"""Organisations: the NGOs, associations, co-ops, libraries and schools that twin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.errors import N_, Conflict, Invalid, NotAllowed
from models.facets import check_countries, check_fields, check_languages, set_facets
from models.handles import check_handle, claim_handle
from models.langmap import build_map, search_text


class Organisation(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=30, unique=True)
    name = fields.CharField(max_length=150)
    country = fields.CharField(max_length=2)
    city = fields.CharField(max_length=100, default="")
    website = fields.CharField(max_length=300, default="")
    languages: fields.JSONField[list[str]] = fields.JSONField(default=list)
    fields_of_action: fields.JSONField[list[str]] = fields.JSONField(default=list)
    description_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    # A name in models.pictures; empty: initials show instead.
    logo = fields.CharField(max_length=40, default="", db_default=SqlDefault("''"))
    search_text = fields.TextField(default="")
    created_by: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="organisations_created"
    )
    created_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisations"


class OrganisationMember(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="members"
    )
    organisation_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="organisation_memberships"
    )
    account_id: int
    role = fields.CharField(max_length=10, default="member")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "organisation_members"
        unique_together = (("organisation", "account"),)


@dataclass
class OrganisationInput:
    name: str
    country: str
    city: str
    website: str
    languages: list[str]
    fields_of_action: list[str]
    description: Mapping[str, str]

    def cleaned(self) -> dict[str, Any]:
        name = self.name.strip()
        if not 2 <= len(name) <= 150:
            raise Invalid("name", N_("2 to 150 characters"))
        website = self.website.strip()
        if website and (not website.startswith(("https://", "http://")) or len(website) > 300):
            raise Invalid("website", N_("a web address starting with https://"))
        countries = check_countries([self.country])
        if len(countries) != 1:
            raise Invalid("country", N_("one two-letter country code"))
        return {
            "name": name,
            "country": countries[0],
            "city": self.city.strip()[:100],
            "website": website,
            "languages": check_languages(self.languages),
            "fields_of_action": check_fields(self.fields_of_action),
            "description_map": build_map("description", self.description, 5000, required=False),
        }


async def _index(org: Organisation) -> None:
    await set_facets(
        "organisation",
        org.id,
        {"field": org.fields_of_action, "country": [org.country], "language": org.languages},
    )


async def create_organisation(creator: Account, slug: str, data: OrganisationInput) -> Organisation:
    slug = check_handle("slug", slug)
    values = data.cleaned()
    async with in_transaction():
        await claim_handle("slug", slug, "organisation")
        org = await Organisation.create(slug=slug, created_by=creator, **values)
        org.search_text = search_text(org.name, org.city, org.description_map)
        await org.save(update_fields=["search_text"])
        await OrganisationMember.create(organisation=org, account=creator, role="admin")
        await _index(org)
    return org


async def is_organisation_admin(account: Account | None, org: Organisation) -> bool:
    if account is None:
        return False
    if account.is_admin:
        return True
    return await OrganisationMember.filter(organisation=org, account=account, role="admin").exists()


async def edit_organisation(editor: Account, org: Organisation, data: OrganisationInput) -> None:
    if not await is_organisation_admin(editor, org):
        raise NotAllowed("organisation", N_("only its admins may edit it"))
    values = data.cleaned()
    for key, value in values.items():
        setattr(org, key, value)
    org.search_text = search_text(org.name, org.city, org.description_map)
    async with in_transaction():
        await org.save()
        await _index(org)


async def add_organisation_member(
    editor: Account, org: Organisation, username: str, role: str = "member"
) -> OrganisationMember:
    if not await is_organisation_admin(editor, org):
        raise NotAllowed("organisation", N_("only its admins may add members"))
    if role not in ("admin", "member"):
        raise Invalid("role", N_("admin or member"))
    account = await Account.get_or_none(username=username.strip().lower(), state="active")
    if account is None:
        raise Invalid("username", N_("no active account has this name"))
    if await OrganisationMember.filter(organisation=org, account=account).exists():
        raise Conflict("username", N_("already a member"))
    return await OrganisationMember.create(organisation=org, account=account, role=role)


async def remove_organisation_member(editor: Account, org: Organisation, username: str) -> None:
    if not await is_organisation_admin(editor, org) and editor.username != username:
        raise NotAllowed("organisation", N_("only its admins may remove members"))
    row = await OrganisationMember.get_or_none(organisation=org, account__username=username)
    if row is None:
        raise Invalid("username", N_("not a member"))
    admins = await OrganisationMember.filter(organisation=org, role="admin").count()
    if row.role == "admin" and admins == 1:
        raise Conflict("username", N_("the last admin cannot leave"))
    await row.delete()
