"""A person's filters (Mastodon's filters v2): keywords (as words or anywhere in a text) and
chosen statuses, for some contexts (home, notifications, public, thread, account), for a
while or for good; a match either hides the status or shows it with a warning.

Like mutes, a filter is one person's choice on top of the visibility rule: it only ever
takes statuses away from what that rule already let through, or marks them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tortoise import fields
from tortoise.expressions import Q
from tortoise.models import Model

from models.accounts import Account
from models.content import ContentItem
from models.errors import N_, Invalid

CONTEXTS = ("home", "notifications", "public", "thread", "account")
ACTIONS = ("warn", "hide")
MAX_TITLE = 200
MAX_KEYWORD = 100
MAX_FILTERS = 100
MAX_KEYWORDS = 100


class Filter(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="filters", on_delete=fields.CASCADE
    )
    account_id: int
    title = fields.CharField(max_length=MAX_TITLE)
    context: fields.JSONField[list[str]] = fields.JSONField(default=list)
    action = fields.CharField(max_length=5, default="warn")
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    keywords: fields.ReverseRelation[FilterKeyword]
    statuses: fields.ReverseRelation[FilterStatus]

    class Meta:
        table = "filters"


class FilterKeyword(Model):
    id = fields.IntField(primary_key=True)
    rule: fields.ForeignKeyRelation[Filter] = fields.ForeignKeyField(
        "models.Filter", related_name="keywords", on_delete=fields.CASCADE
    )
    rule_id: int
    keyword = fields.CharField(max_length=MAX_KEYWORD)
    whole_word = fields.BooleanField(default=True)

    class Meta:
        table = "filter_keywords"


class FilterStatus(Model):
    id = fields.IntField(primary_key=True)
    rule: fields.ForeignKeyRelation[Filter] = fields.ForeignKeyField(
        "models.Filter", related_name="statuses", on_delete=fields.CASCADE
    )
    rule_id: int
    item: fields.ForeignKeyRelation[ContentItem] = fields.ForeignKeyField(
        "models.ContentItem", related_name="filtered_by", on_delete=fields.CASCADE
    )
    item_id: int

    class Meta:
        table = "filter_statuses"
        unique_together = (("rule", "item"),)


def _now() -> datetime:
    return datetime.now(UTC)


def expiry(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    if not 0 < seconds <= 10 * 365 * 24 * 3600:
        raise Invalid("expires_in", N_("out of range"))
    return _now() + timedelta(seconds=seconds)


def check_filter(title: str, context: list[str], action: str) -> None:
    if not title.strip() or len(title) > MAX_TITLE:
        raise Invalid("title", N_("needed, %(n)s characters at most"), n=MAX_TITLE)
    if not context or any(c not in CONTEXTS for c in context):
        raise Invalid("context", N_("one or more of home, notifications, public, thread, account"))
    if action not in ACTIONS:
        raise Invalid("filter_action", N_("warn or hide"))


def check_keyword(keyword: str) -> str:
    keyword = keyword.strip()
    if not keyword or len(keyword) > MAX_KEYWORD:
        raise Invalid("keyword", N_("needed, %(n)s characters at most"), n=MAX_KEYWORD)
    return keyword


@dataclass
class Match:
    """Why a filter matched a status (Mastodon's FilterResult)."""

    filter: Filter
    keywords: list[str] = field(default_factory=list)
    status_ids: list[str] = field(default_factory=list)


@dataclass
class Active:
    """A person's filters in force for one context, read once for a whole page."""

    filters: list[Filter]
    keywords: dict[int, list[FilterKeyword]]
    statuses: dict[int, set[int]]

    def matches(self, item: ContentItem) -> list[Match]:
        text = f"{item.spoiler_text}\n{item.search_text}"
        found = []
        for one in self.filters:
            words = [k.keyword for k in self.keywords.get(one.id, []) if _has(text, k)]
            chosen = [str(item.id)] if item.id in self.statuses.get(one.id, set()) else []
            if words or chosen:
                found.append(Match(one, words, chosen))
        return found

    def hides(self, item: ContentItem) -> bool:
        return any(m.filter.action == "hide" for m in self.matches(item))


def _has(text: str, keyword: FilterKeyword) -> bool:
    """A keyword anywhere in the text, or as a whole word (not inside a longer one)."""
    pattern = re.escape(keyword.keyword)
    if keyword.whole_word:
        pattern = rf"(?<!\w){pattern}(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


async def active_filters(account: Account, context: str) -> Active:
    """The filters of ``account`` in force for ``context``, with their keywords and statuses
    (three queries, whatever the page)."""
    rows = await Filter.filter(Q(expires_at=None) | Q(expires_at__gt=_now()), account=account)
    rows = [r for r in rows if context in r.context]
    ids = [r.id for r in rows]
    keywords: dict[int, list[FilterKeyword]] = {}
    statuses: dict[int, set[int]] = {}
    if ids:
        for k in await FilterKeyword.filter(rule_id__in=ids):
            keywords.setdefault(k.rule_id, []).append(k)
        for s in await FilterStatus.filter(rule_id__in=ids):
            statuses.setdefault(s.rule_id, set()).add(s.item_id)
    return Active(rows, keywords, statuses)
