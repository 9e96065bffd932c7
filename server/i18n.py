"""Languages of the UI: catalogues compiled from ``locales/*/LC_MESSAGES/messages.po`` once at
start-up, the reader's language chosen per request, and ``gettext`` bound to it through a
context variable so templates and code share one notion of "the current language"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from contextvars import ContextVar
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from models.config import LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
_catalogues: dict[str, NullTranslations] = {}
_current: ContextVar[str] = ContextVar("locale", default="en")


def load_catalogues(locales_dir: Path = LOCALES_DIR) -> None:
    """Compile each ``.po`` in memory; English is the source language, so it may be empty."""
    for lang in LOCALES:
        po = locales_dir / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            _catalogues[lang] = NullTranslations()
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        _catalogues[lang] = Translations(buf)


def set_locale(lang: str) -> None:
    _current.set(lang if lang in LOCALES else "en")


def current_locale() -> str:
    return _current.get()


def _catalogue() -> NullTranslations:
    """Loaded on first use too, so code outside a request (the mailer) speaks every language."""
    if not _catalogues:
        load_catalogues()
    return _catalogues.get(_current.get(), NullTranslations())


def gettext(message: str, **params: object) -> str:
    text = _catalogue().gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = _catalogue().ngettext(singular, plural, n)
    return text % {"num": n, **params}


def negotiate(candidates: Iterable[str | None], accept_language: str, default: str) -> str:
    """First an explicit choice (account, then switcher cookie), then Accept-Language."""
    for lang in candidates:
        if lang in LOCALES:
            return lang
    wanted = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        if tag:
            wanted.append((weight, tag.replace("-", "_")))
    ordered = [tag for _, tag in sorted(wanted, key=lambda w: -w[0])]
    found = Locale.negotiate(ordered, list(LOCALES), sep="_") if ordered else None
    return str(found.language) if found else default


def language_name(code: str, in_lang: str | None = None) -> str:
    try:
        return Locale(code).get_display_name(in_lang or current_locale()) or code
    except (UnknownLocaleError, ValueError):
        return code


def country_name(code: str) -> str:
    return Locale(current_locale()).territories.get(code, code)


def sort_key(text: str) -> str:
    """Orders names as a reader expects in French, English and Spanish: case and accents
    aside (``Équateur`` among the E, ``Bolivie`` before ``brésil``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
