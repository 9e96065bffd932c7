from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0024_picture_meta')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='timezone',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=64),
        ),
    ]
