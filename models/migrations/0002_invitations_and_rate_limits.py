from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', db_constraint=True, to_field='id', related_name='invitations_made', on_delete=OnDelete.CASCADE)),
                ('used_by', fields.ForeignKeyField('models.Account', source_field='used_by_id', null=True, db_constraint=True, to_field='id', related_name='invitation_used', on_delete=OnDelete.SET_NULL)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invitations', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A single-use sign-up link made by an admin (registration mode ``invitation``).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateLimit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=200)),
                ('window_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'rate_limits', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
