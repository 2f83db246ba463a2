"""The database backends count queries for /metrics without changing how the databases behave."""

import json

import pytest
from django.db import connection

from tests.vouch.probe import run_python

POOLED_LOANS = """
import json, os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'vouch.settings'
django.setup()
from django.db import connection
from django_prometheus.db import execute_total
before = execute_total.labels('default', 'postgresql')._value.get()
for _ in range(200):  # each loan from the pool goes through get_new_connection again
    with connection.cursor() as cursor:
        cursor.execute('SELECT 1')
    connection.close()
after = execute_total.labels('default', 'postgresql')._value.get()
with connection.cursor() as cursor:
    depth = len(type(cursor.cursor).__mro__)
print(json.dumps({"counted": after - before, "depth": depth, "pooled": bool(connection.pool)}))
"""


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_a_pooled_connection_counts_each_query_once_however_often_it_is_lent(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's")
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        f"/{settings['NAME']}"
    )
    result = run_python(tmp_path, POOLED_LOANS, DATABASE_URL=url, DATABASE_POOL_MAX_SIZE="2", VOUCH_ENV="development")
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.splitlines()[-1])
    # Each loan runs our query and at most Django's one statement resetting a lent connection: counted once each.
    # (django-prometheus's own backend counted 1250 statements for 50 loans here, its wrappers nesting 25 deep.)
    assert seen["pooled"] and 200 <= seen["counted"] <= 400
    assert seen["depth"] < 12  # not one wrapper class more per loan


def test_sqlite_connections_keep_their_options_under_the_metrics_backend():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["ENGINE"] == "django_prometheus.db.backends.sqlite3"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
