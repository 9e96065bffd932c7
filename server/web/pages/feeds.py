"""Atom feeds of public updates, for the instance and for each twinning: a feed reader is an
anonymous visitor, so only public items are ever in one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.queryset import QuerySet

from federation.serialize import item_uri
from models.content import ContentItem
from models.langmap import pick
from models.listing import listed
from models.markup import to_html
from models.twinnings import Twinning
from models.visibility import visible_items
from server import i18n
from server.web.guards import get_or_404
from server.web.render import render_xml

ENTRIES = 50
TITLE_LENGTH = 80


@dataclass
class Entry:
    url: str
    title: str
    language: str
    published: str
    updated: str
    author: str
    html: str


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _entry(request: Request, item: ContentItem) -> Entry:
    lang = i18n.current_locale()
    language, text = pick(item.content_map, lang, item.primary_language)
    html = to_html(text, item.content_format)
    _, title = pick(item.title_map, language, item.primary_language)
    if not title:
        plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
        title = plain[:TITLE_LENGTH] + ("…" if len(plain) > TITLE_LENGTH else "")
    twinning: Twinning = item.twinning  # type: ignore[assignment]
    author: Any = item.author
    return Entry(
        url=item_uri(request.app.state.settings, twinning, item),
        title=title,
        language=language,
        published=_stamp(item.created_at),
        updated=_stamp(item.updated_at or item.created_at),
        author=author.name if author else twinning.slug,
        html=html,
    )


async def _feed(
    request: Request, query: QuerySet[ContentItem], title: str, subtitle: str, page: str
) -> Response:
    items = await query.prefetch_related("twinning", "author").limit(ENTRIES)
    entries = [_entry(request, item) for item in items]
    base = request.app.state.settings.base_url
    return render_xml(
        request,
        "feed.atom",
        title=title,
        subtitle=subtitle,
        self_url=base + request.url.path,
        page_url=base + page,
        updated=entries[0].updated if entries else _stamp(datetime.fromtimestamp(0).astimezone()),
        entries=entries,
    )


def _public_updates() -> QuerySet[ContentItem]:
    """Public updates of our twinnings: the rule's answer for an anonymous reader, without
    silenced accounts' items."""
    return listed(visible_items(None), None).filter(kind="update", twinning_id__not_isnull=True)


async def instance_feed(request: Request) -> Response:
    name = request.app.state.settings.instance_name
    return await _feed(request, _public_updates(), name, i18n.gettext("Public updates"), "/")


async def twinning_feed(request: Request) -> Response:
    twinning = await get_or_404(Twinning, slug=request.path_params["slug"])
    _, title = pick(twinning.title_map, i18n.current_locale(), twinning.primary_language)
    _, summary = pick(twinning.summary_map, i18n.current_locale(), twinning.primary_language)
    query = _public_updates().filter(twinning=twinning)
    return await _feed(request, query, title, summary, f"/t/{twinning.slug}")


routes = [
    Route("/feed.atom", instance_feed),
    Route("/t/{slug:handle}/feed.atom", twinning_feed),
]
