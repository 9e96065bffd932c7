"""The two persistent queues of federation: activities received (processed by a worker after
the inbox answered 202) and deliveries to send (claimed, sent, retried with backoff). A claimed
row names the worker holding it (``claimed_by``, see ``federation.leases``)."""

from __future__ import annotations

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model


class InboxActivity(Model):
    id = fields.IntField(primary_key=True)
    activity_uri = fields.CharField(max_length=500, unique=True)
    actor_uri = fields.CharField(max_length=500)
    payload = fields.TextField()
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True, db_index=True)
    attempts = fields.IntField(default=0)
    claimed_until = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=300, default="", db_default=SqlDefault("''"))
    last_error = fields.TextField(default="")

    class Meta:
        table = "inbox_activities"


class Delivery(Model):
    """One activity to one inbox. Rows of one host are sent in id order."""

    id = fields.IntField(primary_key=True)
    activity_uri = fields.CharField(max_length=500)
    payload = fields.TextField()
    inbox_url = fields.CharField(max_length=500)
    host = fields.CharField(max_length=255)
    signer_type = fields.CharField(max_length=12)
    signer_id = fields.IntField()
    signer_key_id = fields.CharField(max_length=500)
    state = fields.CharField(max_length=10, default="pending")
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    claim_token = fields.CharField(max_length=40, default="", db_index=True)
    claimed_by = fields.CharField(max_length=300, default="", db_default=SqlDefault("''"))
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "deliveries"
        unique_together = (("activity_uri", "inbox_url"),)
        indexes = (("state", "next_attempt_at"), ("host", "state"))
