from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_periodic_mail')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InstancePage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=20)),
                ('content_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_by', fields.ForeignKeyField('models.Account', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='pages_edited', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'instance_pages', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
