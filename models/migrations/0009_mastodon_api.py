from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.fields.db_defaults import SqlDefault

class Migration(migrations.Migration):
    dependencies = [('models', '0008_likes_reports_replies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Bookmark',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='bookmarks', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='bookmarks', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'bookmarks', 'app': 'models', 'unique_together': (('account', 'item'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='idempotency_keys', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=100)),
                ('item_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idempotency_keys', 'app': 'models', 'unique_together': (('account', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ItemRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('title_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('content_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('spoiler_text', fields.CharField(default='', max_length=500)),
                ('sensitive', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'item_revisions', 'app': 'models', 'indexes': [Index(fields=['item_id'])], 'pk_attr': 'id', 'table_description': "An item's texts before an edit, for Mastodon's edit history."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LocalFollow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='local_follows', on_delete=OnDelete.CASCADE)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'local_follows', 'app': 'models', 'unique_together': (('account', 'target_type', 'target_id'),), 'indexes': [Index(fields=['target_type', 'target_id'])], 'pk_attr': 'id', 'table_description': 'One of our people following a person, twinning or organisation of this instance: the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Marker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='markers', on_delete=OnDelete.CASCADE)),
                ('timeline', fields.CharField(max_length=16)),
                ('last_read_id', fields.CharField(max_length=30)),
                ('version', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'markers', 'app': 'models', 'unique_together': (('account', 'timeline'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MediaFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='media', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', null=True, db_constraint=True, to_field='id', related_name='media', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('media_type', fields.CharField(max_length=40)),
                ('kind', fields.CharField(max_length=10)),
                ('size', fields.IntField()),
                ('description', fields.CharField(default='', max_length=1500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'media_files', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('from_account', fields.ForeignKeyField('models.Account', source_field='from_account_id', null=True, db_constraint=True, to_field='id', related_name='notifications_caused', on_delete=OnDelete.CASCADE)),
                ('from_remote', fields.ForeignKeyField('models.RemoteActor', source_field='from_remote_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', null=True, db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notifications', 'app': 'models', 'indexes': [Index(fields=['account_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OAuthApp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('website', fields.CharField(default='', max_length=300)),
                ('client_id', fields.CharField(unique=True, max_length=64)),
                ('secret_digest', fields.CharField(max_length=64)),
                ('redirect_uris', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('scopes', fields.CharField(default='read', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'oauth_apps', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OAuthCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('app', fields.ForeignKeyField('models.OAuthApp', source_field='app_id', db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='oauth_codes', on_delete=OnDelete.CASCADE)),
                ('redirect_uri', fields.CharField(max_length=500)),
                ('scopes', fields.CharField(max_length=500)),
                ('challenge', fields.CharField(default='', max_length=128)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oauth_codes', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OAuthToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('digest', fields.CharField(unique=True, max_length=64)),
                ('refresh_digest', fields.CharField(unique=True, max_length=64)),
                ('app', fields.ForeignKeyField('models.OAuthApp', source_field='app_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='oauth_tokens', on_delete=OnDelete.CASCADE)),
                ('scopes', fields.CharField(max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oauth_tokens', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token (``account`` is empty for app-only client_credentials tokens).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reblog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='reblogs', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='reblogs', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reblogs', 'app': 'models', 'unique_together': (('account', 'item'),), 'pk_attr': 'id', 'table_description': "One of our people re-sharing a public item (Mastodon's reblog, ActivityPub's Announce)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ContentItem',
            name='sensitive',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ContentItem',
            name='spoiler_text',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=500),
        ),
        ops.AddField(
            model_name='Like',
            name='account',
            field=fields.ForeignKeyField('models.Account', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name='likes', on_delete=OnDelete.CASCADE),
        ),
    ]
