from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0028_phase_history')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Report',
            name='reporter',
            field=fields.ForeignKeyField('models.Account', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name='reports_made', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Report',
            name='reason',
            field=fields.CharField(default='other', db_default=SqlDefault("'other'"), max_length=20),
        ),
        ops.AddField(
            model_name='Report',
            name='item',
            field=fields.ForeignKeyField('models.ContentItem', source_field='item_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Report',
            name='account',
            field=fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='reports_against', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Report',
            name='twinning',
            field=fields.ForeignKeyField('models.Twinning', source_field='twinning_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Report',
            name='outcome',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=20),
        ),
        ops.AddField(
            model_name='Notification',
            name='report',
            field=fields.ForeignKeyField('models.Report', source_field='report_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE),
        ),
        ops.CreateModel(
            name='ModerationEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.Account', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='moderation_done', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=20)),
                ('report', fields.ForeignKeyField('models.Report', source_field='report_id', null=True, db_constraint=True, to_field='id', related_name='log', on_delete=OnDelete.SET_NULL)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', null=True, db_constraint=True, to_field='id', related_name='moderation_log', on_delete=OnDelete.SET_NULL)),
                ('target', fields.CharField(max_length=500, default='')),
                ('reason', fields.CharField(max_length=20, default='')),
                ('note', fields.TextField(default='')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'moderation_log', 'app': 'models', 'indexes': [Index(fields=['twinning_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
