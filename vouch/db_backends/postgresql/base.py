"""PostgreSQL, counted for /metrics by django-prometheus, pool-safe.

django-prometheus's backend wraps the connection's cursor factory every time Django gets a connection. With
psycopg's pool (DATABASE_POOL_MAX_SIZE) the same connection is lent again and again, so the wrappers would nest
(each query counted once per loan, until Python's recursion limit). Here a connection is wrapped once.
"""

from django.db.backends.postgresql.base import Cursor
from django_prometheus.db.backends.postgresql import base
from django_prometheus.db.common import ExportingCursorWrapper


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, *args, **kwargs):
        # Skip django-prometheus's PostgreSQL override (it wraps unconditionally), keep its connection counting.
        connection = super(base.DatabaseWrapper, self).get_new_connection(*args, **kwargs)
        if not getattr(connection.cursor_factory, "vouch_counted", False):
            factory = ExportingCursorWrapper(connection.cursor_factory or Cursor, self.alias, self.vendor)
            factory.vouch_counted = True
            connection.cursor_factory = factory
        return connection
