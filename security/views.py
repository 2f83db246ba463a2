"""The staff two-factor page: enrolment the first time (authenticator key as a QR code and as text, then the
recovery codes once), a code at every sign-in after that."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from security.forms import TwoFactorCodeForm
from security.two_factor import (
    totp_enrolment_confirm,
    totp_enrolment_device,
    totp_qr_svg,
    totp_secret_base32,
    two_factor_enrolled,
    two_factor_verify,
)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("backoffice:queue")


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("backoffice:login"))
    if not (user.is_active and (user.is_staff or user.is_superuser)):
        raise PermissionDenied
    target = _next(request)
    form = TwoFactorCodeForm(request.POST or None)
    if two_factor_enrolled(user=user):
        if request.method == "POST" and form.is_valid():
            if two_factor_verify(request=request, token=form.cleaned_data["code"]):
                return redirect(target)
            form.add_error("code", TwoFactorCodeForm.wrong_code())
        return render(
            request,
            "security/two_factor_verify.html",
            {"form": form, "next": target},
            status=400 if form.errors else 200,
        )
    device = totp_enrolment_device(user=user)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(request=request, device=device, token=form.cleaned_data["code"])
        if codes is not None:
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": target})
        form.add_error("code", TwoFactorCodeForm.wrong_code())
    return render(
        request,
        "security/two_factor_enrol.html",
        {
            "form": form,
            "next": target,
            "qr_svg": totp_qr_svg(device=device),
            "secret": totp_secret_base32(device=device),
            "config_url": device.config_url,
        },
        status=400 if form.errors else 200,
    )
