from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_discussions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ResourceDetails',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.OneToOneField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='resource', on_delete=OnDelete.CASCADE)),
                ('resource_kind', fields.CharField(db_index=True, max_length=16)),
                ('url', fields.CharField(default='', max_length=500)),
                ('authors', fields.CharField(default='', max_length=300)),
                ('year', fields.IntField(null=True)),
                ('publisher', fields.CharField(default='', max_length=300)),
                ('language', fields.CharField(default='', max_length=5)),
                ('licence', fields.CharField(default='CC-BY-SA-4.0', max_length=30)),
                ('fields_of_action', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('folder', fields.CharField(default='', db_index=True, max_length=100)),
            ],
            options={'table': 'resource_details', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='MediaFile',
            name='media_type',
            field=fields.CharField(max_length=100),
        ),
    ]
