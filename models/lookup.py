"""What a value taken from a request must be before a row is looked up by it. The id columns
are tortoise ``IntField``s (32-bit on PostgreSQL, whose driver refuses a larger number, as
SQLite's refuses one over 64 bits), and tortoise refuses to compare a ``CharField`` with a
longer string (a ``ValidationError`` rather than no row); a value that cannot name a row
names none, without a query."""

from __future__ import annotations

from tortoise.models import Model

MAX_ID = 2**31 - 1


def record_id(raw: object) -> int | None:
    """The id ``raw`` names, or None when no row can have it (not ASCII digits, too large).
    ``str.isdigit`` alone lets through digits such as "²" that ``int`` refuses."""
    text = str(raw)
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID))):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether ``value`` could be stored in ``model.field``, so that looking it up is worth a
    query."""
    max_length = getattr(model._meta.fields_map[field], "max_length", None)
    return max_length is None or len(value) <= max_length
