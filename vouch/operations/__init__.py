"""Operations endpoints: /healthz, /readyz and /metrics.

They answer from a middleware near the top of the chain, before host validation, sessions, CSRF, the language
prefix and the HTTPS redirect: probes and scrapers talk to each process directly (often by IP address, over plain
HTTP), and the answers must stay cheap.
"""

from vouch.operations import health, metrics

ROUTES = {"/healthz": health.healthz, "/readyz": health.readyz, "/metrics": metrics.metrics}


class OperationsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ROUTES.get(request.path_info)
        if view is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = view(request)
        response["Cache-Control"] = "no-store"
        return response
