from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_federation_queues')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RemoteMembership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', db_constraint=True, to_field='id', related_name='remote_memberships', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.RemoteActor', source_field='actor_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('join_uri', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'remote_memberships', 'app': 'models', 'unique_together': (('twinning', 'actor'),), 'pk_attr': 'id', 'table_description': 'A person of another server in one of our twinnings. Like local memberships, it counts'},
            bases=['Model'],
        ),
    ]
