from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0007_job_content_check')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ImageCheck',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=128)),
                ('url', fields.CharField(max_length=512)),
                ('user_id', fields.BigIntField()),
                ('trace_id', fields.CharField(null=True, unique=True, max_length=64)),
                ('verdict', fields.CharField(default='', max_length=8)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'image_checks', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An uploaded image submitted to the WeChat media check, and the verdict its push brought.'},
            bases=['Model'],
        ),
    ]
