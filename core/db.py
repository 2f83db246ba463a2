"""Reads that may come from a read replica (DATABASE_REPLICA_URL), and the router that sends them there.

Only reads that tolerate a little replication lag opt in, by running inside `replica_reads()` (registry search and
lookups for the public pages and the API); everything else, and every write, uses the primary. Without a replica
configured, `replica_reads()` changes nothing. Migrations run on the primary only.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_view(view):
    """A view whose reads may come from the replica (its writes, if any, still go to the primary)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def read_alias() -> str:
    """The database alias reads should use now (for raw SQL, which routers do not see)."""
    return REPLICA if _replica_reads.get() and replica_configured() else "default"


def read_connection():
    return connections[read_alias()]


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads inside `replica_reads()` go to the replica; the rest is the primary's."""

    def db_for_read(self, model, **hints):
        return REPLICA if _replica_reads.get() and replica_configured() else None

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same database, replicated

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
