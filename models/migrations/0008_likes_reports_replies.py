from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_subscriptions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Like',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='likes', on_delete=OnDelete.CASCADE)),
                ('actor_uri', fields.CharField(max_length=500)),
                ('activity_uri', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'likes', 'app': 'models', 'unique_together': (('item', 'actor_uri'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reporter_uri', fields.CharField(max_length=500)),
                ('activity_uri', fields.CharField(unique=True, max_length=500)),
                ('targets', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('comment', fields.TextField(default='', unique=False)),
                ('resolved', fields.BooleanField(default=False, db_index=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reports', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A Flag from another server, for the admins: who reported, what, and why.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ContentItem',
            name='in_reply_to',
            field=fields.ForeignKeyField('models.ContentItem', source_field='in_reply_to_id', null=True, db_constraint=True, to_field='id', related_name='replies', on_delete=OnDelete.CASCADE),
        ),
    ]
