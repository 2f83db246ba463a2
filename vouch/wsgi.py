import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import every view and build the API's schemas now, as the worker starts, not in its first request: that
    request took 1.2 s more than the next ones on a 2-core machine (docs/benchmarks.md, first search by a fresh
    worker). The translation catalogs are loaded too, and the database connection is opened and used once: a fresh
    worker's first search spent ~100 ms connecting and more filling a new database session's caches on a busy
    2-core machine (the connection is kept for the requests that follow when DATABASE_CONN_MAX_AGE or the pool
    allows)."""
    from django.conf import settings
    from django.db import connection
    from django.urls import get_resolver
    from django.utils import translation

    from registry.search.engine import search_organisations

    get_resolver().url_patterns  # noqa: B018 (the property imports the URLconf)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")
    try:
        connection.ensure_connection()
        # One search that takes every stage (no such name: typo corrections, then full text) fills the database
        # session's catalog caches and Django's model metadata, which a fresh worker's first search paid for.
        search_organisations(query="vouch warming search", limit=1)
    except Exception:  # the database may be starting too: the first request connects, as it always did
        logging.getLogger(__name__).warning("could not warm the database connection while starting", exc_info=True)


_warm_up()
