"""Guessing the language of text typed without a language tag (a status from an app that sends
none, a post from a server that gives no ``contentMap``), among the instance's languages.
py3langid works offline from a model shipped with it; the model loads on first use."""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from models.config import LOCALES

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.8


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LOCALES))
    return identifier


def detect(text: str, fallback: str) -> str:
    """The language of ``text`` when the guess is confident, else ``fallback`` (short texts
    such as "ok" say too little)."""
    plain = re.sub(r"<[^>]+>|https?://\S+|[@#]\w+", " ", text)
    if sum(c.isalpha() for c in plain) < MIN_LETTERS:
        return fallback
    language, confidence = _identifier().classify(plain)
    return str(language) if confidence >= MIN_CONFIDENCE else fallback
