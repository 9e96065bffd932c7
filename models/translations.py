"""Translations of items: any member of an item's twinning may add or correct the text of one
language; machine translations are kept apart (labelled) and never overwrite a person's. A
person's translation is credited to them. A translation is not an edit: the item keeps its
edited time and its history (only its author or a moderator edits it)."""

from __future__ import annotations

from collections.abc import Mapping

from models.accounts import Account
from models.config import LOCALES
from models.content import MAX_CONTENT, MAX_TITLE, ContentItem, item_search_text
from models.errors import N_, Invalid, NotAllowed
from models.happenings import acting, translated
from models.twinnings import Membership
from models.visibility import may_view


async def twinning_of(item: ContentItem) -> int | None:
    if item.twinning_id is not None:
        return item.twinning_id
    if item.in_reply_to_id is not None:
        root = await ContentItem.get(id=item.in_reply_to_id)
        return root.twinning_id
    return None


async def may_translate(account: Account | None, item: ContentItem) -> bool:
    """Members of the item's twinning who may read it; only items of this server (another
    server's item changes only at its origin)."""
    if account is None or not account.is_active or item.uri is not None:
        return False
    twinning_id = await twinning_of(item)
    if twinning_id is None or not await may_view(account, item):
        return False
    return await Membership.filter(
        twinning_id=twinning_id, account=account, state="accepted"
    ).exists()


def _check(lang: str, content: str, title: str) -> tuple[str, str]:
    if lang not in LOCALES:
        raise Invalid("language", N_("choose one of the offered values"))
    content, title = content.strip(), title.strip()
    if not content:
        raise Invalid("content", N_("write it in at least one language"))
    if len(content) > MAX_CONTENT:
        raise Invalid("content", N_("at most %(n)s characters"), n=MAX_CONTENT)
    if len(title) > MAX_TITLE:
        raise Invalid("title", N_("at most %(n)s characters"), n=MAX_TITLE)
    return content, title


async def _store(
    item: ContentItem, lang: str, content: str, title: str, translator: Account | None
) -> None:
    """The new language goes where the item went (an ``Update`` of it); ``translator`` is
    the person credited, None for a machine."""
    async with acting():
        item.content_map = {**item.content_map, lang: content}
        if item.title_map:
            first = next(iter(item.title_map.values()))
            item.title_map = {**item.title_map, lang: title or first}
        others = [code for code in item.machine_languages if code != lang]
        item.machine_languages = others if translator else [*others, lang]
        credits = {code: i for code, i in item.translators.items() if code != lang}
        if translator is not None and lang != item.primary_language:
            credits[lang] = translator.id
        item.translators = credits
        item.search_text = item_search_text(item.title_map, item.content_map)
        await item.save()
        await translated(item)


async def translate(
    member: Account, item: ContentItem, lang: str, content: str, title: str = ""
) -> None:
    """A person's translation (or correction) of one language of the item."""
    if not await may_translate(member, item):
        raise NotAllowed("translation", N_("only members of the twinning may translate it"))
    content, title = _check(lang, content, title)
    await _store(item, lang, content, title, member)


async def keep_machine_translation(
    member: Account, item: ContentItem, lang: str, texts: Mapping[str, str]
) -> None:
    """What the translation service returned, labelled; a person's text in that language stays."""
    if not await may_translate(member, item):
        raise NotAllowed("translation", N_("only members of the twinning may translate it"))
    if lang in item.content_map and lang not in item.machine_languages:
        raise Invalid("language", N_("a person has already translated it into this language"))
    content, title = _check(lang, texts.get("content", ""), texts.get("title", ""))
    await _store(item, lang, content, title, None)
