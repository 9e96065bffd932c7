from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0019_happenings')]

    initial = False

    operations = [
        ops.AddField(
            model_name='RemoteMembership',
            name='role',
            field=fields.CharField(default='member', db_default='member', max_length=10),
        ),
    ]
