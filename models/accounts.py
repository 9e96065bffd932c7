"""People with a login on this instance, and the invitations that let them sign up."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model
from tortoise.transactions import in_transaction

from models.errors import N_, Conflict, Invalid
from models.handles import check_handle, claim_handle
from models.lookup import fits
from models.zones import check_zone, is_zone

_hasher = PasswordHasher()
ROLES = ("user", "admin")
STATES = ("active", "pending", "suspended")


class Account(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=30, unique=True)
    display_name = fields.CharField(max_length=100, default="")
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=200)
    locale = fields.CharField(max_length=5, default="")
    # An IANA name; empty until the person chooses (dates then use the instance's default).
    timezone = fields.CharField(max_length=64, default="", db_default=SqlDefault("''"))
    role = fields.CharField(max_length=10, default="user")
    state = fields.CharField(max_length=10, default="active", db_index=True)
    bio = fields.TextField(default="")
    # A name in models.pictures; empty: initials show instead.
    avatar = fields.CharField(max_length=40, default="", db_default=SqlDefault("''"))
    created_at = fields.DatetimeField(auto_now_add=True)
    # Set by an admin (Mastodon's "limit"): the person's items leave public lists
    # (``models.listing``) but still reach their twinnings and followers.
    silenced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:
        return self.state == "active"

    @property
    def is_silenced(self) -> bool:
        return self.silenced_at is not None

    @property
    def name(self) -> str:
        return self.display_name or self.username


class Invitation(Model):
    """A single-use sign-up link made by an admin (registration mode ``invitation``)."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    created_by: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="invitations_made"
    )
    created_by_id: int
    used_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="invitation_used", null=True, on_delete=fields.SET_NULL
    )
    used_by_id: int | None
    expires_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitations"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(account: Account, password: str) -> bool:
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> str:
    if not 10 <= len(password) <= 200:
        raise Invalid("password", N_("10 to 200 characters"))
    return password


def check_email(email: str) -> str:
    email = email.strip()
    local, _, host = email.partition("@")
    if not local or "." not in host or len(email) > 254 or " " in email:
        raise Invalid("email", N_("not a valid e-mail address"))
    return email.lower()


async def create_account(
    username: str,
    email: str,
    password: str,
    *,
    role: str = "user",
    state: str = "active",
    locale: str = "",
    display_name: str = "",
    timezone: str = "",
) -> Account:
    """The one way to make an account: every surface (sign-up, CLI, demo) comes here."""
    username = check_handle("username", username)
    email = check_email(email)
    check_password(password)
    if timezone:
        check_zone(timezone)
    if await Account.filter(email=email).exists():
        raise Conflict("email", N_("an account already uses this address"))
    async with in_transaction():
        await claim_handle("username", username, "person")
        return await Account.create(
            username=username,
            email=email,
            password_hash=hash_password(password),
            role=role,
            state=state,
            locale=locale,
            display_name=display_name.strip()[:100],
            timezone=timezone,
        )


def account_zone(account: Account | None, default: str) -> str:
    """The zone dates are shown in for ``account``: its own choice, else the instance's
    ``default`` (visitors get the default too)."""
    zone = account.timezone if account is not None else ""
    return zone if zone and is_zone(zone) else default


async def change_password(account: Account, current: str, new: str) -> None:
    if not password_matches(account, current):
        raise Invalid("current_password", N_("the current password is wrong"))
    account.password_hash = hash_password(check_password(new))
    await account.save(update_fields=["password_hash"])


async def create_invitation(admin: Account, days: int = 14) -> Invitation:
    return await Invitation.create(
        code=secrets.token_urlsafe(24),
        created_by=admin,
        expires_at=datetime.now(UTC) + timedelta(days=days),
    )


async def usable_invitation(code: str) -> Invitation | None:
    if not fits(Invitation, "code", code):
        return None
    return await Invitation.filter(
        code=code, used_by_id=None, expires_at__gt=datetime.now(UTC)
    ).first()
