"""Who is asking: the signed session cookie holds an account id and a CSRF token."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from models.accounts import Account


def csrf_token(request: Request) -> str:
    if "session" not in request.scope:
        return ""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def csrf_valid(request: Request, submitted: str) -> bool:
    expected = request.session.get("csrf", "")
    return bool(expected) and hmac.compare_digest(expected, submitted)


async def load_viewer(request: Request) -> Account | None:
    """The signed-in account, if still active; suspension takes effect on the next request."""
    account_id = request.session.get("account_id")
    if not isinstance(account_id, int):
        return None
    account = await Account.get_or_none(id=account_id)
    if account is None or account.state == "suspended":
        request.session.pop("account_id", None)
        return None
    return account


def log_in(request: Request, account: Account) -> None:
    request.session.clear()
    request.session["account_id"] = account.id
    request.session["csrf"] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()
