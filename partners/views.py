"""Back-office pages for partners and their API keys (/<lang>/review/partners/): list and create partners, a
partner's keys, create a key (shown once, on the response to the POST, never again), revoke a key.

Only key managers (staff with the perm partners.add_apikey; superusers) may see them: anonymous people are sent to
the back-office login, other staff get 403. Every page is sent with Cache-Control: no-store (never_cache), the
created key's above all. The services check the permission again."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ApplicationError
from core.errors import PermissionDenied as ServicePermissionDenied
from partners.forms import ApiKeyForm, PartnerForm
from partners.models import ApiKey, Partner, Scope
from partners.services import api_key_create, api_key_revoke, partner_create, require_key_manager

SCOPE_LABELS = dict(Scope.choices)


def key_manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
        try:
            require_key_manager(request.user)
        except ServicePermissionDenied as error:
            raise PermissionDenied(error.message) from error
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _partner(pk: int) -> Partner:
    return get_object_or_404(Partner.objects.select_related("program"), pk=pk)


@require_GET
@key_manager_required
def partner_list(request):
    partners = Partner.objects.select_related("program").annotate(
        active_keys=Count("api_keys", filter=Q(api_keys__revoked_at__isnull=True))
    )
    return render(request, "partners/list.html", {"partners": partners})


@require_http_methods(["GET", "POST"])
@key_manager_required
def partner_new(request):
    form = PartnerForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            partner = partner_create(
                name=data["name"],
                program=data["program"],
                actor=request.user,
                sees_all_applications=data["sees_all_applications"],
                contact_email=data["contact_email"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Partner %(name)s created.") % {"name": partner.name})
            return redirect("backoffice:partners:detail", pk=partner.pk)
    return render(request, "partners/partner_form.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
@key_manager_required
def partner_detail(request, pk: int):
    partner = _partner(pk)
    keys = [
        (key, [SCOPE_LABELS.get(scope, scope) for scope in key.scopes])
        for key in partner.api_keys.select_related("created_by", "revoked_by")
    ]
    return render(request, "partners/detail.html", {"partner": partner, "keys": keys})


@require_http_methods(["GET", "POST"])
@key_manager_required
def key_new(request, pk: int):
    partner = _partner(pk)
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            key, raw = api_key_create(
                partner=partner,
                name=data["name"],
                scopes=data["scopes"],
                actor=request.user,
                requests_per_minute=data["requests_per_minute"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            # The only time the key exists outside the partner's hands: on this response, which nothing caches.
            return render(
                request,
                "partners/key_created.html",
                {
                    "partner": partner,
                    "key": key,
                    "raw_key": raw,
                    "scopes": [SCOPE_LABELS.get(scope, scope) for scope in key.scopes],
                },
            )
    return render(
        request, "partners/key_form.html", {"partner": partner, "form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@key_manager_required
def key_revoke(request, pk: int, key_pk: int):
    partner = _partner(pk)
    key = get_object_or_404(ApiKey, pk=key_pk, partner=partner)
    if request.method == "GET":
        return render(request, "partners/key_revoke.html", {"partner": partner, "key": key})
    if key.revoked_at is not None:
        messages.info(request, _("This key was already revoked."))
    else:
        api_key_revoke(api_key=key, actor=request.user)
        messages.success(
            request,
            _("Key %(prefix)s revoked: it no longer authenticates any request.") % {"prefix": f"vch_{key.prefix}"},
        )
    return redirect("backoffice:partners:detail", pk=partner.pk)
