from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0023_delivery_leases_and_host_backoff')]

    initial = False

    operations = [
        ops.AddField(
            model_name='MediaFile',
            name='blurhash',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='MediaFile',
            name='height',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='MediaFile',
            name='preview_height',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='MediaFile',
            name='preview_name',
            field=fields.CharField(null=True, unique=True, max_length=64),
        ),
        ops.AddField(
            model_name='MediaFile',
            name='preview_width',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='MediaFile',
            name='width',
            field=fields.IntField(null=True),
        ),
    ]
