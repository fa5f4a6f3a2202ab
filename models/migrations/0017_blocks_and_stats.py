"""Blocks between users, and each posting's daily figures (with the flushed batches that keep them exact)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0016_messages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Block',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('blocked_id', fields.BigIntField()),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user_blocks', 'app': 'models', 'unique_together': (('user_id', 'blocked_id'),), 'indexes': [Index(fields=['blocked_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'A user blocking another.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostingStat',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('biz_type', fields.SmallIntField()),
                ('posting_id', fields.BigIntField()),
                ('day', fields.DateField()),
                ('views', fields.IntField(default=0)),
                ('favorites', fields.IntField(default=0)),
                ('contacts', fields.IntField(default=0)),
                ('impressions', fields.IntField(default=0)),
            ],
            options={'table': 'posting_stats', 'app': 'models', 'unique_together': (('biz_type', 'posting_id', 'day'),), 'pk_attr': 'id', 'table_description': "One posting's figures of one day."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatsFlush',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.CharField(max_length=64, unique=True)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'posting_stats_flushes', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A batch of counters applied to posting_stats: its row commits with the counts, so a flush that died\n    after its commit and runs again finds it and applies nothing twice.'},
            bases=['Model'],
        ),
    ]
