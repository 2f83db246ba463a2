"""Security middleware: staff two-factor before the back-office and the admin; response headers and cookies."""

import re

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from security.throttle import device_cookie_set

# The back-office (/<lang>/review/…), the support console (/<lang>/support/…) and the admin (/admin/…), less the
# pages that lead into them.
_PROTECTED = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]+)?/(?:review|support)/|admin/)")
_OPEN = re.compile(r"^/(?:[a-z]{2}(?:-[a-z]+)?/review/(?:login|logout|two-factor)/|admin/(?:login|logout)/)")


def staff_two_factor_needed(request) -> bool:
    user = getattr(request, "user", None)
    if not settings.STAFF_REQUIRE_2FA or user is None or not user.is_authenticated:
        return False
    if not (user.is_staff or user.is_superuser):
        return False
    return not (hasattr(user, "is_verified") and user.is_verified())


class StaffTwoFactorMiddleware:
    """A staff member signed in with a password but not yet a second factor goes to the two-factor page (enrolment
    the first time) before any back-office or admin page opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if _PROTECTED.match(path) and not _OPEN.match(path) and staff_two_factor_needed(request):
            return redirect(f"{reverse('security:two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response, and the signed cookie of a browser that just signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = settings.PERMISSIONS_POLICY
        device_cookie_set(request, response)
        return response
