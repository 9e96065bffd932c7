from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0033_public_generation')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MailPreference',
            name='hard_bounces',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='MailPreference',
            name='stopped_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.CreateModel(
            name='InboundMail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('message_id', fields.CharField(max_length=255)),
                ('recipient', fields.CharField(max_length=320)),
                ('envelope_from', fields.CharField(default='', max_length=320)),
                ('source', fields.TextField(unique=False)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('processed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(default='', max_length=10)),
                ('detail', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'inbound_mails', 'app': 'models', 'unique_together': (('message_id', 'recipient'),), 'indexes': [Index(fields=['processed_at', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailRefusal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('address', fields.CharField(max_length=320)),
                ('day', fields.CharField(max_length=10)),
            ],
            options={'table': 'mail_refusals', 'app': 'models', 'unique_together': (('address', 'day'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
