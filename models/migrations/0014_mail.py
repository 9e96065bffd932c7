from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_machine_translations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MailNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.ForeignKeyField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='mail_notices', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('models.ContentItem', source_field='item_id', db_constraint=True, to_field='id', related_name='mail_notices', on_delete=OnDelete.CASCADE)),
                ('mode', fields.CharField(max_length=8)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_notices', 'app': 'models', 'indexes': [Index(fields=['sent_at', 'mode'])], 'pk_attr': 'id', 'table_description': 'One message one member is to hear of, alone (``each``) or in a digest (``daily``).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('account', fields.OneToOneField('models.Account', source_field='account_id', db_constraint=True, to_field='id', related_name='mail_preference', on_delete=OnDelete.CASCADE)),
                ('mode', fields.CharField(default='off', max_length=8)),
                ('last_digest_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_preferences', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
