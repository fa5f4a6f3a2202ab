from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0001_users')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IndexOutbox',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job_id', fields.BigIntField(db_index=True)),
                ('reason', fields.CharField(max_length=16)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'index_outbox', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A change of a job waiting for the indexer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('biz_type', fields.SmallIntField(default=1)),
                ('positions', fields.CharField(max_length=32)),
                ('longitude', fields.DecimalField(max_digits=10, decimal_places=6)),
                ('latitude', fields.DecimalField(max_digits=10, decimal_places=6)),
                ('address', fields.CharField(max_length=255)),
                ('contact', fields.CharField(max_length=32)),
                ('contact_person_name', fields.CharField(default='', max_length=32)),
                ('description', fields.TextField(unique=False)),
                ('photo_urls', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('first_area_id', fields.BigIntField(null=True)),
                ('first_area_des', fields.CharField(default='', max_length=64)),
                ('second_area_id', fields.BigIntField(null=True)),
                ('second_area_des', fields.CharField(default='', max_length=64)),
                ('third_area_id', fields.BigIntField(null=True)),
                ('third_area_des', fields.CharField(default='', max_length=64)),
                ('four_area_id', fields.BigIntField(null=True)),
                ('four_area_des', fields.CharField(default='', max_length=64)),
                ('salary_min', fields.IntField()),
                ('salary_max', fields.IntField()),
                ('basic_protection', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('salary_benefits', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('attendance_leave', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.SmallIntField(default=1)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_refresh_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('top_start_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('top_end_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('free_refresh_day', fields.DateField(null=True)),
                ('free_refresh_count', fields.SmallIntField(default=0)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['user_id', 'biz_type', 'create_at'])], 'pk_attr': 'id', 'table_description': 'A posting.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Favorite',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('job', fields.ForeignKeyField('models.Job', source_field='job_id', db_constraint=True, to_field='id', related_name='favorites', on_delete=OnDelete.CASCADE)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_favorites', 'app': 'models', 'unique_together': (('user_id', 'job_id'),), 'indexes': [Index(fields=['user_id', 'create_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
