"""The applicant's journey: the program page, then one step per page until the application is submitted.

The draft Application row holds what was entered, so Back and Continue (and a reload, or another day) show it
again. The session only remembers which draft is this browser's (its token). Steps cannot be skipped: asking for a
later step redirects to the first one not done.
"""

from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.client_ip import client_ip
from core.errors import ApplicationError, InvalidInput, NotFound
from core.money import format_minor_localized, minor_exponent, to_minor
from programs.selectors import program_country_documents, program_get, program_rulebook, program_text_current
from registry.countries import country_has_register, country_name
from registry.search.engine import search_organisations
from verification import forms
from verification.eligibility_selectors import application_precheck
from verification.email_challenges import email_challenge_send
from verification.models import Application, ApplicationState
from verification.proofs.offer import proof_offer
from verification.selectors import application_get_by_token
from verification.services.intake import (
    OverBudgetCap,
    intake_budget_gate,
    intake_country_set,
    intake_email_prove,
    intake_email_set,
    intake_organisation_choose,
    intake_organisation_manual,
    intake_representative_set,
    intake_start,
    intake_submit,
    intake_update,
)

SESSION_KEY = "vouch_drafts"  # {program slug: application token}
# "eligibility": what the registers settle about the chosen organisation, shown before the applicant's name and
# email. An ineligible organisation stops there (later steps send back to it) while the draft holds no personal data;
# a draft that already does (a partner's, through the API or an invite) goes on to the refusal and its appeal.
STEPS = ("country", "organisation", "eligibility", "representative", "email", "code", "confirm")


def _done(application: Application, step: str) -> bool:
    if step == "country":
        return bool(application.country)
    if step in ("organisation", "eligibility"):
        chosen = bool(application.organisation_id or application.manual_name)
        if step == "organisation" or not chosen:
            return chosen
        if application.applicant_name or application.email:
            return True
        return application_precheck(application=application).outcome != "ineligible"
    return {
        "representative": bool(application.applicant_name),
        "email": bool(application.email),
        "code": application.email_verified_at is not None,
        "confirm": False,
    }[step]


def first_unfinished(application: Application) -> str:
    return next(step for step in STEPS if not _done(application, step))


def _posted(request):
    """The POST data, bound even when empty (an empty POST must show "required" errors, not a blank form)."""
    return request.POST if request.method == "POST" else None


def _step_url(program, step: str) -> str:
    return reverse("verification:step", args=[program.slug, step])


def _previous_url(program, step: str) -> str:
    if step == "confirm":
        return _step_url(program, "email")  # the code is proven by then; Back goes to the address itself
    index = STEPS.index(step)
    return _step_url(program, STEPS[index - 1]) if index else reverse("verification:program", args=[program.slug])


def _draft_from_session(request, program) -> Application | None:
    token = request.session.get(SESSION_KEY, {}).get(program.slug)
    if not token:
        return None
    try:
        application = application_get_by_token(token=token)
    except NotFound:
        return None
    return application if application.program_id == program.pk else None


def remember_draft(request, application: Application) -> None:
    drafts = dict(request.session.get(SESSION_KEY, {}))
    drafts[application.program.slug] = application.token
    request.session[SESSION_KEY] = drafts


def _forget_draft(request, program) -> None:
    drafts = dict(request.session.get(SESSION_KEY, {}))
    drafts.pop(program.slug, None)
    request.session[SESSION_KEY] = drafts


