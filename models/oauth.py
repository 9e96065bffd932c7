"""OAuth 2 as Mastodon apps expect it: registered apps, authorization codes (with PKCE) and
bearer tokens. Client secrets, codes and tokens are stored as SHA-256 digests and shown only
once, so a copy of the database lets nobody act as anyone."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.errors import N_, Invalid
from models.lookup import fits

OOB = "urn:ietf:wg:oauth:2.0:oob"
TOP_SCOPES = ("read", "write", "follow", "push", "profile")
GRANULAR = {
    "read": (
        "accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists",
        "mutes", "notifications", "search", "statuses",
    ),
    "write": (
        "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
        "lists", "media", "mutes", "notifications", "reports", "statuses",
    ),
}  # fmt: skip
# The legacy ``follow`` scope covers these granular ones (Mastodon's own rule).
FOLLOW_COVERS = {"read:follows", "write:follows", "read:blocks", "write:blocks"}
FOLLOW_COVERS |= {"read:mutes", "write:mutes"}
CODE_LIFETIME = timedelta(minutes=10)


class OAuthApp(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    website = fields.CharField(max_length=300, default="")
    client_id = fields.CharField(max_length=64, unique=True)
    secret_digest = fields.CharField(max_length=64)
    redirect_uris: fields.JSONField[list[str]] = fields.JSONField(default=list)
    scopes = fields.CharField(max_length=500, default="read")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oauth_apps"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


class OAuthCode(Model):
    id = fields.IntField(primary_key=True)
    digest = fields.CharField(max_length=64, unique=True)
    app: fields.ForeignKeyRelation[OAuthApp] = fields.ForeignKeyField(
        "models.OAuthApp", related_name="codes", on_delete=fields.CASCADE
    )
    app_id: int
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="oauth_codes", on_delete=fields.CASCADE
    )
    account_id: int
    redirect_uri = fields.CharField(max_length=500)
    scopes = fields.CharField(max_length=500)
    challenge = fields.CharField(max_length=128, default="")
    expires_at = fields.DatetimeField()

    class Meta:
        table = "oauth_codes"


class OAuthToken(Model):
    """A bearer token (``account`` is empty for app-only client_credentials tokens)."""

    id = fields.IntField(primary_key=True)
    digest = fields.CharField(max_length=64, unique=True)
    refresh_digest = fields.CharField(max_length=64, unique=True)
    app: fields.ForeignKeyRelation[OAuthApp] = fields.ForeignKeyField(
        "models.OAuthApp", related_name="tokens", on_delete=fields.CASCADE
    )
    app_id: int
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="oauth_tokens", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None
    scopes = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "oauth_tokens"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def known_scope(scope: str) -> bool:
    top, _, part = scope.partition(":")
    if not part:
        return top in TOP_SCOPES
    return part in GRANULAR.get(top, ())


def parse_scopes(text: str, default: str = "read") -> str:
    """Space- or plus-separated scopes, each known; the normalised string."""
    scopes = [s for s in (text or default).replace("+", " ").split() if s]
    unknown = [s for s in scopes if not known_scope(s)]
    if unknown:
        raise Invalid("scope", N_("unknown scope: %(names)s"), names=" ".join(unknown))
    return " ".join(dict.fromkeys(scopes))


def covers(granted: set[str], required: str) -> bool:
    """``read`` covers ``read:statuses``; ``follow`` covers the follow/block/mute scopes."""
    top = required.partition(":")[0]
    return (
        required in granted or top in granted or ("follow" in granted and required in FOLLOW_COVERS)
    )


def within(requested: str, allowed: set[str]) -> bool:
    return all(covers(allowed, scope) for scope in requested.split())


async def register_app(name: str, redirect_uris: str, scopes: str, website: str) -> tuple:
    """Returns the app and its secret, which is shown this once."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("client_name", N_("1 to 100 characters"))
    uris = [u.strip() for u in (redirect_uris or "").split() if u.strip()]
    if not uris:
        raise Invalid("redirect_uris", N_("give at least one redirect URI"))
    for uri in uris:
        if uri != OOB and ("://" not in uri or len(uri) > 500):
            raise Invalid("redirect_uris", N_("not a valid redirect URI"))
    secret = secrets.token_urlsafe(32)
    app = await OAuthApp.create(
        name=name,
        website=(website or "").strip()[:300],
        client_id=secrets.token_urlsafe(32),
        secret_digest=digest(secret),
        redirect_uris=uris,
        scopes=parse_scopes(scopes),
    )
    return app, secret


async def app_of(client_id: str, client_secret: str | None = None) -> OAuthApp | None:
    """The app with this id (and secret, when one is given)."""
    if not fits(OAuthApp, "client_id", client_id or ""):
        return None
    app = await OAuthApp.get_or_none(client_id=client_id or "")
    if app is None:
        return None
    if client_secret is not None and not hmac.compare_digest(
        app.secret_digest, digest(client_secret)
    ):
        return None
    return app


async def issue_code(
    app: OAuthApp, account: Account, redirect_uri: str, scopes: str, challenge: str
) -> str:
    code = secrets.token_urlsafe(32)
    await OAuthCode.create(
        digest=digest(code),
        app=app,
        account=account,
        redirect_uri=redirect_uri,
        scopes=scopes,
        challenge=challenge,
        expires_at=datetime.now(UTC) + CODE_LIFETIME,
    )
    return code


def pkce_matches(challenge: str, verifier: str) -> bool:
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return hmac.compare_digest(computed.rstrip(b"=").decode(), challenge)


async def redeem_code(app: OAuthApp, code: str, redirect_uri: str, verifier: str) -> OAuthCode:
    """A code is good once, before it expires, for its app and redirect URI and, when it was
    asked with a PKCE challenge, for the matching verifier."""
    row = await OAuthCode.get_or_none(digest=digest(code or ""), app=app)
    if row is not None:
        await row.delete()
    if row is None or row.expires_at < datetime.now(UTC):
        raise Invalid("code", N_("the authorization code is unknown or expired"))
    if row.redirect_uri != redirect_uri:
        raise Invalid("redirect_uri", N_("the redirect URI differs from the authorization's"))
    if row.challenge and not pkce_matches(row.challenge, verifier or ""):
        raise Invalid("code_verifier", N_("the code verifier does not match"))
    return row


async def issue_token(app: OAuthApp, account: Account | None, scopes: str) -> tuple:
    """Returns the token row, the access token and the refresh token."""
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = await OAuthToken.create(
        digest=digest(access),
        refresh_digest=digest(refresh),
        app=app,
        account=account,
        scopes=scopes,
    )
    return row, access, refresh


async def refresh_token(app: OAuthApp, refresh: str) -> tuple:
    """The old token is replaced by a new one with the same grant."""
    row = await OAuthToken.get_or_none(refresh_digest=digest(refresh or ""), app=app)
    if row is None:
        raise Invalid("refresh_token", N_("the refresh token is unknown"))
    account = await Account.get_or_none(id=row.account_id) if row.account_id else None
    await row.delete()
    return await issue_token(app, account, row.scopes)


async def token_of(bearer: str) -> OAuthToken | None:
    return await OAuthToken.get_or_none(digest=digest(bearer)).prefetch_related("account", "app")


async def revoke(app: OAuthApp, token: str) -> None:
    """Revoking an unknown token succeeds too (RFC 7009)."""
    await OAuthToken.filter(app=app, digest=digest(token or "")).delete()
