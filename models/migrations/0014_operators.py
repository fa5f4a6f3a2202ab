"""The console's operator accounts (models.operator.Operator): a table of its own, created whole."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0013_hot_search_rules')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Operator',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=32, unique=True)),
                ('role', fields.CharField(max_length=16)),
                ('password_hash', fields.CharField(max_length=255)),
                ('totp_secret', fields.CharField(max_length=64, null=True)),
                ('disabled_at', fields.DatetimeField(auto_now=False, auto_now_add=False, null=True)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'operators', 'app': 'models', 'pk_attr': 'id',
                     'table_description': 'The operators of the console.'},
            bases=['Model'],
        ),
    ]
