from django.shortcuts import render

from core.errors import ApplicationError


class ApplicationErrorMiddleware:
    """Pages answer an ApplicationError with its status and message, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.http_status)
        return None
