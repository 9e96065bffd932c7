"""Content of twinnings: every item (updates, answers, discussions, meetings, resources) is a
row of one table, so that one audience table serves them all. Making, editing and deleting
items, with what follows, is ``models.posting``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

from models.accounts import Account
from models.errors import N_, Invalid
from models.langmap import build_map
from models.remote import RemoteActor
from models.twinnings import Twinning

MAX_CONTENT = 20_000
MAX_TITLE = 200


class ContentItem(Model):
    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=12, default="update")
    twinning: fields.ForeignKeyNullableRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="items", null=True
    )
    twinning_id: int | None
    # Local items have an author; items posted from other servers a remote author and a uri.
    author: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="items", null=True
    )
    author_id: int | None
    remote_author: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="items", null=True, on_delete=fields.CASCADE
    )
    remote_author_id: int | None
    uri = fields.CharField(max_length=500, null=True, unique=True)
    # Items of a twinning on another server, received because one of our people follows it or
    # belongs to it.
    remote_twinning: fields.ForeignKeyNullableRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="group_items", null=True, on_delete=fields.CASCADE
    )
    remote_twinning_id: int | None
    # Replies (from Mastodon users, say) hang under their thread root and share its audience.
    in_reply_to: fields.ForeignKeyNullableRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="replies", null=True, on_delete=fields.CASCADE
    )
    in_reply_to_id: int | None
    # Threads are stored flat under their root (one audience); ``parent`` is the answer an
    # answer answers, for nested display and ``inReplyTo`` on the wire.
    parent: fields.ForeignKeyNullableRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    parent_id: int | None
    # "markdown" for what people type here, "html" (sanitised on the way in) for remote posts.
    content_format = fields.CharField(max_length=10, default="markdown", db_default="markdown")
    visibility = fields.CharField(max_length=10)
    title_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    content_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    primary_language = fields.CharField(max_length=5, default="en")
    # A content warning (ActivityStreams ``summary``, Mastodon's ``spoiler_text``).
    # tortoise 1.1 writes ``db_default=""`` as invalid SQL, hence the explicit expression.
    spoiler_text = fields.CharField(max_length=500, default="", db_default=SqlDefault("''"))
    sensitive = fields.BooleanField(default=False, db_default=False)
    # People of other servers a public item names, as ``Mention`` tags (resolved once, when
    # it goes out, so every copy of the object, sent or fetched, names them alike).
    mention_tags: fields.JSONField[list[dict[str, str]]] = fields.JSONField(
        default=list, db_default=SqlDefault("'[]'")
    )
    # Languages of the maps that a machine translated (shown with a label).
    machine_languages: fields.JSONField[list[str]] = fields.JSONField(
        default=list, db_default=SqlDefault("'[]'")
    )
    # Who translated each language a person translated: {language: account id}.
    translators: fields.JSONField[dict[str, int]] = fields.JSONField(
        default=dict, db_default=SqlDefault("'{}'")
    )
    search_text = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "content_items"
        indexes = (("twinning_id", "created_at"), ("author_id", "created_at"))
        ordering = ("-created_at", "-id")


class Audience(Model):
    """Who an item is addressed to: everyone (``public``), the accepted members of a twinning
    (``members``), or one account. Written only by ``models.visibility``."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="audience", on_delete=fields.CASCADE
    )
    item_id: int
    kind = fields.CharField(max_length=10)
    twinning: fields.ForeignKeyNullableRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="audience_rows", null=True, on_delete=fields.CASCADE
    )
    twinning_id: int | None
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="audience_rows", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None

    class Meta:
        table = "audiences"
        indexes = (("kind", "twinning_id"), ("account_id",), ("item_id",))


class ItemRevision(Model):
    """An item's texts before an edit, for Mastodon's edit history."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="revisions", on_delete=fields.CASCADE
    )
    item_id: int
    title_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    content_map: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    spoiler_text = fields.CharField(max_length=500, default="")
    sensitive = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "item_revisions"
        indexes = (("item_id",),)


@dataclass
class ContentWarning:
    """A content warning and the sensitive-media flag of an item."""

    spoiler_text: str = ""
    sensitive: bool = False

    def fields(self) -> dict[str, object]:
        text = self.spoiler_text.strip()
        if len(text) > MAX_TITLE:
            raise Invalid("spoiler_text", N_("at most %(n)s characters"), n=MAX_TITLE)
        return {"spoiler_text": text, "sensitive": self.sensitive or bool(text)}


def texts_of(title: Mapping[str, str], content: Mapping[str, str]) -> tuple[dict, dict]:
    content_map = build_map("content", content, MAX_CONTENT)
    title_map = build_map("title", title, MAX_TITLE, required=False)
    return title_map, content_map


def item_search_text(title_map: Mapping[str, str], content_map: Mapping[str, str]) -> str:
    return " \n".join([*title_map.values(), *content_map.values()]).lower()


@dataclass
class Titled:
    """The texts of a meeting or a resource: a title is needed; without a description, the
    title stands for it (every item has readable content)."""

    title: Mapping[str, str]
    description: Mapping[str, str]

    def maps(self) -> tuple[dict[str, str], dict[str, str]]:
        title = build_map("title", self.title, MAX_TITLE)
        description = build_map("description", self.description, MAX_CONTENT, required=False)
        return title, description or title
