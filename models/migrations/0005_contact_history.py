from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0004_orders_and_vouchers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContactHistory',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('purpose_type', fields.SmallIntField(default=1)),
                ('purpose_id', fields.BigIntField()),
                ('biz_type', fields.SmallIntField()),
                ('owner_id', fields.BigIntField()),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact_history', 'app': 'models', 'unique_together': (('user_id', 'purpose_type', 'purpose_id'),), 'indexes': [Index(fields=['user_id', 'biz_type', 'create_at']), Index(fields=['owner_id', 'biz_type', 'create_at'])], 'pk_attr': 'id', 'table_description': 'A contact of a posting by a user.'},
            bases=['Model'],
        ),
    ]
