from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0014_mail')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MailPreference',
            name='last_periodic_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='MailPreference',
            name='periodic',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=8),
        ),
    ]
