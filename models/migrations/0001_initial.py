import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Account',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('username', fields.CharField(unique=True, max_length=30)),
                ('display_name', fields.CharField(default='', max_length=100)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('password_hash', fields.CharField(max_length=200)),
                ('locale', fields.CharField(default='', max_length=5)),
                ('role', fields.CharField(default='user', max_length=10)),
                ('state', fields.CharField(default='active', db_index=True, max_length=10)),
                ('bio', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'accounts', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Facet',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner_type', fields.CharField(max_length=12)),
                ('owner_id', fields.IntField()),
                ('facet', fields.CharField(max_length=10)),
                ('value', fields.CharField(max_length=40)),
            ],
            options={'table': 'facets', 'app': 'models', 'indexes': [Index(fields=['facet', 'value', 'owner_type']), Index(fields=['owner_type', 'owner_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Organisation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=30)),
                ('name', fields.CharField(max_length=150)),
                ('country', fields.CharField(max_length=2)),
                ('city', fields.CharField(default='', max_length=100)),
                ('website', fields.CharField(default='', max_length=300)),
                ('languages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fields_of_action', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('description_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', db_constraint=True, to_field='id', related_name='organisations_created', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organisations', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrganisationMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='organisation_memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(default='member', max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'organisation_members', 'app': 'models', 'unique_together': (('organisation', 'account'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Twinning',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=30)),
                ('title_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('summary_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('description_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('primary_language', fields.CharField(default='en', max_length=5)),
                ('fields_of_action', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('countries', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('languages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('phase', fields.CharField(default='identification', db_index=True, max_length=20)),
                ('join_policy', fields.CharField(default='approval', max_length=12)),
                ('licence', fields.CharField(default='CC-BY-SA-4.0', max_length=30)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', db_constraint=True, to_field='id', related_name='twinnings_created', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'twinnings', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(default='update', max_length=12)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', null=True, db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.Account', source_field='author_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('visibility', fields.CharField(max_length=10)),
                ('title_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('content_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('primary_language', fields.CharField(default='en', max_length=5)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'content_items', 'app': 'models', 'indexes': [Index(fields=['twinning_id', 'created_at']), Index(fields=['author_id', 'created_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Audience',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='audience', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=10)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', null=True, db_constraint=True, to_field='id', related_name='audience_rows', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='audience_rows', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'audiences', 'app': 'models', 'indexes': [Index(fields=['kind', 'twinning_id']), Index(fields=['account_id']), Index(fields=['item_id'])], 'pk_attr': 'id', 'table_description': 'Who an item is addressed to: everyone (``public``), the accepted members of a twinning'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(default='member', max_length=10)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'memberships', 'app': 'models', 'unique_together': (('twinning', 'account'),), 'indexes': [Index(fields=['account_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TwinningPartner',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', db_constraint=True, to_field='id', related_name='partners', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='twinnings', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'twinning_partners', 'app': 'models', 'unique_together': (('twinning', 'organisation'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
