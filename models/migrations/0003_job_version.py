from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0002_jobs')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Job',
            name='version',
            field=fields.BigIntField(default=1),
        ),
    ]
