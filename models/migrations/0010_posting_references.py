"""References to a posting by its section and id, (biz_type, posting_id), as contact_history already has them
(purpose_type = biz_type): favourites, reports, orders and the index outbox. Every row so far is of a job
(biz_type 1). Hand-written: each data step is idempotent (models/migrating.py), so a start killed anywhere
in here is completed by the next one."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.migrating import data_step


class Migration(migrations.Migration):
    dependencies = [('models', '0009_job_photo_held')]

    initial = False

    operations = [
        # job_reports -> reports (ids kept)
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('biz_type', fields.SmallIntField()),
                ('posting_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('reason', fields.CharField(max_length=24)),
                ('text', fields.CharField(default='', max_length=500)),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reports', 'app': 'models', 'unique_together': (('user_id', 'biz_type', 'posting_id'),), 'indexes': [Index(fields=['biz_type', 'posting_id', 'create_at'])], 'pk_attr': 'id', 'table_description': 'A report of a posting (biz_type, posting_id) by a user.'},
            bases=['Model'],
        ),
        data_step(
            "INSERT INTO `reports` (`id`, `biz_type`, `posting_id`, `user_id`, `reason`, `text`, `create_at`) "
            "SELECT `id`, 1, `job_id`, `user_id`, `reason`, `text`, `create_at` FROM `job_reports` "
            "WHERE `id` NOT IN (SELECT `id` FROM `reports`)",
            pending="SELECT 1 FROM `job_reports` WHERE `id` NOT IN (SELECT `id` FROM `reports`) LIMIT 1",
            source=('job_reports', None),
        ),
        ops.DeleteModel(name='JobReport'),
        # job_favorites -> favorites (ids kept); the new model takes the old one's name once that is deleted
        # (its table is named: the rename is no SQL)
        ops.CreateModel(
            name='PostingFavorite',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.BigIntField()),
                ('biz_type', fields.SmallIntField()),
                ('posting_id', fields.BigIntField()),
                ('create_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'favorites', 'app': 'models', 'unique_together': (('user_id', 'biz_type', 'posting_id'),), 'indexes': [Index(fields=['user_id', 'biz_type', 'create_at'])], 'pk_attr': 'id', 'table_description': 'A posting saved by a user.'},
            bases=['Model'],
        ),
        data_step(
            "INSERT INTO `favorites` (`id`, `user_id`, `biz_type`, `posting_id`, `create_at`) "
            "SELECT `id`, `user_id`, 1, `job_id`, `create_at` FROM `job_favorites` "
            "WHERE `id` NOT IN (SELECT `id` FROM `favorites`)",
            pending="SELECT 1 FROM `job_favorites` WHERE `id` NOT IN (SELECT `id` FROM `favorites`) LIMIT 1",
            source=('job_favorites', None),
        ),
        ops.DeleteModel(name='Favorite'),
        ops.RenameModel(old_name='PostingFavorite', new_name='Favorite'),
        # index_outbox.job_id -> (biz_type, posting_id): the new NOT NULL columns come with 0 in existing rows
        ops.AddField(
            model_name='IndexOutbox',
            name='biz_type',
            field=fields.SmallIntField(),
        ),
        ops.AddField(
            model_name='IndexOutbox',
            name='posting_id',
            field=fields.BigIntField(),
        ),
        data_step(
            "UPDATE `index_outbox` SET `biz_type` = 1, `posting_id` = `job_id` WHERE `biz_type` = 0",
            pending="SELECT 1 FROM `index_outbox` WHERE `biz_type` = 0 LIMIT 1",
            source=('index_outbox', 'job_id'),
        ),
        ops.RemoveField(model_name='IndexOutbox', name='job_id'),
        # orders.job_id -> (biz_type, posting_id), both null for contact vouchers
        ops.AddField(
            model_name='Order',
            name='biz_type',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddField(
            model_name='Order',
            name='posting_id',
            field=fields.BigIntField(null=True),
        ),
        data_step(
            "UPDATE `orders` SET `biz_type` = 1, `posting_id` = `job_id` "
            "WHERE `job_id` IS NOT NULL AND `posting_id` IS NULL",
            pending="SELECT 1 FROM `orders` WHERE `job_id` IS NOT NULL AND `posting_id` IS NULL LIMIT 1",
            source=('orders', 'job_id'),
        ),
        ops.RemoveField(model_name='Order', name='job_id'),
    ]
