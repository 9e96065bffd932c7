"""Language guesses for untagged text: confident ones among fr, en, es; short or unclear text
keeps the fallback."""

from __future__ import annotations

import pytest

from models.langdetect import detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Réunion du comité de pilotage jeudi prochain à Brest", "fr"),
        ("The steering committee meets next Thursday in Brest", "en"),
        ("Reunión del comité de seguimiento el jueves en La Paz", "es"),
        ("<p>@maelle ¿podemos hablar del presupuesto participativo?</p>", "es"),
        ("ok", "fr"),
        ("https://example.org/a/very/long/address/with/words", "fr"),
    ],
)
def test_detect(text: str, expected: str) -> None:
    assert detect(text, "fr") == expected
