"""Subscribe messages and share codes (models.messages): three tables of their own, created whole."""

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0015_refunds')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SubscribeCredit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('template_id', fields.CharField(max_length=64)),
                ('remaining', fields.IntField(default=0)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subscribe_credits', 'app': 'models', 'unique_together': (('user_id', 'template_id'),), 'pk_attr': 'id', 'table_description': 'How many sends of one template a user has accepted and not yet been spent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscribeMessage',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('event', fields.CharField(max_length=32)),
                ('template_id', fields.CharField(max_length=64)),
                ('page', fields.CharField(default='', max_length=255)),
                ('data', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=128)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('credit_claimed', fields.BooleanField(default=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=64)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'subscribe_messages', 'app': 'models', 'indexes': [Index(fields=['state', 'next_attempt_at']), Index(fields=['user_id', 'create_at'])], 'pk_attr': 'id', 'table_description': 'One message to one user, written in the transaction of its event, then claimed, sent and settled by the sender.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShareCode',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scene', fields.CharField(max_length=32)),
                ('page', fields.CharField(max_length=255)),
                ('object_key', fields.CharField(max_length=128)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'share_codes', 'app': 'models', 'unique_together': (('scene', 'page'),), 'pk_attr': 'id', 'table_description': 'A share code (小程序码) already made for a scene and page, and the key storage keeps its PNG under.'},
            bases=['Model'],
        ),
    ]
