"""Follows of our actors by remote actors. Followers of a twinning are its public audience, not
its members (DESIGN.md section 2)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.remote import RemoteActor


class Follow(Model):
    id = fields.IntField(primary_key=True)
    follower: fields.ForeignKeyRelation[RemoteActor] = fields.ForeignKeyField(
        "models.RemoteActor", related_name="follows", on_delete=fields.CASCADE
    )
    follower_id: int
    target_type = fields.CharField(max_length=12)
    target_id = fields.IntField()
    state = fields.CharField(max_length=10, default="accepted")
    activity_uri = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follows"
        unique_together = (("follower", "target_type", "target_id"),)
        indexes = (("target_type", "target_id", "state"),)


async def follower_inboxes(target_type: str, target_id: int) -> list[str]:
    """Deduplicated delivery inboxes (shared inbox when the server has one)."""
    rows = await Follow.filter(
        target_type=target_type, target_id=target_id, state="accepted"
    ).prefetch_related("follower")
    return sorted({row.follower.delivery_inbox for row in rows})
