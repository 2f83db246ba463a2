"""A read replica (DATABASE_REPLICA_URL): reads that opt in go there, writes never do. Proven with a real second
process whose replica is the same server reached through a read-only role."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.coupons.factories import make_organisation

ROOT = Path(__file__).resolve().parents[2]
ROLE = "vouch_replica_test"
SCRIPT = """
import json, django
django.setup()
from django.db import connections
from core.db import read_connection, replica_reads
from registry.models import Organisation

out = {}
with replica_reads():
    out["names"] = list(Organisation.objects.filter(org_id="US-EIN-REPLICA1").values_list("name", flat=True))
    with read_connection().cursor() as cursor:
        cursor.execute("SELECT current_user")
        out["raw_sql_user"] = cursor.fetchone()[0]
    out["updated"] = Organisation.objects.filter(org_id="US-EIN-REPLICA1").update(name="Written on the primary")
out["outside"] = connections["default"].settings_dict["USER"]
try:
    with connections["replica"].cursor() as cursor:
        cursor.execute("UPDATE registry_organisation SET name = 'x' WHERE org_id = 'US-EIN-REPLICA1'")
    out["replica_write"] = "accepted"
except Exception as error:
    out["replica_write"] = type(error).__name__ + ": " + str(error).splitlines()[0]
print(json.dumps(out))
"""


def _url(user: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_opted_in_reads_use_the_replica_and_writes_stay_on_the_primary():
    if connection.vendor != "postgresql":
        pytest.skip("a read-only role needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
            f"THEN CREATE ROLE {ROLE} LOGIN; END IF; END $$"
        )
        cursor.execute(f"ALTER ROLE {ROLE} SET default_transaction_read_only = on")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {ROLE}")
    make_organisation("US-EIN-REPLICA1")
    env = {
        **os.environ,
        "DATABASE_URL": _url(connection.settings_dict["USER"] or "postgres"),
        "DATABASE_REPLICA_URL": _url(ROLE),
        "DJANGO_SETTINGS_MODULE": "vouch.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["names"] == ["Org US-EIN-REPLICA1"]  # read through the replica
    assert result["raw_sql_user"] == ROLE  # raw SQL follows the same choice
    assert result["updated"] == 1  # a write inside replica_reads() still went to the primary
    assert "read-only" in result["replica_write"]  # the replica itself refuses writes
    from registry.models import Organisation

    assert Organisation.objects.get(org_id="US-EIN-REPLICA1").name == "Written on the primary"


def test_without_a_replica_nothing_changes(settings):
    from core.db import read_alias, replica_reads

    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert read_alias() == "default"
