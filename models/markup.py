"""Text to HTML. What people type here is Markdown, rendered with raw HTML disabled; what other
servers send is HTML. Both pass through nh3 (Ammonia) with one small allow-list, so no markup
can run in a reader's browser."""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h1", "h2", "h3", "h4", "hr",
}  # fmt: skip


def clean_html(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def markdown_to_html(text: str) -> str:
    return clean_html(_md.render(text or ""))


# Items are read far more often than written: a page or a timeline renders the same texts
# again and again, so each (text, format) is rendered and sanitised once per process while it
# stays among the most recent ones. A changed text is a new key; an upgraded sanitiser comes
# with a restart, which empties the cache.
@functools.lru_cache(maxsize=2048)
def to_html(text: str, content_format: str) -> str:
    return clean_html(text) if content_format == "html" else markdown_to_html(text)
