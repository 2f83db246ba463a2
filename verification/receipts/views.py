"""Public receipt endpoints (outside the language prefix): the key set and the revocation status list."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from verification.receipts.issue import status_list_credential
from verification.receipts.keys import public_key_set, signing_key_active
from verification.receipts.status_list import LIST_ID


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request):
    if not public_key_set()["keys"]:
        signing_key_active()  # publish the first key before the first receipt
    return JsonResponse(public_key_set())


@require_GET
@cache_control(public=True, max_age=60)
def status_list(request, list_id: str):
    if list_id != LIST_ID:
        return HttpResponse(status=404)
    return HttpResponse(status_list_credential(), content_type="application/vc+jwt")
