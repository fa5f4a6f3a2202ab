from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('openid', fields.CharField(unique=True, max_length=64)),
                ('unionid', fields.CharField(null=True, max_length=64)),
                ('phone', fields.CharField(default='', max_length=20)),
                ('name', fields.CharField(default='', max_length=32)),
                ('avatar', fields.CharField(default='', max_length=512)),
                ('sex', fields.SmallIntField(default=0)),
                ('inviter_id', fields.BigIntField(null=True)),
                ('first_area_id', fields.BigIntField(null=True)),
                ('second_area_id', fields.BigIntField(null=True)),
                ('third_area_id', fields.BigIntField(null=True)),
                ('address', fields.CharField(default='', max_length=255)),
                ('longitude', fields.DecimalField(null=True, max_digits=10, decimal_places=6)),
                ('latitude', fields.DecimalField(null=True, max_digits=10, decimal_places=6)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'users', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A mini-program user: worker, employer, or both.'},
            bases=['Model'],
        ),
    ]
