from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_instance_pages')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ContentItem',
            name='parent',
            field=fields.ForeignKeyField('models.ContentItem', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.SET_NULL),
        ),
    ]
