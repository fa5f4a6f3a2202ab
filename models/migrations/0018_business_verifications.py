"""Verified businesses: the licence submissions, the registration numbers they hold, and the label a verified
owner's postings carry (jobs and shops: the sections whose declaration says `verified_label`)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0017_blocks_and_stats')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BusinessVerification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField(db_index=True)),
                ('status', fields.CharField(db_index=True, max_length=12)),
                ('image_key', fields.CharField(max_length=128)),
                ('registration_number', fields.CharField(default='', db_index=True, max_length=64)),
                ('enterprise_name', fields.CharField(default='', max_length=128)),
                ('legal_representative', fields.CharField(default='', max_length=64)),
                ('address', fields.CharField(default='', max_length=255)),
                ('valid_period', fields.CharField(default='', max_length=64)),
                ('valid_until', fields.DateField(null=True)),
                ('duplicate_of', fields.BigIntField(null=True)),
                ('read_attempts', fields.SmallIntField(default=0)),
                ('decided_by', fields.CharField(default='', max_length=64)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('update_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'business_verifications', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LicenceClaim',
            fields=[
                ('registration_number', fields.CharField(primary_key=True, unique=True, db_index=True,
                                                         max_length=64)),
                ('user_id', fields.BigIntField()),
                ('verification_id', fields.BigIntField()),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'licence_claims', 'app': 'models', 'pk_attr': 'registration_number',
                     'table_description': 'One row per registration number held by a submission.'},
            bases=['Model'],
        ),
        ops.AddField(model_name='Job', name='verified_name', field=fields.CharField(null=True, max_length=128)),
        ops.AddField(model_name='Shop', name='verified_name', field=fields.CharField(null=True, max_length=128)),
    ]
