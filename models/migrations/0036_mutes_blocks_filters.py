from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0035_remote_suspension')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountBlock',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='blocks', on_delete=OnDelete.CASCADE)),
                ('target_account', fields.ForeignKeyField('models.Account', source_field='target_account_id', null=True, db_constraint=True, to_field='id', related_name='blocked_by', on_delete=OnDelete.CASCADE)),
                ('target_remote', fields.ForeignKeyField('models.RemoteActor', source_field='target_remote_id', null=True, db_constraint=True, to_field='id', related_name='blocked_by', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_blocks', 'app': 'models', 'unique_together': (('account', 'target_account'), ('account', 'target_remote')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccountMute',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='mutes', on_delete=OnDelete.CASCADE)),
                ('target_account', fields.ForeignKeyField('models.Account', source_field='target_account_id', null=True, db_constraint=True, to_field='id', related_name='muted_by', on_delete=OnDelete.CASCADE)),
                ('target_remote', fields.ForeignKeyField('models.RemoteActor', source_field='target_remote_id', null=True, db_constraint=True, to_field='id', related_name='muted_by', on_delete=OnDelete.CASCADE)),
                ('notifications', fields.BooleanField(default=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_mutes', 'app': 'models', 'unique_together': (('account', 'target_account'), ('account', 'target_remote')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Filter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='filters', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('context', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('action', fields.CharField(default='warn', max_length=5)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'filters', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FilterKeyword',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule', fields.ForeignKeyField('models.Filter', source_field='rule_id', db_constraint=True, to_field='id', related_name='keywords', on_delete=OnDelete.CASCADE)),
                ('keyword', fields.CharField(max_length=100)),
                ('whole_word', fields.BooleanField(default=True)),
            ],
            options={'table': 'filter_keywords', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FilterStatus',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rule', fields.ForeignKeyField('models.Filter', source_field='rule_id', db_constraint=True, to_field='id', related_name='statuses', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='filtered_by', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'filter_statuses', 'app': 'models', 'unique_together': (('rule', 'item'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonalDomainBlock',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='domain_blocks', on_delete=OnDelete.CASCADE)),
                ('domain', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'personal_domain_blocks', 'app': 'models', 'unique_together': (('account', 'domain'),), 'pk_attr': 'id', 'table_description': "A server one person no longer wants to hear from (the instance's own domain blocks,"},
            bases=['Model'],
        ),
    ]
