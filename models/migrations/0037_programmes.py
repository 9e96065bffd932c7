from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

from models.public_changes import watching

# Programme pages and actor documents are public: their tables empty the public caches.
WATCHED = ["programmes", "programme_twinnings"]


class Migration(migrations.Migration):
    dependencies = [('models', '0036_mutes_blocks_filters')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Programme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=30)),
                ('title_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('description_map', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('starts_on', fields.DateField(null=True)),
                ('ends_on', fields.DateField(null=True)),
                ('languages', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', null=True, db_constraint=True, to_field='id', related_name='programmes', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', db_constraint=True, to_field='id', related_name='programmes_created', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'programmes', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProgrammeTwinning',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('programme', fields.ForeignKeyField('models.Programme', source_field='programme_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', null=True, db_constraint=True, to_field='id', related_name='programme_entries', on_delete=OnDelete.CASCADE)),
                ('remote', fields.ForeignKeyField('models.RemoteActor', source_field='remote_id', null=True, db_constraint=True, to_field='id', related_name='programme_entries', on_delete=OnDelete.CASCADE)),
                ('snapshot', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fetched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'programme_twinnings', 'app': 'models', 'unique_together': (('programme', 'twinning'), ('programme', 'remote')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(*watching(WATCHED)),
    ]
