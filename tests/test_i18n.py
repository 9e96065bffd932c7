"""Every message of the code and templates is translated in every catalogue, and the language
is chosen from the account, the switcher, Accept-Language, then the instance default."""

from __future__ import annotations

from io import BytesIO

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from models.config import LOCALES
from server import i18n
from tests.conftest import here

ROOT = here().parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _source_messages() -> set[str]:
    found: set[str] = set()
    method_map = [
        ("server/web/templates/**.html", "jinja2"),
        ("server/**.py", "python"),
        ("models/**.py", "python"),
    ]
    options = {"server/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map=options, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("lang", LOCALES)
def test_catalogue_translates_every_message(lang: str) -> None:
    po = ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po"
    catalog = read_po(BytesIO(po.read_bytes()), locale=lang)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id)
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    sources = _source_messages()
    assert len(sources) > 150
    missing = sorted(sources - translated)
    assert not missing, f"{lang} lacks translations: {missing[:10]}"


def test_placeholders_survive_translation() -> None:
    i18n.load_catalogues()
    for lang in LOCALES:
        i18n.set_locale(lang)
        assert "Jumelage" in i18n.gettext("Welcome to %(name)s!", name="Jumelage")
        assert "3" in i18n.ngettext("%(num)s member", "%(num)s members", 3)


@pytest.mark.parametrize(
    ("candidates", "header", "expected"),
    [
        ([None, None], "es-ES,es;q=0.9,en;q=0.5", "es"),
        ([None, None], "de-DE,fr;q=0.4", "fr"),
        ([None, None], "de-DE", "en"),
        ([None, "fr"], "es", "fr"),
        (["es", "fr"], "en", "es"),
        (["", None], "garbage;q=zz", "en"),
    ],
)
def test_language_negotiation(candidates: list[str | None], header: str, expected: str) -> None:
    assert i18n.negotiate(candidates, header, "en") == expected
