import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vouch.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Import every view and build the API's schemas now, as the worker starts, not in its first request: that
    request took 1.2 s more than the next ones on a 2-core machine (docs/benchmarks.md, first search by a fresh
    worker). The translation catalogs are loaded too."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (the property imports the URLconf)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Search")


_warm_up()
