"""Handles: people, organisations and twinnings share one namespace, because WebFinger's
``acct:name@domain`` must name exactly one actor."""

from __future__ import annotations

import re

from models.errors import N_, Conflict, Invalid

_HANDLE = re.compile(r"^[a-z0-9_]{2,30}$")
RESERVED = frozenset(
    {
        "api",
        "static",
        "login",
        "logout",
        "signup",
        "settings",
        "directory",
        "instance",
        "inbox",
        "outbox",
        "well_known",
        "oauth",
        "nodeinfo",
        "jumelage",
        "actor",
    }
)


def check_handle(field: str, value: str) -> str:
    handle = value.strip().lower()
    if not _HANDLE.match(handle):
        raise Invalid(field, N_("2 to 30 letters, digits or underscores"))
    if handle in RESERVED:
        raise Conflict(field, N_("this name is reserved"))
    return handle


async def ensure_handle_free(field: str, handle: str) -> None:
    from models.accounts import Account
    from models.organisations import Organisation
    from models.twinnings import Twinning

    for model, key in ((Account, "username"), (Organisation, "slug"), (Twinning, "slug")):
        if await model.filter(**{key: handle}).exists():
            raise Conflict(field, N_("this name is taken"))
