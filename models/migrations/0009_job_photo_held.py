from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0008_image_checks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Job',
            name='photo_held',
            field=fields.BooleanField(default=False),
        ),
    ]
