from tortoise import migrations

from models.public_changes import watching
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Public task lists show on public pages: their tables are watched by the shared caches.
WATCHED = ["task_lists", "tasks", "task_templates"]


class Migration(migrations.Migration):
    dependencies = [('models', '0037_programmes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TaskList',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('twinning', fields.ForeignKeyField('models.Twinning', source_field='twinning_id', null=True, db_constraint=True, to_field='id', related_name='task_lists', on_delete=OnDelete.CASCADE)),
                ('remote_group', fields.ForeignKeyField('models.RemoteActor', source_field='remote_group_id', null=True, db_constraint=True, to_field='id', related_name='task_lists', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(null=True, unique=True, max_length=500)),
                ('phase', fields.CharField(max_length=20)),
                ('title', fields.CharField(max_length=200)),
                ('visibility', fields.CharField(default='partners', max_length=10)),
                ('created_by', fields.ForeignKeyField('models.Account', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='task_lists', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'task_lists', 'app': 'models', 'indexes': [Index(fields=['twinning_id', 'phase'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Task',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('task_list', fields.ForeignKeyField('models.TaskList', source_field='task_list_id', db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.CASCADE)),
                ('uri', fields.CharField(null=True, unique=True, max_length=500)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('assignee', fields.ForeignKeyField('models.Account', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='tasks', on_delete=OnDelete.SET_NULL)),
                ('assignee_uri', fields.CharField(default='', max_length=500)),
                ('assignee_name', fields.CharField(default='', max_length=200)),
                ('due_on', fields.DateField(null=True)),
                ('done', fields.BooleanField(default=False)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_on', fields.DateField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tasks', 'app': 'models', 'indexes': [Index(fields=['assignee_id', 'done']), Index(fields=['due_on', 'done'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TaskTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phase', fields.CharField(max_length=20)),
                ('language', fields.CharField(max_length=5)),
                ('titles', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'task_templates', 'app': 'models', 'unique_together': (('phase', 'language'),), 'pk_attr': 'id', 'table_description': "An admin's version of one phase's tasks in one language (replacing the default)."},
            bases=['Model'],
        ),
        ops.RunPython(*watching(WATCHED)),
    ]
