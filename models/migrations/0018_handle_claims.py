from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_nested_answers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HandleClaim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('handle', fields.CharField(unique=True, max_length=30)),
                ('kind', fields.CharField(max_length=12)),
            ],
            options={'table': 'handles', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # Every handle already taken, so that the table is the whole namespace from now on.
        ops.RunSQL(
            [
                "INSERT INTO handles (handle, kind) SELECT username, 'person' FROM accounts",
                "INSERT INTO handles (handle, kind) SELECT slug, 'organisation' FROM organisations",
                "INSERT INTO handles (handle, kind) SELECT slug, 'twinning' FROM twinnings",
            ],
            reverse_sql=["DELETE FROM handles"],
        ),
    ]
