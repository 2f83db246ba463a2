"""API key authentication: `Authorization: Bearer vch_…`, one scope per operation, a request budget per key."""

from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from core.errors import PermissionDenied
from partners.models import ApiKey, Partner
from partners.services import api_key_authenticate, api_key_count_request


class ApiKeyAuth(HttpBearer):
    """`auth=ApiKeyAuth("applications:read")`: the key must be active and hold that scope. Every authenticated
    request counts against the key's per-minute limit (429 with Retry-After past it)."""

    openapi_description = "An API key created in the back-office, sent as `Authorization: Bearer vch_…`."

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str) -> ApiKey | None:
        key = api_key_authenticate(raw=token)
        if key is None:
            return None
        if self.scope not in key.scopes:
            raise PermissionDenied(
                _("This API key does not have the scope %(scope)s.") % {"scope": self.scope},
                code="scope_missing",
                details={"required_scope": self.scope, "key_scopes": key.scopes},
            )
        api_key_count_request(api_key=key)
        return key


def request_partner(request) -> Partner:
    return request.auth.partner


def scoped(scope: str) -> list[ApiKeyAuth]:
    return [ApiKeyAuth(scope)]
