from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0027_faces_pictures')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PhaseChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', db_constraint=True, to_field='id', related_name='phase_changes', on_delete=OnDelete.CASCADE)),
                ('phase', fields.CharField(max_length=20)),
                ('entered_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('by', fields.ForeignKeyField('models.Account', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='phase_changes', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'phase_changes', 'app': 'models', 'indexes': [Index(fields=['twinning_id', 'entered_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # Every twinning entered its present phase when it was made, as far as anyone knows.
        ops.RunSQL(
            [
                "INSERT INTO phase_changes (twinning_id, phase, entered_at, by_id) "
                "SELECT id, phase, created_at, created_by_id FROM twinnings",
            ],
            reverse_sql=["DELETE FROM phase_changes"],
        ),
    ]
