from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields



async def _foreign_keys(schema_editor, state: str) -> None:
    # tortoise-orm 1.1 rebuilds a SQLite table to make a column nullable, and dropping the old
    # table with foreign keys on cascades into every referencing row (here: all audiences).
    # SQLite's documented procedure is to turn foreign keys off around the rebuild, which only
    # works outside a transaction, hence atomic = False.
    if schema_editor.DIALECT == "sqlite":
        await schema_editor.client.execute_script(f"PRAGMA foreign_keys={state}")


async def foreign_keys_off(apps, schema_editor) -> None:
    await _foreign_keys(schema_editor, "OFF")


async def foreign_keys_on(apps, schema_editor) -> None:
    await _foreign_keys(schema_editor, "ON")


class Migration(migrations.Migration):
    dependencies = [('models', '0005_remote_memberships')]

    initial = False
    atomic = False

    operations = [
        ops.RunPython(foreign_keys_off, foreign_keys_on),
        ops.AlterField(
            model_name='ContentItem',
            name='author',
            field=fields.ForeignKeyField('models.Account', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='ContentItem',
            name='content_format',
            field=fields.CharField(default='markdown', db_default='markdown', max_length=10),
        ),
        ops.AddField(
            model_name='ContentItem',
            name='remote_author',
            field=fields.ForeignKeyField('models.RemoteActor', source_field='remote_author_id', null=True, db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='ContentItem',
            name='uri',
            field=fields.CharField(null=True, unique=True, max_length=500),
        ),
        ops.RunPython(foreign_keys_on, foreign_keys_off),
    ]
