from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0025_time_account_timezone')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TranslationRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='translation_requests', on_delete=OnDelete.CASCADE)),
                ('language', fields.CharField(max_length=5)),
                ('requester', fields.ForeignKeyField('models.Account', source_field='requester_id', db_constraint=True, to_field='id', related_name='translation_requests', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharField(default='open', db_index=True, max_length=8)),
                ('translator', fields.ForeignKeyField('models.Account', source_field='translator_id', null=True, db_constraint=True, to_field='id', related_name='translations_answered', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'translation_requests', 'app': 'models', 'unique_together': (('item', 'language'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TranslatorPair',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='translator_pairs', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(max_length=5)),
                ('target', fields.CharField(db_index=True, max_length=5)),
            ],
            options={'table': 'translator_pairs', 'app': 'models', 'unique_together': (('account', 'source', 'target'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ContentItem',
            name='translators',
            field=fields.JSONField(default=dict, db_default=SqlDefault("'{}'"), encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
