from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_actor_keys')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity_uri', fields.CharField(max_length=500)),
                ('payload', fields.TextField(unique=False)),
                ('inbox_url', fields.CharField(max_length=500)),
                ('host', fields.CharField(max_length=255)),
                ('signer_type', fields.CharField(max_length=12)),
                ('signer_id', fields.IntField()),
                ('signer_key_id', fields.CharField(max_length=500)),
                ('state', fields.CharField(default='pending', max_length=10)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claim_token', fields.CharField(default='', db_index=True, max_length=40)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'deliveries', 'app': 'models', 'unique_together': (('activity_uri', 'inbox_url'),), 'indexes': [Index(fields=['state', 'next_attempt_at']), Index(fields=['host', 'state'])], 'pk_attr': 'id', 'table_description': 'One activity to one inbox. Rows of one host are sent in id order.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DomainBlock',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('domain', fields.CharField(unique=True, max_length=255)),
                ('severity', fields.CharField(default='suspend', max_length=10)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'domain_blocks', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Host',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('host', fields.CharField(unique=True, max_length=255)),
                ('failing_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('unavailable', fields.BooleanField(default=False)),
            ],
            options={'table': 'hosts', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Delivery health per remote host: unavailable after days of failure, revived by any'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxActivity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity_uri', fields.CharField(unique=True, max_length=500)),
                ('actor_uri', fields.CharField(max_length=500)),
                ('payload', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('processed_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'inbox_activities', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RemoteActor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('uri', fields.CharField(unique=True, max_length=500)),
                ('actor_type', fields.CharField(max_length=20)),
                ('handle', fields.CharField(default='', max_length=100)),
                ('domain', fields.CharField(db_index=True, max_length=255)),
                ('name', fields.CharField(default='', max_length=200)),
                ('url', fields.CharField(default='', max_length=500)),
                ('inbox', fields.CharField(max_length=500)),
                ('shared_inbox', fields.CharField(default='', max_length=500)),
                ('key_id', fields.CharField(default='', db_index=True, max_length=500)),
                ('public_key_pem', fields.TextField(default='', unique=False)),
                ('fetched_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'remote_actors', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('follower', fields.ForeignKeyField('models.RemoteActor', source_field='follower_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('target_type', fields.CharField(max_length=12)),
                ('target_id', fields.IntField()),
                ('state', fields.CharField(default='accepted', max_length=10)),
                ('activity_uri', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'follows', 'app': 'models', 'unique_together': (('follower', 'target_type', 'target_id'),), 'indexes': [Index(fields=['target_type', 'target_id', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
