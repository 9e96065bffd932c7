"""Making, answering, editing and deleting items. Each act checks who may do it, fixes the
audience once through the visibility rule, and records what follows (``models.happenings``)
in the same transaction, so a crash never leaves an item without its consequences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from models import happenings
from models.accounts import Account
from models.content import (
    MAX_CONTENT,
    ContentItem,
    ContentWarning,
    ItemRevision,
    item_search_text,
    texts_of,
)
from models.errors import N_, Invalid, NotAllowed
from models.langmap import build_map, primary_of
from models.twinnings import Twinning, membership_of
from models.visibility import may_view, store_audience
from models.vocab import TWINNING_VISIBILITIES


async def post_update(
    author: Account,
    twinning: Twinning,
    visibility: str,
    content: Mapping[str, str],
    title: Mapping[str, str] | None = None,
    language: str = "",
    warning: ContentWarning | None = None,
    kind: str = "update",
    mentioned: Sequence[Account] = (),
) -> ContentItem:
    """Only accepted members post; the audience is fixed here, once, by the visibility rule.
    Updates, discussions, meetings and resources (``kind``) are posted alike; callers that
    add details (a meeting's time, files) do it inside their own ``acting()``."""
    m = await membership_of(author, twinning)
    if m is None or m.state != "accepted" or not author.is_active:
        raise NotAllowed("twinning", N_("only members may post updates"))
    if visibility not in TWINNING_VISIBILITIES:
        raise Invalid("visibility", N_("public or partners"))
    title_map, content_map = texts_of(title or {}, content)
    item = ContentItem(
        kind=kind,
        twinning=twinning,
        author=author,
        visibility=visibility,
        title_map=title_map,
        content_map=content_map,
        primary_language=primary_of(content_map, language),
        search_text=item_search_text(title_map, content_map),
        **(warning or ContentWarning()).fields(),
    )
    async with happenings.acting():
        await item.save()
        await store_audience(item)
        await happenings.posted(item, author, mentioned)
    return item


async def post_reply(
    author: Account,
    root: ContentItem,
    content: Mapping[str, str],
    warning: ContentWarning | None = None,
    parent: ContentItem | None = None,
    mentioned: Sequence[Account] = (),
) -> ContentItem:
    """Anyone who may read an item may answer it, or answer an answer in its thread
    (``parent``); the answer reaches exactly the item's audience (the rule copies it)."""
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
    async with happenings.acting():
        await item.save()
        await store_audience(item)
        await happenings.posted(item, author, mentioned)
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
    if item.author_id is None or not await may_edit(editor, item):
        raise NotAllowed("update", N_("only its author or a moderator may edit it"))
    title_map, content_map = texts_of(title, content)
    extra = warning.fields() if warning is not None else {}
    async with happenings.acting():
        await keep_revision(item)
        for key, value in extra.items():
            setattr(item, key, value)
        # A translator stays credited for a language only while her text is unchanged.
        item.translators = {
            lang: account_id
            for lang, account_id in item.translators.items()
            if content_map.get(lang) == item.content_map.get(lang)
        }
        item.title_map, item.content_map = title_map, content_map
        item.primary_language = primary_of(item.content_map, language or item.primary_language)
        item.search_text = item_search_text(item.title_map, item.content_map)
        item.updated_at = datetime.now(UTC)
        await item.save()
        await happenings.edited(item)


async def delete_update(editor: Account, item: ContentItem) -> None:
    if not await may_edit(editor, item):
        raise NotAllowed("update", N_("only its author or a moderator may delete it"))
    async with happenings.acting():
        await remove_item(item)


async def remove_item(item: ContentItem) -> None:
    """The item goes, and what follows (its federated ``Delete``, its files once the deletion
    has committed) is recorded with it; callers check who may do it and hold the ``acting()``
    transaction. Every way an item of ours goes (its author, a moderator's report action)
    passes here."""
    await happenings.deleted(item)
    await item.delete()
