from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0003_job_version')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order_no', fields.CharField(unique=True, max_length=32)),
                ('kind', fields.CharField(max_length=16)),
                ('user_id', fields.BigIntField()),
                ('job_id', fields.BigIntField(null=True)),
                ('top_hours', fields.IntField(null=True)),
                ('voucher_count', fields.IntField(null=True)),
                ('amount_fen', fields.IntField()),
                ('status', fields.CharField(default='created', max_length=8)),
                ('prepay_id', fields.CharField(null=True, max_length=64)),
                ('transaction_id', fields.CharField(null=True, unique=True, max_length=32)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('settled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('close_reason', fields.CharField(default='', max_length=64)),
                ('expire_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'orders', 'app': 'models', 'indexes': [Index(fields=['status', 'create_at']), Index(fields=['user_id', 'create_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoucherAccount',
            fields=[
                ('user_id', fields.BigIntField(primary_key=True, generated=False, unique=True, db_index=True)),
                ('balance', fields.IntField(default=0)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact_voucher_accounts', 'app': 'models', 'pk_attr': 'user_id', 'table_description': 'A contact voucher balance.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VoucherLedger',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('type', fields.CharField(max_length=8)),
                ('title', fields.CharField(max_length=32)),
                ('change_num', fields.IntField()),
                ('balance_after', fields.IntField()),
                ('order_id', fields.BigIntField(null=True, unique=True)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact_voucher_ledger', 'app': 'models', 'indexes': [Index(fields=['user_id', 'id'])], 'pk_attr': 'id', 'table_description': 'A change of a contact voucher balance.'},
            bases=['Model'],
        ),
    ]
