"""What a URL may carry before it reaches the database, checked in one place.

Path parameters are typed by route convertors: ``{item_id:id}`` only matches an id that a row
can have (``models.lookup`` says why ids are bounded), ``{slug:handle}`` only the shape
``models.handles`` gives handles, and so on; a path that cannot name a row matches no route
and is answered 404 like any unknown address. Query parameters of web pages are read through
``query_text``, and every id taken from a parameter goes through ``models.lookup.record_id``;
a malformed value is a ``BadParameter``, a 400 whose detail says what is wrong (the Mastodon
API answers it as its JSON error)."""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request

from models.handles import HANDLE_PATTERN
from models.lookup import MAX_ID
from server import i18n

MAX_QUERY_VALUE = 2000  # longer than any search, handle or address a page reads


def _numbers_up_to(limit: int) -> str:
    """A regular expression matching exactly the whole numbers 0..limit written without
    leading zeros: shorter numbers, then those of limit's length digit by digit below it."""
    digits = str(limit)
    parts = ["0", f"[1-9][0-9]{{0,{len(digits) - 2}}}"]
    for i, digit in enumerate(digits):
        lowest = 1 if i == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


ID_PATTERN = _numbers_up_to(MAX_ID)


class IdConvertor(Convertor[int]):
    regex = ID_PATTERN

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


class HandleConvertor(Convertor[str]):
    """People, twinnings and organisations, in the one namespace of ``models.handles``."""

    regex = HANDLE_PATTERN

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class AccountIdConvertor(HandleConvertor):
    """Mastodon API account ids: a letter for the kind of actor (person, twinning,
    organisation, remote) and the row's id, as ``server.api.entities.actor_by_id`` reads them."""

    regex = f"[ptor]{ID_PATTERN}"


class MediaNameConvertor(HandleConvertor):
    """Stored file names: ``models.media`` makes them from URL-safe random letters."""

    regex = r"[A-Za-z0-9_-]{1,48}\.[a-z0-9]{1,8}"


class HexKeyConvertor(HandleConvertor):
    """The 40 hexadecimal digits of a calendar address."""

    regex = "[0-9a-f]{40}"


def register() -> None:
    """Starlette keeps convertors in one global table, read when a route is built, so this runs
    when ``server`` is imported, before any route module."""
    register_url_convertor("id", IdConvertor())
    register_url_convertor("handle", HandleConvertor())
    register_url_convertor("account_id", AccountIdConvertor())
    register_url_convertor("media_name", MediaNameConvertor())
    register_url_convertor("hex_key", HexKeyConvertor())


class BadParameter(HTTPException):
    """A parameter no page could use: a 400 that names it and says why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(400, f"{name}: {reason}")
        self.name = name
        self.reason = reason


def checked_text(name: str, value: str, max_length: int = MAX_QUERY_VALUE) -> str:
    """``value`` if a database may store or compare it: no NUL byte (PostgreSQL refuses them in
    text) and no absurd length."""
    if "\x00" in value:
        raise BadParameter(name, i18n.gettext("it may not contain a NUL character"))
    if len(value) > max_length:
        raise BadParameter(
            name, i18n.gettext("it is longer than %(count)s characters", count=max_length)
        )
    return value


def query_text(
    request: Request, name: str, default: str = "", max_length: int = MAX_QUERY_VALUE
) -> str:
    """A query parameter of a web page. Given twice, the last one counts, as in most servers."""
    return checked_text(name, request.query_params.get(name, default), max_length)
