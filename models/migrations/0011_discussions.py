from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_meetings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DiscussionRead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='discussions_read', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='readers', on_delete=OnDelete.CASCADE)),
                ('seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'discussion_reads', 'app': 'models', 'unique_together': (('account', 'item'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
