from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.db_defaults import SqlDefault
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0022_seen_markers')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Delivery',
            name='claimed_by',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=300),
        ),
        ops.AlterModelOptions(
            name='Host',
            options={'table': 'hosts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Delivery health per remote host: held back until ``retry_at`` after a failure (then one'},
        ),
        ops.AddField(
            model_name='Host',
            name='failures',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Host',
            name='retry_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='InboxActivity',
            name='claimed_by',
            field=fields.CharField(default='', db_default=SqlDefault("''"), max_length=300),
        ),
    ]
