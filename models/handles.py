"""Handles: people, organisations and twinnings share one namespace, because WebFinger's
``acct:name@domain`` must name exactly one actor. Each taken handle is a row of one table with
a unique key, claimed in the transaction that makes its owner, so two sign-ups racing for one
name cannot both win."""

from __future__ import annotations

import re

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.errors import N_, Conflict, Invalid

HANDLE_PATTERN = "[a-z0-9_]{2,30}"
_HANDLE = re.compile(f"^{HANDLE_PATTERN}$")
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


def is_handle(value: str) -> bool:
    """Whether ``value`` has the shape of a handle, so that a lookup by it is worth a query."""
    return _HANDLE.fullmatch(value) is not None


def check_handle(field: str, value: str) -> str:
    handle = value.strip().lower()
    if not _HANDLE.match(handle):
        raise Invalid(field, N_("2 to 30 letters, digits or underscores"))
    if handle in RESERVED:
        raise Conflict(field, N_("this name is reserved"))
    return handle


class HandleClaim(Model):
    id = fields.IntField(primary_key=True)
    handle = fields.CharField(max_length=30, unique=True)
    kind = fields.CharField(max_length=12)  # person, organisation, twinning, programme

    class Meta:
        table = "handles"


async def claim_handle(field: str, handle: str, kind: str) -> None:
    """Takes ``handle`` for a new ``kind`` of actor, or says it is taken."""
    try:
        async with in_transaction():  # a savepoint inside the owner's transaction
            await HandleClaim.create(handle=handle, kind=kind)
    except IntegrityError:
        raise Conflict(field, N_("this name is taken")) from None
