from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_remote_content')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Subscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='subscriptions', on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('models.RemoteActor', source_field='group_id', db_constraint=True, to_field='id', related_name='subscribers', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=6)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('activity_uri', fields.CharField(unique=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'subscriptions', 'app': 'models', 'unique_together': (('account', 'group', 'kind'),), 'pk_attr': 'id', 'table_description': 'One of our people following, or asking to join, a twinning (Group) of another server.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ContentItem',
            name='remote_twinning',
            field=fields.ForeignKeyField('models.RemoteActor', source_field='remote_twinning_id', null=True, db_constraint=True, to_field='id', related_name='group_items', on_delete=OnDelete.CASCADE),
        ),
    ]
