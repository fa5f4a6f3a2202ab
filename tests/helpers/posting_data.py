"""A database as release 0009 left it, with rows of every kind that 0010 moves to (biz_type, posting_id)
references; what those rows must be once migrated. Plain SQL that MySQL and SQLite both read."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tests.helpers.processes import mysql_query

AT_0009 = "0009_job_photo_held"
T = "2025-03-01 10:00:00.250000"
_JOB = ("INSERT INTO jobs (id, user_id, biz_type, positions, longitude, latitude, address, contact, "
        "contact_person_name, description, photo_urls, first_area_des, second_area_des, third_area_des, "
        "four_area_des, salary_min, salary_max, basic_protection, salary_benefits, attendance_leave, status, "
        "create_at, update_at, free_refresh_count, version, moderation, content_check, photo_held) VALUES "
        "({id}, {owner}, 1, '厨师', 116.397128, 39.916527, '北京', '13800138000', '段先生', '招聘', '[]', '', '', '', '', "
        "5000, 8000, '[]', '[]', '[]', {status}, '{t}', '{t}', 0, 3, '', '', 0)")
SEED = [
    *(f"INSERT INTO users (id, openid, phone, name, avatar, sex, address, create_at, update_at) VALUES "
      f"({user}, 'openid-{user}', '1380013800{user}', '', '', 0, '', '{T}', '{T}')" for user in (1, 2, 3)),
    _JOB.format(id=11, owner=1, status=1, t=T), _JOB.format(id=12, owner=1, status=1, t=T),
    _JOB.format(id=13, owner=2, status=2, t=T),
    # ids with gaps: copies keep them
    f"INSERT INTO job_favorites (id, user_id, job_id, create_at) VALUES (5, 2, 11, '{T}')",
    "INSERT INTO job_favorites (id, user_id, job_id, create_at) VALUES (6, 3, 11, '2025-03-02 08:00:00')",
    "INSERT INTO job_favorites (id, user_id, job_id, create_at) VALUES (9, 2, 12, '2025-03-03 08:00:00')",
    f"INSERT INTO job_reports (id, job_id, user_id, reason, text, create_at) VALUES (3, 11, 2, 'fraud', '收押金', '{T}')",
    "INSERT INTO job_reports (id, job_id, user_id, reason, text, create_at) VALUES (4, 12, 3, 'other', '', "
    "'2025-03-04 09:00:00')",
    *(f"INSERT INTO orders (id, order_no, kind, user_id, job_id, top_hours, voucher_count, amount_fen, status, "
      f"close_reason, expire_at, create_at, update_at) VALUES ({values}, '', '{T}', '{T}', '{T}')"
      for values in ("7, 'TOP1', 'top', 1, 11, 72, NULL, 500, 'paid'",
                     "8, 'REF1', 'refresh', 1, 12, NULL, NULL, 199, 'created'",
                     "10, 'CV1', 'contact_voucher', 2, NULL, NULL, 5, 500, 'paid'")),
    *(f"INSERT INTO index_outbox (id, job_id, reason, create_at) VALUES ({row}, '{T}')"
      for row in ("100, 11, 'create'", "101, 11, 'update'", "103, 13, 'close'")),
    *(f"INSERT INTO contact_history (id, user_id, purpose_type, purpose_id, biz_type, owner_id, create_at) VALUES "
      f"({row}, '{T}')" for row in ("1, 2, 1, 11, 1, 1", "2, 3, 1, 12, 1, 1")),
]


def query(database_url: str, sql: str) -> list[tuple]:
    if database_url.startswith("sqlite://"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite://"))) as connection, connection:
            return connection.execute(sql).fetchall()
    return mysql_query(database_url, sql)


def seed(database_url: str) -> dict[str, list[tuple]]:
    """Insert the rows; returns them as read back (the values the database stored)."""
    for statement in SEED:
        query(database_url, statement)
    return {
        "favorites": query(database_url, "SELECT id, user_id, job_id, create_at FROM job_favorites ORDER BY id"),
        "reports": query(database_url, "SELECT id, job_id, user_id, reason, text, create_at FROM job_reports "
                                       "ORDER BY id"),
        "orders": query(database_url, "SELECT id, order_no, kind, user_id, job_id, top_hours, voucher_count, "
                                      "amount_fen, status FROM orders ORDER BY id"),
        "outbox": query(database_url, "SELECT id, job_id, reason, create_at FROM index_outbox ORDER BY id"),
        "unchanged": _unchanged(database_url),
    }


# Columns later migrations append to these tables, NULL on the rows carried over: 0018's jobs.verified_name.
ADDED_LATER = {"jobs": 1}
UNCHANGED = ("users", "jobs", "contact_history")


def _unchanged(database_url: str) -> list[list[tuple]]:
    return [query(database_url, f"SELECT * FROM {table} ORDER BY id") for table in UNCHANGED]


def migrated(database_url: str) -> dict[str, list[tuple]]:
    """The same rows as 0010 left them, in the shape `expected` gives."""
    return {
        "favorites": query(database_url, "SELECT id, user_id, biz_type, posting_id, create_at FROM favorites "
                                         "ORDER BY id"),
        "reports": query(database_url, "SELECT id, biz_type, posting_id, user_id, reason, text, create_at FROM "
                                       "reports ORDER BY id"),
        "orders": query(database_url, "SELECT id, order_no, kind, user_id, biz_type, posting_id, top_hours, "
                                      "voucher_count, amount_fen, status FROM orders ORDER BY id"),
        "outbox": query(database_url, "SELECT id, biz_type, posting_id, reason, create_at FROM index_outbox "
                                      "ORDER BY id"),
        "unchanged": _unchanged(database_url),
    }


def expected(before: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Every row kept, same id and values, referring to its job as (biz_type 1, posting_id = the job id)."""
    return {
        "favorites": [(id_, user, 1, job, at) for id_, user, job, at in before["favorites"]],
        "reports": [(id_, 1, job, user, reason, text, at) for id_, job, user, reason, text, at in before["reports"]],
        "orders": [(*row[:4], None if row[4] is None else 1, row[4], *row[5:]) for row in before["orders"]],
        "outbox": [(id_, 1, job, reason, at) for id_, job, reason, at in before["outbox"]],
        "unchanged": [[(*row, *(None,) * ADDED_LATER.get(table, 0)) for row in rows]
                      for table, rows in zip(UNCHANGED, before["unchanged"], strict=True)],
    }
