"""Language maps: every text a person writes is ``{language: text}`` (ActivityStreams ``*Map``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from models.config import LOCALES
from models.errors import N_, Invalid

LangMap = dict[str, str]


def build_map(
    field: str, texts: Mapping[str, str], max_length: int, required: bool = True
) -> LangMap:
    """Keep the non-empty texts of known languages; refuse over-long ones and an empty map."""
    result: LangMap = {}
    for lang, text in texts.items():
        text = (text or "").strip()
        if lang not in LOCALES or not text:
            continue
        if len(text) > max_length:
            raise Invalid(field, N_("at most %(n)s characters"), n=max_length)
        result[lang] = text
    if required and not result:
        raise Invalid(field, N_("write it in at least one language"))
    return result


def pick(langmap: Mapping[str, str], wanted: str, primary: str = "") -> tuple[str, str]:
    """The reader's language when present, else the primary one, else any: (language, text)."""
    if not langmap:
        return "", ""
    for lang in (wanted, primary):
        if lang in langmap:
            return lang, langmap[lang]
    lang = next(iter(langmap))
    return lang, langmap[lang]


def primary_of(langmap: Mapping[str, str], preferred: str) -> str:
    return preferred if preferred in langmap else next(iter(langmap), "")


def search_text(*maps: Mapping[str, str] | Sequence[str] | str) -> str:
    """Lower-cased text of every language, so one ``icontains`` finds any translation."""
    parts: list[str] = []
    for m in maps:
        if isinstance(m, str):
            parts.append(m)
        elif isinstance(m, Mapping):
            parts.extend(m.values())
        else:
            parts.extend(m)
    return " \n".join(parts).lower()
