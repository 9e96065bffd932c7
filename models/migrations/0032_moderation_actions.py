from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0031_evaluations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='silenced_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='RemoteActor',
            name='silenced_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Report',
            name='forwarded',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Notification',
            name='note',
            field=fields.TextField(default='', db_default=SqlDefault("''")),
        ),
        ops.AddField(
            model_name='ModerationEntry',
            name='mail_to',
            field=fields.ForeignKeyField('models.Account', source_field='mail_to_id', null=True, db_constraint=True, to_field='id', related_name='warnings_to_mail', on_delete=OnDelete.SET_NULL),
        ),
    ]
