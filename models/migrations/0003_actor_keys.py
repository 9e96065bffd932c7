from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_invitations_and_rate_limits')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ActorKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor_type', fields.CharField(max_length=12)),
                ('actor_id', fields.IntField()),
                ('public_pem', fields.TextField(unique=False)),
                ('private_pem', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'actor_keys', 'app': 'models', 'unique_together': (('actor_type', 'actor_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
