"""What people of other servers do with our content and actors: likes and reports (Flag)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Like(Model):
    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.ContentItem", related_name="likes", on_delete=fields.CASCADE
    )
    item_id: int
    actor_uri = fields.CharField(max_length=500)
    # Set when the like is one of our people's (from a Mastodon app).
    account: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="likes", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None
    activity_uri = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "likes"
        unique_together = (("item", "actor_uri"),)


class Report(Model):
    """A Flag from another server, for the admins: who reported, what, and why."""

    id = fields.IntField(primary_key=True)
    reporter_uri = fields.CharField(max_length=500)
    activity_uri = fields.CharField(max_length=500, unique=True)
    targets: fields.JSONField[list[str]] = fields.JSONField(default=list)
    comment = fields.TextField(default="")
    resolved = fields.BooleanField(default=False, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reports"
