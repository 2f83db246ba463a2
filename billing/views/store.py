"""The customer's store pages: checkout, subscription management, invoices. Thin views: parse (billing.forms_store),
call the services (billing.checkout, billing.subscriptions, billing.invoices), render.

Authorisation: every lookup is filtered by the signed-in user's own CustomerAccount; anything else is a 404 (the
page does not reveal whether another customer's subscription or invoice exists). Staff mark invoices paid in the
billing back-office (billing.backoffice), not here.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.checkout import subscription_buy
from billing.checkout_quote import USER_FIXES, checkout_quote, coupon_error_text, subscription_quote
from billing.forms_store import (
    AddLicencesForm,
    AttachCouponForm,
    ChangePlanForm,
    CheckoutForm,
    idempotency_key_new,
    service_error_text,
)
from billing.invoice_documents import DISCOUNT_ENDED_NOTES, invoice_document, invoice_pdf
from billing.legacy import legacy_discount_percent
from billing.models import CustomerAccount, Invoice, Subscription
from billing.plan_changes import AT_TERM_END, NONPROFIT_DISCOUNT, STANDARD, plan_change_targets
from billing.subscriptions import (
    coupon_discount_state,
    subscription_add_licences,
    subscription_cancel,
    subscription_change_plan,
    subscription_coupon_attach,
)
from billing.views.accounts import SIGN_IN_URL
from core.client_ip import client_ip
from core.errors import ApplicationError
from core.money import format_minor_localized

store_login = login_required(login_url=SIGN_IN_URL)


def _account(request) -> CustomerAccount:
    account = CustomerAccount.objects.filter(user=request.user).first()
    if account is None:
        raise Http404("no store account")
    return account


def _own_subscription(request, subscription_id: int) -> Subscription:
    return get_object_or_404(
        Subscription.objects.select_related("plan", "coupon", "pending_plan"),
        pk=subscription_id,
        account=_account(request),
    )


# ---------------------------------------------------------------------------------------------------------------
# Checkout


def _summary(request, account, form, data=None, *, add_errors=True):
    """The priced summary of a valid form, or None (the form then carries the error)."""
    data = data or form.cleaned_data
    try:
        summary = checkout_quote(
            account=account,
            plan_code=data["plan"],
            quantity=data["quantity"],
            add_ons=form.add_ons(),
            billing_cycle=data["billing_cycle"],
            coupon_code=data["coupon"] or None,
            client_key=client_ip(request),
        )
    except ApplicationError as error:
        if add_errors:
            form.add_service_error(error)
        return None
    if summary.coupon_error is not None and add_errors:
        form.add_error("coupon", coupon_error_text(summary.coupon_error))
    return summary


@require_http_methods(["GET", "POST"])
@store_login
def checkout(request):
    """Two steps that work without JavaScript: "Review order" prices the form (billing.checkout_quote) and shows
    the summary with a "Buy" button; "Buy" buys. With JavaScript (static/js/checkout.js) the summary is fetched as
    the form changes (the same view, `summary_only`), and "Review order" stays as the fallback."""
    account = _account(request)
    summary = None
    buying = (
        request.method == "POST" and request.POST.get("action") != "review" and not request.POST.get("summary_only")
    )
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            if not buying:
                summary = _summary(request, account, form)
            else:
                data = dict(form.cleaned_data)
                try:
                    subscription = subscription_buy(
                        account=account,
                        plan_code=data["plan"],
                        quantity=data["quantity"],
                        add_ons=form.add_ons(),
                        billing_cycle=data["billing_cycle"],
                        coupon_code=data["coupon"] or None,
                        idempotency_key=data["idempotency_key"],
                    )
                except ApplicationError as error:
                    if error.code in USER_FIXES:
                        form.add_error("coupon", coupon_error_text(error))
                    else:
                        form.add_service_error(error)
                    if error.code == "idempotency_key_reused":  # this form was already used for another purchase
                        form.data = form.data.copy()
                        form.data["idempotency_key"] = idempotency_key_new()
                    summary = _summary(request, account, form, data, add_errors=False)
                else:
                    messages.success(request, _("Thank you: your subscription is active."))
                    return redirect("billing:store_subscription", subscription_id=subscription.pk)
    else:
        form = CheckoutForm(initial={"idempotency_key": idempotency_key_new()})
    context = {"form": form, "account": account, "summary": summary, "can_buy": summary is not None and not form.errors}
    if request.POST.get("summary_only"):  # the page's script: the summary alone, the coupon's refusal inside it
        context.update(
            live=True,
            coupon_error_text=(coupon_error_text(summary.coupon_error) if summary and summary.coupon_error else ""),
        )
        return render(request, "billing/store/_summary.html", context)
    return render(request, "billing/store/checkout.html", context, status=400 if form.errors and buying else 200)


# ---------------------------------------------------------------------------------------------------------------
# Subscriptions


def _discount_explanation(subscription: Subscription) -> str:
    if subscription.is_discounted:
        return _(
            "%(percent)s%% nonprofit discount on the covered products for this term (annual billing), from your coupon."
        ) % {"percent": f"{subscription.discount_percent.normalize():f}"}
    if subscription.coupon_id:
        state = coupon_discount_state(subscription.coupon)
        if state.ended_reason in DISCOUNT_ENDED_NOTES:
            return str(DISCOUNT_ENDED_NOTES[state.ended_reason])
        if state.percent is not None:  # attached during this term (subscription_coupon_attach)
            return _("No discount this term: your nonprofit coupon applies from the next renewal.")
        return _("No discount this term.")
    legacy = legacy_discount_percent(subscription, today=timezone.localdate())
    if legacy is not None:
        return _(
            "%(percent)s%% discount from the previous verification partner on what you add during this term "
            "(annual billing), until %(end)s. It ends with this term: apply through the nonprofit program "
            "for a coupon to use at renewal."
        ) % {"percent": f"{legacy.normalize():f}", "end": date_format(subscription.current_period_end, "DATE_FORMAT")}
    return _("No discount: no nonprofit coupon was applied. You can apply one when you renew.")


def _plan_targets(subscription: Subscription) -> tuple[str, ...]:
    condition = NONPROFIT_DISCOUNT if subscription.is_discounted else STANDARD
    return plan_change_targets(from_plan=subscription.plan.code, condition=condition)


def _subscription_page(
    request, subscription: Subscription, *, add_form=None, change_form=None, coupon_form=None, status=200
):
    targets = _plan_targets(subscription)
    context = {
        "subscription": subscription,
        "items": subscription.items.select_related("product"),
        "price": subscription_quote(subscription=subscription),
        "last_day": subscription.current_period_end - timedelta(days=1),
        "discount_explanation": _discount_explanation(subscription),
        "add_form": add_form or AddLicencesForm(),
        # Only the changes the plan-change policy allows are offered (none under the nonprofit discount).
        "change_form": change_form
        if change_form is not None
        else (
            ChangePlanForm(
                plans=targets,
                initial={
                    "to_plan": subscription.plan.code if subscription.plan.code in targets else (targets or [""])[0],
                    "to_quantity": subscription.quantity,
                },
            )
        )
        if targets
        else None,
        # Offered while no coupon gives (or will give) the discount; a revoked one may be replaced.
        "coupon_form": coupon_form
        or (AttachCouponForm() if coupon_discount_state(subscription.coupon).percent is None else None),
        "invoices": subscription.invoices.order_by("-issued_at", "-number")[:20],
    }
    return render(request, "billing/store/subscription.html", context, status=status)


@require_GET
@store_login
def subscriptions(request):
    account = _account(request)
    rows = Subscription.objects.filter(account=account).select_related("plan")
    return render(request, "billing/store/subscriptions.html", {"subscriptions": rows})


@require_GET
@store_login
def subscription_detail(request, subscription_id: int):
    return _subscription_page(request, _own_subscription(request, subscription_id))


@require_POST
@store_login
def subscription_licences_add(request, subscription_id: int):
    subscription = _own_subscription(request, subscription_id)
    form = AddLicencesForm(request.POST)
    if form.is_valid():
        try:
            invoice = subscription_add_licences(
                subscription=subscription, quantity=form.cleaned_data["quantity"], now=timezone.now()
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Licences added. Invoice %(number)s was issued.") % {"number": invoice.number})
            return redirect("billing:store_subscription", subscription_id=subscription.pk)
    return _subscription_page(request, subscription, add_form=form, status=400)


@require_POST
@store_login
def subscription_plan_change(request, subscription_id: int):
    subscription = _own_subscription(request, subscription_id)
    form = ChangePlanForm(request.POST)  # any plan: a change the page no longer offers gets the policy's reason
    if form.is_valid():
        try:
            result = subscription_change_plan(
                subscription=subscription,
                to_plan=form.cleaned_data["to_plan"],
                to_quantity=form.cleaned_data["to_quantity"],
                now=timezone.now(),
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            if result.outcome == AT_TERM_END:
                messages.success(request, _("The change is scheduled for the end of the current term."))
            else:
                messages.success(
                    request,
                    _("Plan changed. Invoice %(number)s was issued.")
                    % {"number": result.invoice.number if result.invoice else "—"},
                )
            return redirect("billing:store_subscription", subscription_id=subscription.pk)
    return _subscription_page(request, subscription, change_form=form, status=400)


@require_POST
@store_login
def subscription_coupon_attach_view(request, subscription_id: int):
    subscription = _own_subscription(request, subscription_id)
    form = AttachCouponForm(request.POST)
    if form.is_valid():
        try:
            subscription_coupon_attach(
                subscription=subscription, coupon_code=form.cleaned_data["coupon"], now=timezone.now()
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Coupon applied: your next renewal, on %(date)s, will be discounted. The current term is unchanged.")
                % {"date": date_format(subscription.current_period_end, "DATE_FORMAT")},
            )
            return redirect("billing:store_subscription", subscription_id=subscription.pk)
    return _subscription_page(request, subscription, coupon_form=form, status=400)


@require_http_methods(["GET", "POST"])
@store_login
def subscription_cancel_view(request, subscription_id: int):
    """GET: what cancelling means, and the confirming button (works without JavaScript); POST: cancel."""
    subscription = _own_subscription(request, subscription_id)
    if request.method == "GET":
        return render(
            request,
            "billing/store/subscription_cancel.html",
            {"subscription": subscription, "last_day": subscription.current_period_end - timedelta(days=1)},
        )
    try:
        subscription_cancel(subscription=subscription, now=timezone.now())
    except ApplicationError as error:
        messages.error(request, service_error_text(error))
    else:
        end = date_format(subscription.current_period_end, "DATE_FORMAT")
        messages.success(
            request,
            _("Your subscription will end on %(date)s and will not renew. Nothing is refunded.") % {"date": end},
        )
    return redirect("billing:store_subscription", subscription_id=subscription.pk)


# ---------------------------------------------------------------------------------------------------------------
# Invoices


@require_GET
@store_login
def invoices(request):
    rows = [
        {"invoice": invoice, "total": format_minor_localized(invoice.total_minor, invoice.currency)}
        for invoice in Invoice.objects.filter(account=_account(request))
    ]
    return render(request, "billing/store/invoices.html", {"rows": rows})


@require_GET
@store_login
def invoice_detail(request, number: str):
    invoice = get_object_or_404(
        Invoice.objects.select_related("account", "subscription__coupon__organisation"),
        number=number,
        account=_account(request),
    )
    return render(request, "billing/store/invoice.html", invoice_document(invoice))


@require_GET
@store_login
def invoice_pdf_view(request, number: str):
    """The invoice as a PDF file, from the page's own template (billing.invoice_documents.invoice_pdf)."""
    invoice = get_object_or_404(
        Invoice.objects.select_related("account", "subscription__coupon__organisation"),
        number=number,
        account=_account(request),
    )
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    return response
