"""Facets (field, country, language) of organisations and twinnings, one row each, so that the
directory filters with an indexed lookup instead of scanning JSON."""

from __future__ import annotations

from collections.abc import Iterable

from babel import Locale
from tortoise import fields
from tortoise.expressions import Subquery
from tortoise.models import Model

from models.config import LOCALES
from models.errors import N_, Invalid
from models.vocab import FIELDS

_COUNTRIES = frozenset(
    code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2
)


class Facet(Model):
    id = fields.IntField(primary_key=True)
    owner_type = fields.CharField(max_length=12)
    owner_id = fields.IntField()
    facet = fields.CharField(max_length=10)
    value = fields.CharField(max_length=40)

    class Meta:
        table = "facets"
        indexes = (("facet", "value", "owner_type"), ("owner_type", "owner_id"))


def country_code(text: str, languages: Iterable[str] = LOCALES) -> str | None:
    """The country a reader means: a two-letter code in any case, or its name in one of
    ``languages`` whatever the case (``bo``, ``BOLIVIA``, ``Bolivie``); None when none matches."""
    wanted = text.strip().casefold()
    if wanted.upper() in _COUNTRIES:
        return wanted.upper()
    for language in languages:
        for code, name in Locale(language).territories.items():
            if code in _COUNTRIES and name.casefold() == wanted:
                return str(code)
    return None


def check_fields(values: Iterable[str]) -> list[str]:
    chosen = sorted({v for v in values if v})
    if not chosen or any(v not in FIELDS for v in chosen):
        raise Invalid("fields", N_("choose at least one of the four fields"))
    return chosen


def check_countries(values: Iterable[str], required: bool = True) -> list[str]:
    chosen = sorted({v.strip().upper() for v in values if v.strip()})
    if any(c not in _COUNTRIES for c in chosen):
        raise Invalid("countries", N_("use two-letter country codes such as FR or BO"))
    if required and not chosen:
        raise Invalid("countries", N_("name at least one country"))
    return chosen


def check_languages(values: Iterable[str]) -> list[str]:
    chosen = sorted({v for v in values if v})
    if not chosen or any(v not in LOCALES for v in chosen):
        raise Invalid("languages", N_("choose at least one language"))
    return chosen


async def set_facets(owner_type: str, owner_id: int, values: dict[str, list[str]]) -> None:
    await Facet.filter(owner_type=owner_type, owner_id=owner_id).delete()
    await Facet.bulk_create(
        [
            Facet(owner_type=owner_type, owner_id=owner_id, facet=facet, value=value)
            for facet, vals in values.items()
            for value in vals
        ]
    )


def owners_with(owner_type: str, facet: str, value: str) -> Subquery:
    return Subquery(
        Facet.filter(owner_type=owner_type, facet=facet, value=value).values("owner_id")
    )


async def count_by(owner_type: str, facet: str) -> dict[str, int]:
    """How many owners carry each value; the directory shows these counts."""
    rows = await Facet.filter(owner_type=owner_type, facet=facet).values_list("value", flat=True)
    counts: dict[str, int] = {}
    for value in rows:
        key = str(value)
        counts[key] = counts.get(key, 0) + 1
    return counts
