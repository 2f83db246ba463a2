"""A gunicorn worker warms up as it starts (vouch/wsgi.py): URLconf, catalogs, and a database connection that has
already searched once; a database that is not there yet does not stop the worker from starting."""

from unittest import mock

import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_the_worker_starts_connected_and_has_searched_once(django_assert_max_num_queries):
    import vouch.wsgi

    connection.close()
    with mock.patch("registry.search.engine.search_organisations", wraps=None) as search:
        search.return_value = []
        vouch.wsgi._warm_up()
    assert connection.connection is not None
    search.assert_called_once()


def test_a_database_not_yet_there_is_logged_not_fatal(caplog):
    import vouch.wsgi

    with mock.patch.object(connection, "ensure_connection", side_effect=OperationalError("starting up")):
        vouch.wsgi._warm_up()
    assert "could not warm the database connection" in caplog.text
