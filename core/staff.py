"""The one gate of the back-office pages (reviewers, support and billing staff): every staff view is wrapped in
`staff_required`, whichever app it belongs to."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.decorators.cache import never_cache


def staff_required(view):
    """Anonymous -> the back-office login; signed in but not staff -> 403. Pages are never cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def permission_page(permission: str):
    """Like staff_required, but the page needs `permission` (the roles are groups of permissions: support.roles):
    anonymous -> the back-office login; signed in without it -> 403. Never cached."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
            if not (request.user.is_active and request.user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return never_cache(wrapper)

    return decorator
