"""A partner's hosted invite: /<lang>/programs/invite/<token>/ starts an application bound to the partner, with
the partner's prefill, then hands over to the normal journey (verification.views.journey)."""

from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import ApplicationError, NotFound
from core.money import format_minor_localized, to_minor
from partners.invites import InviteGone, invite_application_start, invite_for_token
from partners.models import Invite
from verification import forms
from verification.services.intake import OverBudgetCap
from verification.views.journey import SESSION_KEY, first_unfinished, remember_draft


def _unavailable(request, error: ApplicationError):
    return render(request, "partners/invite_unavailable.html", {"error": error}, status=error.http_status)


def _own_started_application(request, token: str):
    """The application this browser already started from the invite (a second click on the same link)."""
    invite = (
        Invite.objects.select_related("application", "application__program")
        .filter(token=(token or "")[:64], application__isnull=False)
        .first()
    )
    if invite is None:
        return None
    application = invite.application
    drafts = request.session.get(SESSION_KEY, {})
    return application if drafts.get(application.program.slug) == application.token else None


@never_cache
@require_http_methods(["GET", "POST"])
def invite_page(request, token: str):
    try:
        invite = invite_for_token(token=token)
    except (NotFound, InviteGone) as error:
        application = _own_started_application(request, token) if isinstance(error, InviteGone) else None
        if application is None:
            return _unavailable(request, error)
        if application.state != "draft":
            return redirect("verification:status", token=application.token)
        return redirect("verification:step", slug=application.program.slug, step=first_unfinished(application))
    program = invite.partner.program
    form = forms.BudgetForm(request.POST if request.method == "POST" else None, program=program)
    context = {
        "program": program,
        "partner": invite.partner,
        "form": form,
        "cap": format_minor_localized(program.budget_cap_minor, program.budget_currency),
    }
    if request.method == "POST" and form.is_valid():
        budget_minor = to_minor(form.cleaned_data["budget"], program.budget_currency)
        try:
            with transaction.atomic():
                application = invite_application_start(
                    invite=invite, budget_minor=budget_minor, language=request.LANGUAGE_CODE
                )
        except OverBudgetCap:  # the invite stays unused
            return render(
                request,
                "verification/over_cap.html",
                {**context, "budget": format_minor_localized(budget_minor, program.budget_currency)},
            )
        except InviteGone as error:  # another browser used the link a moment ago
            return _unavailable(request, error)
        remember_draft(request, application)
        return redirect("verification:step", slug=program.slug, step=first_unfinished(application))
    return render(request, "partners/invite.html", context, status=400 if form.errors else 200)
