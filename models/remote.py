"""What we know of other servers: their actors (cached, with keys), their hosts' health, and
the admin's domain blocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

BLOCK_SEVERITIES = ("suspend", "silence")


class RemoteActor(Model):
    id = fields.IntField(primary_key=True)
    uri = fields.CharField(max_length=500, unique=True)
    actor_type = fields.CharField(max_length=20)
    handle = fields.CharField(max_length=100, default="")
    domain = fields.CharField(max_length=255, db_index=True)
    name = fields.CharField(max_length=200, default="")
    url = fields.CharField(max_length=500, default="")
    inbox = fields.CharField(max_length=500)
    shared_inbox = fields.CharField(max_length=500, default="")
    key_id = fields.CharField(max_length=500, default="", db_index=True)
    public_key_pem = fields.TextField(default="")
    # The actor's ``icon`` as it last named it, and our clean copy (a name in models.pictures,
    # empty when it could not be fetched or decoded): one fetch per address.
    icon_uri = fields.CharField(max_length=500, default="", db_default=SqlDefault("''"))
    icon = fields.CharField(max_length=40, default="", db_default=SqlDefault("''"))
    fetched_at = fields.DatetimeField()
    # Silenced by an admin here: as for our own people (``Account.silenced_at``).
    silenced_at = fields.DatetimeField(null=True)
    # Suspended by an admin here: its items are shown to no one and its activities refused.
    suspended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "remote_actors"

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox

    @property
    def acct(self) -> str:
        """``name@host[:port]``, as WebFinger knows the actor: a server on a port of its own
        is another server than one on the same host without it."""
        return f"{self.handle}@{netloc_of(self.uri)}"


class Host(Model):
    """Delivery health per remote host: held back until ``retry_at`` after a failure (then one
    probe at a time), unavailable after days of failure, revived by any success or any inbound
    activity from it."""

    id = fields.IntField(primary_key=True)
    host = fields.CharField(max_length=255, unique=True)
    failing_since = fields.DatetimeField(null=True)
    unavailable = fields.BooleanField(default=False)
    failures = fields.IntField(default=0, db_default=0)
    retry_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "hosts"


class DomainBlock(Model):
    id = fields.IntField(primary_key=True)
    domain = fields.CharField(max_length=255, unique=True)
    severity = fields.CharField(max_length=10, default="suspend")
    reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "domain_blocks"


def host_of(uri: str) -> str:
    """The host name alone: what domain blocks are about."""
    return (urlsplit(uri).hostname or "").lower()


def netloc_of(uri: str) -> str:
    """Host and port: what tells two servers apart (delivery lines, handles)."""
    return urlsplit(uri).netloc.lower()


def _domains_of(uri_or_domain: str) -> list[str]:
    """The host and each parent domain: a block of example.org covers a.example.org."""
    host = host_of(uri_or_domain) if "://" in uri_or_domain else uri_or_domain.lower()
    parts = host.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)] or [host]


async def block_of(uri_or_domain: str) -> DomainBlock | None:
    """The block covering a URI's host or any parent domain of it."""
    return await DomainBlock.filter(domain__in=_domains_of(uri_or_domain)).first()


async def unblocked(uris: list[str]) -> list[str]:
    """``uris`` without those on blocked domains, with one query for the whole list."""
    blocked = set(await DomainBlock.all().values_list("domain", flat=True))
    if not blocked:
        return uris
    return [uri for uri in uris if not blocked.intersection(_domains_of(uri))]


async def mark_host_alive(host: str) -> None:
    """Called on every inbound activity, so it reads first and writes only when needed."""
    failing = Host.filter(host=host, failing_since__not_isnull=True)
    if await failing.exists():
        await failing.update(failing_since=None, unavailable=False, failures=0, retry_at=None)


def now() -> datetime:
    return datetime.now(UTC)


class RemoteMembership(Model):
    """A person of another server in one of our twinnings. Like local memberships, it counts
    only once ``accepted`` (after the twinning's own Accept of their Join)."""

    id = fields.IntField(primary_key=True)
    twinning: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Twinning", related_name="remote_memberships", on_delete=fields.CASCADE
    )
    twinning_id: int
    actor: fields.ForeignKeyRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="memberships", on_delete=fields.CASCADE
    )
    actor_id: int
    state = fields.CharField(max_length=10, default="pending")
    role = fields.CharField(max_length=10, default="member", db_default="member")
    join_uri = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    accepted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "remote_memberships"
        unique_together = (("twinning", "actor"),)

    @property
    def is_moderator(self) -> bool:
        return self.state == "accepted" and self.role in ("admin", "moderator")


class Subscription(Model):
    """One of our people following, or asking to join, a twinning (Group) of another server,
    or following a person there (``kind`` "follow", ``group`` then a Person). Like every
    membership, a join counts only after that twinning's Accept; a follow too."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Account", related_name="subscriptions", on_delete=fields.CASCADE
    )
    account_id: int
    group: fields.ForeignKeyRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="subscribers", on_delete=fields.CASCADE
    )
    group_id: int
    kind = fields.CharField(max_length=6)  # "follow" or "join"
    state = fields.CharField(max_length=10, default="pending")
    activity_uri = fields.CharField(max_length=500, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "subscriptions"
        unique_together = (("account", "group", "kind"),)
