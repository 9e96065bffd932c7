"""Fixed-window rate limits kept in the database, so several server processes share them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.models import Model


class RateLimit(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=200, unique=True)
    window_start = fields.DatetimeField()
    count = fields.IntField(default=0)

    class Meta:
        table = "rate_limits"


async def hit(key: str, limit: int, window: timedelta) -> bool:
    """Count one attempt under ``key``; False once ``limit`` attempts fall in the current window."""
    now = datetime.now(UTC)
    try:
        row, created = await RateLimit.get_or_create(key=key, defaults={"window_start": now})
    except IntegrityError:  # another process created the row between our read and write
        row, created = await RateLimit.get(key=key), False
    if not created and row.window_start < now - window:
        await RateLimit.filter(id=row.id).update(window_start=now, count=1)
        return True
    await RateLimit.filter(id=row.id).update(count=F("count") + 1)
    row = await RateLimit.get(id=row.id)
    return row.count <= limit


LOGIN_LIMIT = 10
LOGIN_WINDOW = timedelta(minutes=15)


async def login_allowed(client: str, username: str) -> bool:
    """One budget per address and per name, shared by the log-in page and the password grant
    of the Mastodon API, so neither is a way around the other."""
    keys = (f"login-ip:{client}", f"login-user:{username[:40]}")
    allowed = [await hit(key, LOGIN_LIMIT, LOGIN_WINDOW) for key in keys]
    return all(allowed)
