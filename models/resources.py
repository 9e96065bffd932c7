"""The resource centre: documents, links, tools, methods, bibliography entries and proposals
of a twinning. A resource is an item (``kind="resource"``, so the visibility rule applies
unchanged); its file, if any, is a media file attached to it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tortoise import fields
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.accounts import Account
from models.config import LOCALES
from models.content import ContentItem, Titled
from models.errors import N_, Invalid
from models.events import check_link
from models.facets import owners_with, set_facets
from models.happenings import acting
from models.media import attach, store_media
from models.posting import post_update
from models.twinnings import Twinning
from models.visibility import visible_items
from models.vocab import FIELDS, LICENCES

RESOURCE_KINDS = ("document", "link", "tool", "method", "bibliography", "proposal")
MAX_TEXT = 300


class ResourceDetails(Model):
    item: fields.OneToOneRelation[ContentItem] = fields.OneToOneField(
        "models.ContentItem", related_name="resource", on_delete=fields.CASCADE
    )
    item_id: int
    resource_kind = fields.CharField(max_length=16, db_index=True)
    url = fields.CharField(max_length=500, default="")
    authors = fields.CharField(max_length=MAX_TEXT, default="")
    year = fields.IntField(null=True)
    publisher = fields.CharField(max_length=MAX_TEXT, default="")
    language = fields.CharField(max_length=5, default="")
    licence = fields.CharField(max_length=30, default="CC-BY-SA-4.0")
    fields_of_action: fields.JSONField[list[str]] = fields.JSONField(default=list)
    folder = fields.CharField(max_length=100, default="", db_index=True)

    class Meta:
        table = "resource_details"


@dataclass
class ResourceInput:
    title: Mapping[str, str]
    description: Mapping[str, str]
    resource_kind: str = "document"
    url: str = ""
    authors: str = ""
    year: str = ""
    publisher: str = ""
    language: str = ""
    licence: str = "CC-BY-SA-4.0"
    fields_of_action: list[str] = field(default_factory=list)
    folder: str = ""
    visibility: str = "public"

    def details(self) -> dict[str, Any]:
        if self.resource_kind not in RESOURCE_KINDS:
            raise Invalid("resource_kind", N_("choose one of the offered values"))
        if self.licence not in LICENCES:
            raise Invalid("licence", N_("choose one of the offered values"))
        if any(f not in FIELDS for f in self.fields_of_action):
            raise Invalid("fields", N_("choose among the four fields"))
        if self.language and self.language not in LOCALES:
            raise Invalid("language", N_("choose one of the offered values"))
        for name in ("authors", "publisher"):
            if len(getattr(self, name)) > MAX_TEXT:
                raise Invalid(name, N_("at most %(n)s characters"), n=MAX_TEXT)
        return {
            "resource_kind": self.resource_kind,
            "url": check_link(self.url),
            "authors": self.authors.strip(),
            "year": _year(self.year),
            "publisher": self.publisher.strip(),
            "language": self.language,
            "licence": self.licence,
            "fields_of_action": sorted(set(self.fields_of_action)),
            "folder": self.folder.strip()[:100],
        }


FIRST_YEAR, LAST_YEAR = 1000, 2999


def _year(text: str) -> int | None:
    """Any four-digit year: a plan or a proposal is often named for a year to come (an
    agenda for 2030, a strategy for 2050), so the year is not bounded by today."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise Invalid("year", N_("a year such as 2024"))
    return int(text)


async def add_resource(
    author: Account,
    twinning: Twinning,
    data: ResourceInput,
    data_dir: Path,
    content: bytes | None = None,
    file_description: str = "",
) -> ContentItem:
    """Everything is checked (the file by its content) before the item is written. A document
    needs a file or a link; a link needs its address."""
    title, content_map = Titled(data.title, data.description).maps()
    details = data.details()
    if content is None and not details["url"]:
        raise Invalid("file", N_("give a file or a web address"))
    media = None
    if content is not None:
        media = await store_media(author, data_dir, content, file_description, office=True)
    async with acting():
        item = await post_update(
            author, twinning, data.visibility, content_map, title, data.language, kind="resource"
        )
        await ResourceDetails.create(item=item, **details)
        await set_facets("resource", item.id, {"field": details["fields_of_action"]})
        if media is not None:
            await attach(item, [media.id])
    return item


async def save_resource_details(item: ContentItem, details: dict[str, Any]) -> None:
    """Checked facts (``ResourceInput.details``) replace the old ones, filters included."""
    await ResourceDetails.filter(item_id=item.id).update(**details)
    await set_facets("resource", item.id, {"field": details["fields_of_action"]})


def resources(
    viewer: Account | None,
    kind: str = "",
    field_of_action: str = "",
    language: str = "",
    text: str = "",
) -> QuerySet[ContentItem]:
    """Resources ``viewer`` may see across twinnings, newest first, with the centre's filters."""
    query = visible_items(viewer).filter(kind="resource", twinning_id__not_isnull=True)
    if kind in RESOURCE_KINDS:
        query = query.filter(resource__resource_kind=kind)
    if field_of_action in FIELDS:
        query = query.filter(id__in=owners_with("resource", "field", field_of_action))
    if language in LOCALES:
        query = query.filter(resource__language=language)
    if text.strip():
        query = query.filter(search_text__icontains=text.strip().lower())
    return query


async def proposals(viewer: Account | None, twinning: Twinning | None = None) -> list[ContentItem]:
    """The proposals a white paper gathers, oldest first (the order they were made in)."""
    query = resources(viewer, kind="proposal")
    if twinning is not None:
        query = query.filter(twinning=twinning)
    return list(
        await query.order_by("created_at", "id")
        .prefetch_related("twinning", "resource", "author")
        .limit(500)
    )
