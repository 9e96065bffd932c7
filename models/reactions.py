"""What people of other servers do with our content and actors: likes and reports (Flag)."""

from __future__ import annotations

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
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
    """A report for the moderators: a Flag from another server (``reporter_uri``, targets by
    address) or one of our people's (``reporter``, the item or account they reported). Open
    until someone acts on it (``resolved``, with the ``outcome``)."""

    id = fields.IntField(primary_key=True)
    reporter_uri = fields.CharField(max_length=500)
    activity_uri = fields.CharField(max_length=500, unique=True)
    targets: fields.JSONField[list[str]] = fields.JSONField(default=list)
    comment = fields.TextField(default="")
    resolved = fields.BooleanField(default=False, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    reporter: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="reports_made", null=True, on_delete=fields.CASCADE
    )
    reporter_id: int | None
    reason = fields.CharField(max_length=20, default="other", db_default=SqlDefault("'other'"))
    item: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.ContentItem", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    item_id: int | None
    account: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="reports_against", null=True, on_delete=fields.SET_NULL
    )
    account_id: int | None
    # The twinning the reported item belongs to: its moderators see the report too.
    twinning: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Twinning", related_name="reports", null=True, on_delete=fields.SET_NULL
    )
    twinning_id: int | None
    outcome = fields.CharField(max_length=20, default="", db_default=SqlDefault("''"))
    # Sent on to the reported actor's server as a Flag.
    forwarded = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "reports"
