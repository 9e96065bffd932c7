"""The white paper: a twinning's (or the whole instance's) proposals for decision-makers as one
document, a printable web page and an EPUB (ebooklib), with a title page, a table of contents,
authors and licence. It holds what the reader may see: public proposals for everyone,
partner-only ones (marked) for members."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from ebooklib import epub
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.content import ContentItem
from models.evaluations import published_proposals
from models.langmap import pick
from models.markup import to_html
from models.organisations import Organisation
from models.resources import proposals
from models.twinnings import Twinning, TwinningPartner
from models.vocab import PHASE_NAMES
from server import i18n
from server.web.guards import get_or_404, viewer_of
from server.web.render import render


@dataclass
class Chapter:
    anchor: str
    title: str
    authors: str
    html: str
    partners_only: bool
    twinning: str


@dataclass
class Appendix:
    """The published evaluations' proposals of one twinning."""

    anchor: str
    twinning: str
    entries: list[tuple[str, str, str, str]]  # organisation, phase, language, HTML


@dataclass
class Paper:
    title: str
    subtitle: str
    licence: str
    authors: list[str]
    chapters: list[Chapter]
    date: str
    appendices: list[Appendix] = field(default_factory=list)


def _chapter(item: ContentItem, lang: str) -> Chapter:
    _, title = pick(item.title_map, lang, item.primary_language)
    _, text = pick(item.content_map, lang, item.primary_language)
    details = item.resource  # type: ignore[attr-defined]
    author = item.author  # type: ignore[attr-defined]
    twinning: Twinning = item.twinning  # type: ignore[assignment]
    _, twinning_title = pick(twinning.title_map, lang, twinning.primary_language)
    return Chapter(
        anchor=f"proposal-{item.id}",
        title=title,
        authors=details.authors or (author.name if author else ""),
        html=to_html(text, item.content_format),
        partners_only=item.visibility != "public",
        twinning=twinning_title,
    )


async def _appendices(twinning: Twinning | None, lang: str) -> list[Appendix]:
    """Public by construction: only published evaluations are read."""
    found: dict[int, Appendix] = {}
    for e in await published_proposals(twinning):
        t: Twinning = e.twinning  # type: ignore[assignment]
        if t.id not in found:
            _, title = pick(t.title_map, lang, t.primary_language)
            found[t.id] = Appendix(f"evaluations-{t.slug}", title, [])
        entry = (
            e.organisation.name,
            i18n.gettext(PHASE_NAMES.get(e.phase, e.phase)),
            e.language,
            to_html(e.answers["proposals"], "markdown"),
        )
        found[t.id].entries.append(entry)
    return list(found.values())


async def _paper(request: Request, twinning: Twinning | None) -> Paper:
    lang = i18n.current_locale()
    items = await proposals(viewer_of(request), twinning)
    chapters = [_chapter(item, lang) for item in items]
    settings = request.app.state.settings
    if twinning is not None:
        _, name = pick(twinning.title_map, lang, twinning.primary_language)
        partners = await TwinningPartner.filter(twinning=twinning).values_list(
            "organisation_id", flat=True
        )
        organisations = await Organisation.filter(id__in=list(partners)).order_by("name")
        subtitle = ", ".join(o.name for o in organisations)
        licence = twinning.licence
    else:
        name, subtitle, licence = settings.instance_name, "", "CC-BY-SA-4.0"
    authors = sorted({c.authors for c in chapters if c.authors})
    return Paper(
        title=i18n.gettext("White paper: %(name)s", name=name),
        subtitle=subtitle,
        licence=licence,
        authors=authors,
        chapters=chapters,
        date=datetime.now(UTC).date().isoformat(),
        appendices=await _appendices(twinning, lang),
    )


async def _twinning(request: Request) -> Twinning | None:
    slug = request.path_params.get("slug")
    return await get_or_404(Twinning, slug=slug) if slug else None


async def page(request: Request) -> Response:
    twinning = await _twinning(request)
    paper = await _paper(request, twinning)
    base = f"/t/{twinning.slug}/white-paper" if twinning else "/white-paper"
    return render(request, "white_paper.html", paper=paper, epub_url=base + ".epub")


def _appendix_title(appendix: Appendix) -> str:
    return i18n.gettext("Appendix: evaluations of %(name)s", name=appendix.twinning)


def _epub(paper: Paper, lang: str) -> bytes:
    book = epub.EpubBook()
    book.set_identifier(f"jumelage-white-paper-{paper.title}-{paper.date}")
    book.set_title(paper.title)
    book.set_language(lang)
    for author in paper.authors:
        book.add_author(author)
    book.add_metadata("DC", "rights", paper.licence)
    title_page = epub.EpubHtml(title=paper.title, file_name="title.xhtml", lang=lang)
    title_page.content = (
        f"<h1>{escape(paper.title)}</h1><p>{escape(paper.subtitle)}</p>"
        f"<p>{escape(', '.join(paper.authors))}</p>"
        f"<p>{escape(i18n.gettext('Licence'))}: {escape(paper.licence)} · {paper.date}</p>"
    )
    book.add_item(title_page)
    pages = []
    for chapter in paper.chapters:
        item = epub.EpubHtml(title=chapter.title, file_name=f"{chapter.anchor}.xhtml", lang=lang)
        marker = (
            f"<p><em>{escape(i18n.gettext('Partners only'))}</em></p>"
            if chapter.partners_only
            else ""
        )
        item.content = (
            f"<h1>{escape(chapter.title)}</h1><p>{escape(chapter.authors)} · "
            f"{escape(chapter.twinning)}</p>{marker}{chapter.html}"
        )
        book.add_item(item)
        pages.append(item)
    for appendix in paper.appendices:
        item = epub.EpubHtml(
            title=_appendix_title(appendix), file_name=f"{appendix.anchor}.xhtml", lang=lang
        )
        item.content = f"<h1>{escape(_appendix_title(appendix))}</h1>" + "".join(
            f'<h2>{escape(org)} · {escape(phase)}</h2><div lang="{language}">{html}</div>'
            for org, phase, language, html in appendix.entries
        )
        book.add_item(item)
        pages.append(item)
    book.toc = pages
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = [title_page, "nav", *pages]
    buffer = io.BytesIO()
    epub.write_epub(buffer, book)
    return buffer.getvalue()


async def download(request: Request) -> Response:
    twinning = await _twinning(request)
    paper = await _paper(request, twinning)
    name = f"white-paper-{twinning.slug if twinning else 'instance'}.epub"
    return Response(
        _epub(paper, i18n.current_locale()),
        media_type="application/epub+zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


routes = [
    Route("/white-paper", page),
    Route("/white-paper.epub", download),
    Route("/t/{slug:handle}/white-paper", page),
    Route("/t/{slug:handle}/white-paper.epub", download),
]
