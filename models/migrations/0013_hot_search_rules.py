"""热门搜索 rules an operator sets (models.moderation.HotSearchRule): a table of its own, created whole."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0012_shops')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HotSearchRule',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('keyword', fields.CharField(max_length=64)),
                ('rule', fields.CharField(max_length=8)),
                ('actor', fields.CharField(max_length=64)),
                ('reason', fields.CharField(max_length=500)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hot_search_rules', 'app': 'models', 'unique_together': (('keyword', 'rule'),), 'pk_attr': 'id', 'table_description': "An operator's word on 热门搜索."},
            bases=['Model'],
        ),
    ]
