"""The support console's pages (mounted under /<lang>/support/): search, a case page per application with its
timeline and actions, the open cases; and the applicant's "this was not me" from the status page. Staff pages
check a permission (support.roles): reading needs support.use_console, each action its own permission (checked
again by support.services). Actions are POSTs whose errors come back as messages."""

from datetime import datetime, time

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.charts import bar_chart, column_chart
from core.errors import ApplicationError
from core.masking import email_mask
from core.money import format_minor_localized
from core.staff import permission_page
from notifications.models import OutboxEmail
from support import forms
from support.dashboard import dashboard_data, period_of
from support.models import SupportCase
from support.selectors import application_timeline, coupon_redemption, open_cases, support_search
from support.services import (
    case_close,
    case_open_not_me,
    support_coupon_extend,
    support_coupon_reissue,
    support_coupon_revoke,
    support_email_resend,
)
from verification.models import Application, ApplicationState
from verification.selectors import application_get_by_token

console = permission_page("support.use_console")


@require_GET
@console
def search(request):
    form = forms.SearchForm(request.GET or None)
    results = support_search(query=form.cleaned_data["q"]) if form.is_bound and form.is_valid() else None
    return render(request, "support/search.html", {"form": form, "results": results, "cases": open_cases()[:50]})


def _application(reference: str) -> Application:
    return get_object_or_404(
        Application.objects.select_related("program", "organisation", "decided_by", "coupon"), reference=reference[:16]
    )


def _emails(application: Application):
    return OutboxEmail.objects.filter(dedupe_key__startswith=f"application:{application.pk}:").order_by("-created_at")


def _case_page(request, application: Application, status=200, **given):
    coupon = application.coupon
    emails = list(_emails(application))
    context = {
        "application": application,
        "coupon": coupon,
        "redemption": coupon_redemption(coupon),
        "email_masked": email_mask(application.email),
        "timeline": application_timeline(application=application),
        "cases": SupportCase.objects.filter(application=application),
        "revoke_form": given.get("revoke_form") or forms.ReasonForm(prefix="revoke"),
        "reissue_form": given.get("reissue_form") or forms.ReasonForm(prefix="reissue"),
        "extend_form": given.get("extend_form") or forms.ExtendForm(prefix="extend"),
        "resend_form": given.get("resend_form")
        or (forms.ResendForm(prefix="resend", emails=emails) if emails else None),
        "close_form": forms.CloseCaseForm(),
    }
    return render(request, "support/case.html", context, status=status)


@require_GET
@console
def case(request, reference: str):
    return _case_page(request, _application(reference))


def _act(request, reference: str, form, action, done: str, form_name: str):
    application = _application(reference)
    if form.is_valid():
        try:
            action(application, form.cleaned_data)
        except ApplicationError as error:
            messages.error(request, f"{error.message} ({error.code})")
        else:
            messages.success(request, done)
            return redirect("support:case", reference=application.reference)
    return _case_page(request, application, status=400, **{form_name: form})


@require_POST
@console
def revoke(request, reference: str):
    return _act(
        request,
        reference,
        forms.ReasonForm(request.POST, prefix="revoke"),
        lambda app, data: support_coupon_revoke(application=app, actor=request.user, reason=data["reason"]),
        _("The coupon is revoked."),
        "revoke_form",
    )


@require_POST
@console
def reissue(request, reference: str):
    return _act(
        request,
        reference,
        forms.ReasonForm(request.POST, prefix="reissue"),
        lambda app, data: support_coupon_reissue(application=app, actor=request.user, reason=data["reason"]),
        _("A new code was emailed to the verified address; the old code no longer works."),
        "reissue_form",
    )


@require_POST
@console
def extend(request, reference: str):
    def action(app, data):
        until = timezone.make_aware(datetime.combine(data["redeem_by"], time(23, 59, 59)))
        support_coupon_extend(application=app, actor=request.user, redeem_by=until, reason=data["reason"])

    return _act(
        request,
        reference,
        forms.ExtendForm(request.POST, prefix="extend"),
        action,
        _("The redeem-by date is extended."),
        "extend_form",
    )


