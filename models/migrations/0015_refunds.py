"""Refunds (models.refund.Refund): their table; what each order has had refunded; a voucher ledger row's refund."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0014_operators')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Refund',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('refund_no', fields.CharField(unique=True, max_length=64)),
                ('order_id', fields.BigIntField()),
                ('amount_fen', fields.IntField()),
                ('status', fields.CharField(default='pending', max_length=12)),
                ('top_hours', fields.IntField(default=0)),
                ('vouchers', fields.IntField(default=0)),
                ('actor', fields.CharField(max_length=64)),
                ('reason', fields.CharField(max_length=500)),
                ('wechat_refund_id', fields.CharField(null=True, max_length=64)),
                ('note', fields.CharField(default='', max_length=128)),
                ('success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'refunds', 'app': 'models', 'indexes': [Index(fields=['order_id', 'id']), Index(fields=['status', 'update_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Order',
            name='refunded_fen',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='VoucherLedger',
            name='refund_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
    ]
