from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0029_moderation_reports_and_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScheduledStatus',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='scheduled_statuses', on_delete=OnDelete.CASCADE)),
                ('scheduled_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('failed_reason', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'scheduled_statuses', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
