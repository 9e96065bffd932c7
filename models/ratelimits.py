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
ADDRESS_LOGIN_LIMIT = 30


async def login_allowed(client: str, username: str) -> bool:
    """Budgets shared by the log-in page and the password grant of the Mastodon API, so
    neither is a way around the other: ``LOGIN_LIMIT`` attempts per name from one address and
    ``ADDRESS_LOGIN_LIMIT`` per address whatever the names (an office behind one address has
    several people), in each window. A name has no budget of its own: anyone could spend it
    and lock its owner out, so, as Mastodon and Discourse do, attempts are counted where they
    come from, and guessing a password from many addresses costs one address per ten guesses."""
    keys = (
        (f"login-ip:{client}", ADDRESS_LOGIN_LIMIT),
        (f"login-user:{username[:40]}@{client}", LOGIN_LIMIT),
    )
    allowed = [await hit(key, limit, LOGIN_WINDOW) for key, limit in keys]
    return all(allowed)
