from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0026_translation_requests')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='avatar',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=40),
        ),
        ops.AddField(
            model_name='Organisation',
            name='logo',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=40),
        ),
        ops.AddField(
            model_name='Twinning',
            name='picture',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=40),
        ),
        ops.AddField(
            model_name='RemoteActor',
            name='icon_uri',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=500),
        ),
        ops.AddField(
            model_name='RemoteActor',
            name='icon',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=40),
        ),
    ]
