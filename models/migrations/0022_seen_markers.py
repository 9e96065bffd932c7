from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0021_mention_tags')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SeenMarker',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='seen_markers', on_delete=OnDelete.CASCADE)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', db_constraint=True, to_field='id', related_name='seen_markers', on_delete=OnDelete.CASCADE)),
                ('space', fields.CharField(max_length=12)),
                ('seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'seen_markers', 'app': 'models', 'unique_together': (('account', 'twinning', 'space'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
