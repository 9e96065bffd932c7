"""Signing keys of our actors (people, twinnings, organisations and the instance actor).

Keys are made when first needed, so actors created before federation existed get one too."""

from __future__ import annotations

from tortoise import fields
from tortoise.exceptions import IntegrityError
from tortoise.models import Model

ACTOR_TYPES = ("person", "twinning", "organisation", "instance")


class ActorKey(Model):
    id = fields.IntField(primary_key=True)
    actor_type = fields.CharField(max_length=12)
    actor_id = fields.IntField()
    public_pem = fields.TextField()
    private_pem = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "actor_keys"
        unique_together = (("actor_type", "actor_id"),)


async def stored_key(actor_type: str, actor_id: int) -> ActorKey | None:
    return await ActorKey.get_or_none(actor_type=actor_type, actor_id=actor_id)


async def keep_key(actor_type: str, actor_id: int, public_pem: str, private_pem: str) -> ActorKey:
    """Stores a new key unless another process stored one first; the stored key wins."""
    try:
        return await ActorKey.create(
            actor_type=actor_type,
            actor_id=actor_id,
            public_pem=public_pem,
            private_pem=private_pem,
        )
    except IntegrityError:
        return await ActorKey.get(actor_type=actor_type, actor_id=actor_id)
