from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0005_contact_history')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobReport',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('reason', fields.CharField(max_length=24)),
                ('text', fields.CharField(default='', max_length=500)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job_reports', 'app': 'models', 'unique_together': (('user_id', 'job_id'),), 'indexes': [Index(fields=['job_id', 'create_at'])], 'pk_attr': 'id', 'table_description': 'A report of a job by a user.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationAction',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.CharField(max_length=64)),
                ('action', fields.CharField(max_length=16)),
                ('target_type', fields.CharField(max_length=8)),
                ('target_id', fields.BigIntField()),
                ('reason', fields.CharField(max_length=500)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moderation_actions', 'app': 'models', 'indexes': [Index(fields=['target_type', 'target_id'])], 'pk_attr': 'id', 'table_description': 'An audit row: who did what to which job or user, why, and when.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Job',
            name='moderation',
            field=fields.CharField(default='', max_length=16),
        ),
        ops.AddField(
            model_name='User',
            name='banned_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
