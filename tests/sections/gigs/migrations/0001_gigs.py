"""零工 gigs (tests/sections/gigs): a section's own table, in its own migrations package."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = []

    initial = True

    operations = [
        ops.CreateModel(
            name='Gig',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('biz_type', fields.SmallIntField(default=9)),
                ('longitude', fields.DecimalField(max_digits=10, decimal_places=6)),
                ('latitude', fields.DecimalField(max_digits=10, decimal_places=6)),
                ('address', fields.CharField(max_length=255)),
                ('contact', fields.CharField(max_length=32)),
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
                ('status', fields.SmallIntField(default=1)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_refresh_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('top_start_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('top_end_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('free_refresh_day', fields.DateField(null=True)),
                ('free_refresh_count', fields.SmallIntField(default=0)),
                ('version', fields.BigIntField(default=1)),
                ('moderation', fields.CharField(default='', max_length=16)),
                ('content_check', fields.CharField(default='', db_index=True, max_length=8)),
                ('photo_held', fields.BooleanField(default=False)),
                ('title', fields.CharField(max_length=40)),
                ('pay', fields.IntField()),
                ('contact_name', fields.CharField(max_length=32)),
            ],
            options={'table': 'gigs', 'app': 'gigs', 'indexes': [Index(fields=['user_id', 'biz_type', 'create_at'])], 'pk_attr': 'id', 'table_description': "A day's work (搬家帮手, 宴席帮厨): paid `pay` yuan a day."},
            bases=['Posting'],
        ),
    ]
