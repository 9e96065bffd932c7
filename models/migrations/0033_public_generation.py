from tortoise import migrations
from tortoise.migrations import operations as ops

from models.public_changes import TABLE, create_sql, watch_sql

# Every table a public page or document shows (the others are models.public_changes.UNSEEN_TABLES).
WATCHED = [
    "accounts", "actor_keys", "attendances", "audiences", "content_items", "domain_blocks",
    "evaluations", "event_details", "facets", "follows", "handles", "instance_pages", "item_revisions", "likes",
    "local_follows", "media_files", "memberships", "organisation_members", "organisations",
    "phase_changes", "reblogs", "remote_actors", "remote_memberships", "resource_details",
    "subscriptions", "translation_requests", "translator_pairs", "twinning_partners", "twinnings",
]


async def create(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    for statement in create_sql(dialect):
        await client.execute_script(statement)
    for table in WATCHED:
        for statement in watch_sql(dialect, table):
            await client.execute_script(statement)


async def drop(apps, schema_editor) -> None:
    client = schema_editor.client
    dialect = client.capabilities.dialect
    if dialect == "postgres":
        await client.execute_script(f"DROP TABLE {TABLE}")
        await client.execute_script("DROP FUNCTION bump_public_generation() CASCADE")
        return
    for table in WATCHED:
        for event in ("insert", "update", "delete"):
            await client.execute_script(f"DROP TRIGGER {table}_public_{event}")
    await client.execute_script(f"DROP TABLE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [('models', '0032_moderation_actions')]

    initial = False

    operations = [ops.RunPython(create, drop)]
