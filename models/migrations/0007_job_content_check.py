from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0006_moderation')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Job',
            name='content_check',
            field=fields.CharField(default='', db_index=True, max_length=8),
        ),
    ]
