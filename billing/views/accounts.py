"""Customer account pages: sign-up, email verification, sign-in/out, password reset and the account page.

Sign-in, sign-out and password reset are Django's own views (django.contrib.auth.views) with the store's forms and
templates: the sign-in form limits failed attempts (billing.accounts), the reset form sends through the outbox.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import forms
from billing.accounts import (
    account_invoice_details_update,
    account_sign_up,
    account_verify_email,
    account_verify_email_resend,
)
from billing.models import CustomerAccount
from core.client_ip import client_ip
from core.errors import ApplicationError
from security.throttle import sign_in_unlock

SIGN_IN_URL = reverse_lazy("billing:sign_in")


@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.user.is_authenticated:
        return redirect("billing:account")
    form = forms.SignUpForm(request.POST if request.method == "POST" else None)
    status = 400
    if request.method == "POST" and form.is_valid():
        try:
            account_sign_up(**form.cleaned_data, language=request.LANGUAGE_CODE, ip=client_ip(request))
        except ApplicationError as error:
            form.add_service_error(error)
            status = error.http_status
        else:  # a new account or an email that had one: the same answer (billing.accounts.account_sign_up)
            return redirect("billing:sign_up_done")
    return render(request, "billing/sign_up.html", {"form": form}, status=status if form.errors else 200)


@require_GET
def sign_up_done(request):
    return render(request, "billing/sign_up_done.html")


@require_GET
def verify_email(request, token: str):
    try:
        account = account_verify_email(token=token)
    except ApplicationError as error:
        return render(request, "billing/verify_email.html", {"error": error}, status=error.http_status)
    return render(request, "billing/verify_email.html", {"account": account})


def _account_of(request) -> CustomerAccount | None:
    return CustomerAccount.objects.filter(user=request.user).first()


@require_http_methods(["GET", "POST"])
@login_required(login_url=SIGN_IN_URL)
def account_page(request):
    """The account, and the buyer's details printed on invoices (POST saves them)."""
    account = _account_of(request)
    details = None
    if account is not None:
        initial = {
            "organisation_name": account.organisation_name,
            "billing_address": account.billing_address,
            "tax_id": account.tax_id,
        }
        details = forms.InvoiceDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and details.is_valid():
            account_invoice_details_update(account=account, **details.cleaned_data)
            messages.success(request, _("Your invoice details are saved; the next invoices show them."))
            return redirect("billing:account")
    return render(
        request,
        "billing/account.html",
        {"account": account, "details_form": details},
        status=400 if details is not None and details.errors else 200,
    )


@require_POST
@login_required(login_url=SIGN_IN_URL)
def verify_email_resend(request):
    account = _account_of(request)
    if account is not None and not account.is_verified:
        try:
            account_verify_email_resend(account=account, language=request.LANGUAGE_CODE, ip=client_ip(request))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("We sent a new verification link to %(email)s.") % {"email": account.email})
    return redirect("billing:account")


sign_in = auth_views.LoginView.as_view(
    form_class=forms.SignInForm,
    template_name="billing/sign_in.html",
    redirect_authenticated_user=True,
    next_page=reverse_lazy("billing:account"),
)
sign_out = auth_views.LogoutView.as_view(next_page=SIGN_IN_URL)  # POST only (Django's LogoutView)
password_reset = auth_views.PasswordResetView.as_view(
    form_class=forms.StorePasswordResetForm,
    template_name="billing/password_reset.html",
    success_url=reverse_lazy("billing:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="billing/password_reset_done.html")


class StorePasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view; a new password also lifts a sign-in lock on the account (its owner proved the mailbox)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        sign_in_unlock(username=form.user.get_username(), reason="password_reset")
        return response


password_reset_confirm = StorePasswordResetConfirmView.as_view(
    template_name="billing/password_reset_confirm.html", success_url=reverse_lazy("billing:password_reset_complete")
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="billing/password_reset_complete.html"
)
