"""Content of twinnings. Issue 2 brings updates (``Note``/``Article``); discussions, resources and
events will be further kinds of the same item, so that one audience table serves them all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.accounts import Account
from models.errors import N_, Invalid, NotAllowed
from models.langmap import build_map, primary_of
from models.remote import RemoteActor
from models.twinnings import Twinning, membership_of
from models.vocab import TWINNING_VISIBILITIES

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
    # Languages of the maps that a machine translated (shown with a label).
    machine_languages: fields.JSONField[list[str]] = fields.JSONField(
        default=list, db_default=SqlDefault("'[]'")
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


def _texts(title: Mapping[str, str], content: Mapping[str, str]) -> tuple[dict, dict]:
    content_map = build_map("content", content, MAX_CONTENT)
    title_map = build_map("title", title, MAX_TITLE, required=False)
    return title_map, content_map


async def post_update(
    author: Account,
    twinning: Twinning,
    visibility: str,
    content: Mapping[str, str],
    title: Mapping[str, str] | None = None,
    language: str = "",
    warning: ContentWarning | None = None,
    kind: str = "update",
) -> ContentItem:
    """Only accepted members post; the audience is fixed here, once, by the visibility rule.
    Updates and meetings (``kind="event"``) are posted alike."""
    from models.visibility import store_audience

    m = await membership_of(author, twinning)
    if m is None or m.state != "accepted" or not author.is_active:
        raise NotAllowed("twinning", N_("only members may post updates"))
    if visibility not in TWINNING_VISIBILITIES:
        raise Invalid("visibility", N_("public or partners"))
    title_map, content_map = _texts(title or {}, content)
    item = ContentItem(
        kind=kind,
        twinning=twinning,
        author=author,
        visibility=visibility,
        title_map=title_map,
        content_map=content_map,
        primary_language=primary_of(content_map, language),
        **(warning or ContentWarning()).fields(),
    )
    item.search_text = item_search_text(title_map, content_map)
    async with in_transaction():
        await item.save()
        await store_audience(item)
    return item


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


async def keep_revision(item: ContentItem) -> None:
    """The item's texts as they are, before a change (Mastodon apps show the history)."""
    await ItemRevision.create(
        item=item,
        title_map=item.title_map,
        content_map=item.content_map,
        spoiler_text=item.spoiler_text,
        sensitive=item.sensitive,
        created_at=item.updated_at or item.created_at,
    )


async def post_reply(
    author: Account,
    root: ContentItem,
    content: Mapping[str, str],
    warning: ContentWarning | None = None,
    parent: ContentItem | None = None,
) -> ContentItem:
    """Anyone who may read an update may answer it, or answer an answer in its thread
    (``parent``); the answer reaches exactly the update's audience (the rule copies it)."""
    from models.visibility import may_view, store_audience

    if not author.is_active or not await may_view(author, root):
        raise NotAllowed("update", N_("only members may post updates"))
    if parent is not None and parent.in_reply_to_id != root.id:
        raise Invalid("parent", N_("no such message in this thread"))
    content_map = build_map("content", content, MAX_CONTENT)
    item = ContentItem(
        kind="reply",
        in_reply_to=root,
        parent=parent,
        author=author,
        visibility=root.visibility,
        content_map=content_map,
        primary_language=next(iter(content_map)),
        search_text=item_search_text({}, content_map),
        **(warning or ContentWarning()).fields(),
    )
    async with in_transaction():
        await item.save()
        await store_audience(item)
    from models.mail import queue_notices  # mail knows items, not the other way round

    await queue_notices(item)
    return item


async def may_edit(account: Account | None, item: ContentItem) -> bool:
    """The author, or a moderator of the item's twinning."""
    if account is None or not account.is_active:
        return False
    if item.author_id == account.id:
        return True
    if item.twinning_id is None:
        return False
    m = await membership_of(account, await Twinning.get(id=item.twinning_id))
    return m is not None and m.is_moderator


async def edit_update(
    editor: Account,
    item: ContentItem,
    content: Mapping[str, str],
    title: Mapping[str, str],
    language: str = "",
    warning: ContentWarning | None = None,
) -> None:
    """Texts change; the audience does not (an edit never widens who may see an item). The
    texts before the edit are kept as a revision."""
    from datetime import UTC, datetime

    if item.author_id is None or not await may_edit(editor, item):
        raise NotAllowed("update", N_("only its author or a moderator may edit it"))
    title_map, content_map = _texts(title, content)
    extra = warning.fields() if warning is not None else {}
    await keep_revision(item)
    for key, value in extra.items():
        setattr(item, key, value)
    item.title_map, item.content_map = title_map, content_map
    item.primary_language = primary_of(item.content_map, language or item.primary_language)
    item.search_text = item_search_text(item.title_map, item.content_map)
    item.updated_at = datetime.now(UTC)
    await item.save()


async def delete_update(editor: Account, item: ContentItem) -> None:
    if not await may_edit(editor, item):
        raise NotAllowed("update", N_("only its author or a moderator may delete it"))
    await item.delete()