@require_POST
@console
def resend(request, reference: str):
    application = _application(reference)
    form = forms.ResendForm(request.POST, prefix="resend", emails=list(_emails(application)))
    return _act(
        request,
        reference,
        form,
        lambda app, data: support_email_resend(
            application=app, actor=request.user, email_id=data["email"], reason=data["reason"]
        ),
        _("The email is sent again."),
        "resend_form",
    )


@require_POST
@console
def close_case(request, pk: int):
    support_case = get_object_or_404(SupportCase.objects.select_related("application"), pk=pk)
    form = forms.CloseCaseForm(request.POST)
    if form.is_valid():
        try:
            case_close(case=support_case, actor=request.user, resolution=form.cleaned_data["resolution"])
        except ApplicationError as error:
            messages.error(request, f"{error.message} ({error.code})")
        else:
            messages.success(request, _("The case is closed."))
    else:
        messages.error(request, _("Write the resolution before closing the case."))
    return redirect("support:case", reference=support_case.application.reference)


@require_POST
@never_cache
def not_me(request, token: str):
    """The status page's "this was not me" (no login: the token in the address is the credential)."""
    application = application_get_by_token(token=(token or "")[:64])
    form = forms.NotMeForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        case_open_not_me(application=application, message=message)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Thank you. Our support will look into it and write to you; your reference is %(reference)s.")
            % {"reference": application.reference},
        )
    response = redirect("verification:status", token=token)
    response["Referrer-Policy"] = "same-origin"
    return response


def _state_label(state: str) -> str:
    return str(dict(ApplicationState.choices).get(state, state))


@require_GET
@console
def dashboard(request):
    """Per program and period, charts drawn on the server (core.charts) with their numbers in tables."""
    form = forms.DashboardForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = period_of(data.get("period") or "30d", data.get("start"), data.get("end"))
    figures = dashboard_data(program=data.get("program"), period=period)
    states = [(_state_label(state), count) for state, count in sorted(figures["by_state"].items())]
    weeks = [(date_format(monday, "SHORT_DATE_FORMAT"), count) for monday, count in figures["weeks"]]
    shares = [(_("Decided automatically"), figures["automatic"]), (_("Decided by a reviewer"), figures["reviewed"])]
    coupons = [
        (_("Coupons issued"), figures["coupons_issued"]),
        (_("Coupons redeemed"), figures["coupons_redeemed"]),
        (_("Coupons expired"), figures["coupons_expired"]),
    ]
    charts = [
        {
            "id": "states",
            "title": _("Applications by state"),
            "rows": states,
            "svg": bar_chart(states, title=_("Applications by state")),
        },
        {
            "id": "weeks",
            "title": _("Applications submitted per week"),
            "rows": weeks,
            "svg": column_chart(
                weeks,
                title=_("Applications submitted per week"),
                summary=_("%(count)s applications in %(weeks)s weeks")
                % {"count": figures["submitted"], "weeks": len(weeks)},
            ),
        },
        {
            "id": "automatic",
            "title": _("Automatic and reviewed decisions"),
            "rows": shares,
            "svg": bar_chart(shares, title=_("Automatic and reviewed decisions"), colour="#116329"),
        },
        {
            "id": "refusals",
            "title": _("Refusals by reason"),
            "rows": figures["refusals"],
            "svg": bar_chart(figures["refusals"], title=_("Refusals by reason"), colour="#b42318"),
        },
        {
            "id": "countries",
            "title": _("Applications by country"),
            "rows": figures["countries"],
            "svg": bar_chart(figures["countries"], title=_("Applications by country"), colour="#5b2a86"),
        },
        {
            "id": "coupons",
            "title": _("Coupons"),
            "rows": coupons,
            "svg": bar_chart(coupons, title=_("Coupons"), colour="#0e6e6e"),
        },
    ]
    hours = {
        name: (None if figures[name] is None else round(figures[name] / 24, 1))
        for name in ("median_hours", "p90_hours")
    }
    discount = [format_minor_localized(amount, currency) for currency, amount in figures["discount_minor"].items()]
    return render(
        request,
        "support/dashboard.html",
        {"form": form, "figures": figures, "charts": charts, "days": hours, "discount": discount, "period": period},
    )
