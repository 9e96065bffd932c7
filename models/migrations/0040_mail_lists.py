from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0039_polls")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MailListChoice",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "account",
                    fields.ForeignKeyField(
                        "models.Account",
                        source_field="account_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="mail_list_choices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "twinning",
                    fields.ForeignKeyField(
                        "models.Twinning",
                        source_field="twinning_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mail_list_choices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "group",
                    fields.ForeignKeyField(
                        "models.RemoteActor",
                        source_field="group_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mail_list_choices",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("mode", fields.CharField(default="", max_length=8)),
                ("started", fields.CharField(default="partners", max_length=10)),
            ],
            options={
                "table": "mail_list_choices",
                "app": "models",
                "unique_together": (("account", "twinning"), ("account", "group")),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
