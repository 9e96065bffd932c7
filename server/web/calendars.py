"""Private calendar addresses: calendar apps cannot log in, so a member's calendar lives at an
address with a key only they are shown, derived from the instance's secret key."""

from __future__ import annotations

import hashlib
import hmac

from models.accounts import Account


def calendar_key(secret: str, account: Account) -> str:
    """Changes if the secret key does, which is how an admin revokes every calendar address."""
    message = f"calendar:{account.id}:{account.username}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def calendar_path(secret: str, account: Account) -> str:
    return f"/calendar/{account.username}/{calendar_key(secret, account)}.ics"
