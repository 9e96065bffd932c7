"""What stands for an actor without a picture: their initials on a colour drawn from their
name, the same on every page. The colours are in ``static/css/faces.css``, each dark enough for
white letters (contrast of at least 4.5:1, WCAG AA)."""

from __future__ import annotations

import hashlib

HUES = 12  # classes face-hue-0 .. face-hue-11 in faces.css


def initials(name: str) -> str:
    """The first letters of the first two words ("Marie Dupont" → "MD"), or the first two of
    a single word ("asso" → "AS"); "?" for a name with no letter."""
    words = [w for w in name.replace("-", " ").replace("_", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


def hue(name: str) -> int:
    """A stable colour number for the name (stable across processes, unlike ``hash``)."""
    return hashlib.sha256(name.encode()).digest()[0] % HUES