def journey_step(step: str):
    """Resolve the program and this browser's draft; refuse to skip ahead; leave submitted drafts."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, slug: str, *args, **kwargs):
            program = program_get(slug=slug)
            application = _draft_from_session(request, program)
            if application is None:
                messages.info(request, _("Start by telling us the organisation's budget."))
                return redirect("verification:program", slug=program.slug)
            if application.state != ApplicationState.DRAFT:
                return redirect("verification:status", token=application.token)
            unfinished = first_unfinished(application)
            if STEPS.index(step) > STEPS.index(unfinished):
                return redirect(_step_url(program, unfinished))
            return view(request, program, application, *args, **kwargs)

        return wrapper

    return decorate


def _render_step(request, program, application, step: str, context: dict, status: int = 200, template: str = ""):
    context = {
        "program": program,
        "application": application,
        "step": step,
        "step_number": STEPS.index(step) + 1,
        "step_count": len(STEPS),
        "back_url": _previous_url(program, step),
        **context,
    }
    return render(request, template or f"verification/step_{step}.html", context, status=status)


def _after_post(request, program, step: str) -> str:
    """Where Back or Continue go. Back keeps what was entered when it is valid, and never blocks."""
    if "back" in request.POST:
        return _previous_url(program, step)
    return _step_url(program, STEPS[STEPS.index(step) + 1])


@require_http_methods(["GET", "POST"])
def program_page(request, slug: str):
    program = program_get(slug=slug)
    draft = _draft_from_session(request, program)
    draft = draft if draft and draft.state == ApplicationState.DRAFT else None
    initial = {}
    if draft and draft.declared_budget_minor is not None:
        initial["budget"] = Decimal(draft.declared_budget_minor).scaleb(-minor_exponent(program.budget_currency))
    form = forms.BudgetForm(_posted(request), program=program, initial=initial)
    context = {
        "program": program,
        "form": form,
        "draft": draft,
        "resume_url": _step_url(program, first_unfinished(draft)) if draft else "",
        "cap": format_minor_localized(program.budget_cap_minor, program.budget_currency),
        "rules": program_rulebook(program),
    }
    if request.method == "POST" and form.is_valid():
        budget_minor = to_minor(form.cleaned_data["budget"], program.budget_currency)
        try:
            if draft is None:
                draft = intake_start(program=program, language=request.LANGUAGE_CODE, budget_minor=budget_minor)
            else:
                intake_update(
                    application=draft,
                    declared_budget_minor=intake_budget_gate(program=program, amount_minor=budget_minor),
                )
        except OverBudgetCap:
            return render(
                request,
                "verification/over_cap.html",
                {**context, "budget": format_minor_localized(budget_minor, program.budget_currency)},
            )
        remember_draft(request, draft)
        return redirect(_step_url(program, first_unfinished(draft)))
    return render(request, "verification/program.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@journey_step("country")
def step_country(request, program, application):
    form = forms.CountryForm(_posted(request), instance=application, program=program)
    if request.method == "POST":
        if form.is_valid():
            intake_country_set(application=application, country=form.cleaned_data["country"])
            return redirect(_after_post(request, program, "country"))
        if "back" in request.POST:
            return redirect(_previous_url(program, "country"))
    return _render_step(request, program, application, "country", {"form": form}, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@journey_step("organisation")
def step_organisation(request, program, application):
    if not country_has_register(application.country):  # nothing to search: described by hand, then documents
        return redirect("verification:organisation_manual", slug=program.slug)
    search = forms.OrganisationSearchForm(request.GET or _posted(request))
    query = search.cleaned_data["q"] if search.is_valid() else ""
    choice = forms.OrganisationChoiceForm(_posted(request))
    if request.method == "POST":
        if "back" in request.POST:
            return redirect(_previous_url(program, "organisation"))
        if not request.POST.get("org_id") and application.manual_name:
            return redirect(_after_post(request, program, "organisation"))  # keeps the one added by hand
        if choice.is_valid():
            try:
                intake_organisation_choose(application=application, org_id=choice.cleaned_data["org_id"])
            except (NotFound, InvalidInput):
                choice.add_error("org_id", _("Choose your organisation in the list."))
            else:
                return redirect(_after_post(request, program, "organisation"))
    hits = search_organisations(query=query, country=application.country, limit=10) if query else []
    chosen = application.organisation if application.organisation_id else None
    context = {
        "search": search,
        "choice": choice,
        "hits": hits,
        "query": query,
        "chosen": chosen,
        "chosen_listed": bool(chosen) and any(hit.org_id == chosen.org_id for hit in hits),
        "searched": bool(query),
    }
    return _render_step(request, program, application, "organisation", context, 400 if choice.errors else 200)


@require_http_methods(["GET", "POST"])
@journey_step("organisation")
def step_organisation_manual(request, program, application):
    form = forms.ManualOrganisationForm(_posted(request), instance=application)
    has_register = country_has_register(application.country)
    # Without a register the search step is skipped both ways: Back goes to the country.
    back_url = _step_url(program, "organisation" if has_register else "country")
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                intake_organisation_manual(
                    application=application,
                    legal_name=data["manual_name"],
                    address=data["manual_address"],
                    registry_number=data["manual_registry_number"],
                    website=data["manual_website"],
                )
            except InvalidInput as error:
                form.add_error(None, str(error.message))
            else:
                return redirect(_after_post(request, program, "organisation"))
        if "back" in request.POST:
            return redirect(back_url)
    context = {
        "form": form,
        "back_url": back_url,
        "has_register": has_register,
        "country_name": country_name(application.country),
        "accepted_documents": program_country_documents(program, application.country),
    }
    return _render_step(
        request,
        program,
        application,
        "organisation",
        context,
        400 if form.errors else 200,
        template="verification/step_organisation_manual.html",
    )


@require_http_methods(["GET", "POST"])
@journey_step("eligibility")
def step_eligibility(request, program, application):
    """The pre-check: what passed, what failed (and what to do next), what a reviewer will settle."""
    result = application_precheck(application=application)
    if request.method == "POST":
        if "back" in request.POST or result.outcome == "ineligible":
            return redirect(_previous_url(program, "eligibility"))
        return redirect(_after_post(request, program, "eligibility"))
    codes = {verdict.code for verdict in result.by_outcome("fail")}
    context = {
        "result": result,
        "failed": result.by_outcome("fail"),
        "review": result.by_outcome("review"),
        "passed": result.by_outcome("pass"),
        "education": "excluded_education" in codes and bool(program.education_program_url),
        "over_cap": "over_budget_cap" in codes and bool(program.sales_contact_url),
    }
    return _render_step(request, program, application, "eligibility", context)


@require_http_methods(["GET", "POST"])
@journey_step("representative")
def step_representative(request, program, application):
    form = forms.RepresentativeForm(_posted(request), instance=application)
    if request.method == "POST":
        if form.is_valid():
            try:
                intake_representative_set(application=application, name=form.cleaned_data["applicant_name"])
            except InvalidInput as error:
                form.add_error("applicant_name", str(error.message))
            else:
                return redirect(_after_post(request, program, "representative"))
        if "back" in request.POST:
            return redirect(_previous_url(program, "representative"))
    return _render_step(request, program, application, "representative", {"form": form}, 400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@journey_step("email")
def step_email(request, program, application):
    form = forms.EmailForm(_posted(request), initial={"email": application.email})
    status = 200
    if request.method == "POST":
        if "back" in request.POST:  # no code is sent on the way back
            return redirect(_previous_url(program, "email"))
        if form.is_valid():
            try:
                if not intake_email_set(
                    application=application, email=form.cleaned_data["email"], ip=client_ip(request)
                ):
                    return redirect(_step_url(program, "confirm"))  # already proven: no new code
                return redirect(_step_url(program, "code"))
            except ApplicationError as error:
                form.add_error("email", str(error.message))
                status = error.http_status
        else:
            status = 400
    return _render_step(request, program, application, "email", {"form": form}, status)


@require_http_methods(["GET", "POST"])
@journey_step("code")
def step_code(request, program, application):
    form = forms.CodeForm(_posted(request))
    status = 200
    if request.method == "POST":
        if "back" in request.POST:
            return redirect(_previous_url(program, "code"))
        if form.is_valid():
            try:
                intake_email_prove(application=application, code=form.cleaned_data["code"])
                return redirect(_step_url(program, "confirm"))
            except ApplicationError as error:
                form.add_error("code", str(error.message))
                status = error.http_status
        else:
            status = 400
    return _render_step(request, program, application, "code", {"form": form}, status)


@require_POST
@journey_step("code")
def resend_code(request, program, application):
    try:
        email_challenge_send(application=application, email=application.email, ip=client_ip(request))
        messages.success(request, _("A new code is on its way to %(email)s.") % {"email": application.email})
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect(_step_url(program, "code"))


@require_http_methods(["GET", "POST"])
@journey_step("confirm")
def step_confirm(request, program, application):
    form = forms.ConfirmForm(_posted(request))
    status = 200
    if request.method == "POST":
        if "back" in request.POST:
            return redirect(_previous_url(program, "confirm"))
        if form.is_valid():
            try:
                intake_submit(
                    application=application,
                    ip=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
                    language=request.LANGUAGE_CODE,
                )
            except ApplicationError as error:
                form.add_error(None, str(error.message))
                status = error.http_status
            else:
                _forget_draft(request, program)
                return redirect("verification:status", token=application.token)
        else:
            status = 400
    budget = (
        format_minor_localized(application.declared_budget_minor, program.budget_currency)
        if application.declared_budget_minor is not None
        else ""
    )
    texts = {
        "terms": program_text_current(program, "terms", request.LANGUAGE_CODE),
        "privacy": program_text_current(program, "privacy", request.LANGUAGE_CODE),
    }
    return _render_step(
        request,
        program,
        application,
        "confirm",
        {"form": form, "budget": budget, "texts": texts, **proof_offer(application)},
        status,
    )


_STEP_VIEWS = {
    "country": step_country,
    "organisation": step_organisation,
    "eligibility": step_eligibility,
    "representative": step_representative,
    "email": step_email,
    "code": step_code,
    "confirm": step_confirm,
}


def step_view(request, slug: str, step: str):
    """One URL per step: /programs/<slug>/apply/<step>/."""
    view = _STEP_VIEWS.get(step)
    if view is None:
        raise Http404("no such step")
    return view(request, slug)
