"""Asking for a translation: a reader asks for an item in her language; the members who said
they translate from one of the item's languages into it see the request among what waits for
them and are notified; an answer is kept as a person's translation (``models.translations``),
credited, and the reader is told. A request follows its item's visibility: one on a
partner-only item reaches, and may be answered by, only members who may see the item."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tortoise import fields
from tortoise.expressions import Subquery
from tortoise.models import Model

from models import happenings
from models.accounts import Account
from models.config import LOCALES
from models.content import ContentItem
from models.errors import N_, Invalid, NotAllowed
from models.translations import may_translate, translate
from models.twinnings import Membership
from models.visibility import may_view, visible_items

# Every ordered pair of the instance's languages, as "source>target" form values.
LANGUAGE_PAIRS = tuple(f"{s}>{t}" for s in LOCALES for t in LOCALES if s != t)
MAX_TRANSLATORS_TOLD = 50
MAX_LISTED = 50


# One language pair a member translates (from ``source`` into ``target``).
class TranslatorPair(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="translator_pairs", on_delete=fields.CASCADE
    )
    account_id: int
    source = fields.CharField(max_length=5)
    target = fields.CharField(max_length=5, db_index=True)

    class Meta:
        table = "translator_pairs"
        unique_together = (("account", "source", "target"),)


# One open (or answered) wish to read an item in ``language``; one per item and language,
# whoever asked first.
class TranslationRequest(Model):
    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="translation_requests", on_delete=fields.CASCADE
    )
    item_id: int
    language = fields.CharField(max_length=5)
    requester: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="translation_requests", on_delete=fields.CASCADE
    )
    requester_id: int
    state = fields.CharField(max_length=8, default="open", db_index=True)
    translator: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account",
        related_name="translations_answered",
        null=True,
        on_delete=fields.SET_NULL,
    )
    translator_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "translation_requests"
        unique_together = (("item", "language"),)


def _check_language(lang: str) -> str:
    if lang not in LOCALES:
        raise Invalid("language", N_("choose one of the offered values"))
    return lang


async def set_pairs(account: Account, pairs: Iterable[str]) -> None:
    """The pairs a member translates, replacing those declared before."""
    wanted = sorted(set(pairs))
    for pair in wanted:
        if pair not in LANGUAGE_PAIRS:
            raise Invalid("pairs", N_("choose one of the offered values"))
    await TranslatorPair.filter(account=account).delete()
    await TranslatorPair.bulk_create(
        [
            TranslatorPair(account=account, source=p.split(">")[0], target=p.split(">")[1])
            for p in wanted
        ]
    )


async def pairs_of(account: Account) -> list[str]:
    rows = await TranslatorPair.filter(account=account).order_by("source", "target")
    return [f"{r.source}>{r.target}" for r in rows]


def written_languages(item: ContentItem) -> list[str]:
    """The languages a person wrote (a translator works from these, not from a machine's)."""
    return [code for code in item.content_map if code not in item.machine_languages]


async def may_ask(reader: Account | None, item: ContentItem) -> bool:
    """Members who may read an item of a twinning of this server may ask for it in another
    language."""
    if reader is None or not reader.is_active or item.uri is not None:
        return False
    return item.twinning_id is not None and await may_view(reader, item)


async def ask_translation(reader: Account, item: ContentItem, language: str) -> bool:
    """Opens a request (once per item and language); the translators of a matching pair who
    may translate the item are told. False when it was already asked for."""
    _check_language(language)
    if not await may_ask(reader, item):
        raise NotAllowed("translation", N_("only readers of the item may ask for a translation"))
    if language in written_languages(item):
        raise Invalid("language", N_("it is already written in this language"))
    existing = await TranslationRequest.get_or_none(item=item, language=language)
    if existing is not None and existing.state == "open":
        return False
    async with happenings.acting():
        if existing is not None:
            await existing.delete()  # answered by a machine since, say: ask again
        await TranslationRequest.create(item=item, language=language, requester=reader)
        told = await translators_for(item, language, exclude=reader.id)
        await happenings.translation_asked(item, reader, told)
    return True


async def translators_for(item: ContentItem, language: str, exclude: int) -> list[int]:
    """Members of the item's twinning with a pair into ``language`` from one of its written
    languages, who may see the item."""
    rows: list[Any] = await TranslatorPair.filter(
        target=language,
        source__in=written_languages(item),
        account__state="active",
        account_id__in=Subquery(
            Membership.filter(twinning_id=item.twinning_id, state="accepted").values("account_id")
        ),
    ).values_list("account_id", flat=True)
    told = []
    for account in await Account.filter(id__in=sorted(set(rows)) or [0]).exclude(id=exclude):
        if await may_view(account, item):
            told.append(account.id)
    return told[:MAX_TRANSLATORS_TOLD]


async def open_requests_for(me: Account) -> list[TranslationRequest]:
    """The open requests a member can answer: into a language she translates, from one the
    item is written in, on items she may see and translate (her twinnings')."""
    pairs = {tuple(p.split(">")) for p in await pairs_of(me)}
    if not pairs or not me.is_active:
        return []
    mine = Subquery(Membership.filter(account=me, state="accepted").values("twinning_id"))
    rows = (
        await TranslationRequest.filter(
            state="open",
            language__in=sorted({t for _, t in pairs}),
            item_id__in=Subquery(visible_items(me).filter(twinning_id__in=mine).values("id")),
        )
        .exclude(requester_id=me.id)
        .prefetch_related("item", "item__twinning", "requester")
        .order_by("id")
        .limit(MAX_LISTED * 4)
    )
    fits = [
        r
        for r in rows
        if r.language not in written_languages(r.item)
        and any((s, r.language) in pairs for s in written_languages(r.item))
    ]
    return fits[:MAX_LISTED]


async def request_to_answer(me: Account, request_id: int) -> TranslationRequest | None:
    """An open request this member may answer, or None (the page then answers 404)."""
    request = await TranslationRequest.get_or_none(id=request_id, state="open").prefetch_related(
        "item__author", "item__remote_author", "requester"
    )
    if request is None or not await may_translate(me, request.item):
        return None
    return request


async def give_translation(
    translator: Account, item: ContentItem, language: str, content: str, title: str = ""
) -> None:
    """A person's translation, stored and credited (``models.translations``); an open
    request for that language is then done, and whoever asked is told."""
    async with happenings.acting():
        await translate(translator, item, language, content, title)
        await translation_given(translator, item, language)


async def answer_translation(
    translator: Account, request: TranslationRequest, content: str, title: str = ""
) -> None:
    await give_translation(translator, request.item, request.language, content, title)


async def translation_given(translator: Account, item: ContentItem, language: str) -> None:
    """A person translated the item into ``language`` (answering the request or not): an
    open request for it is done, and whoever asked is told."""
    request = await TranslationRequest.get_or_none(item=item, language=language, state="open")
    if request is None:
        return
    request.state = "done"
    request.translator = translator
    request.answered_at = datetime.now(UTC)
    await request.save()
    await happenings.translation_answered(item, translator, request.requester_id)


async def asked_languages(item: ContentItem) -> list[str]:
    """Languages an item is awaited in (so the page says it was asked for)."""
    rows: list[Any] = await TranslationRequest.filter(item=item, state="open").values_list(
        "language", flat=True
    )
    return sorted(rows)
