"""Reads: applications by token, the review queue, dashboard figures, and the facts the rules are given."""

import statistics
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from core.errors import NotFound
from coupons.models import Coupon, CouponState
from programs.models import Program
from registry.models import Organisation
from verification.models import Application, ApplicationState, CheckOutcome, CheckResult
from verification.proofs.facts import contact_facts, domain_proof_facts, receipt_facts
from verification.rules import ApplicantFacts, OrganisationFacts, ProgramRules

# What a reviewer works on; drafts, decided and expired applications are not in the queue.
QUEUE_STATES = (ApplicationState.IN_REVIEW, ApplicationState.NEEDS_INFORMATION, ApplicationState.APPEALED)
# "Another open application": submitted and not yet decided. A draft someone abandoned does not count.
PENDING_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.NEEDS_INFORMATION,
    ApplicationState.APPEALED,
)
DECIDED_STATES = (ApplicationState.APPROVED, ApplicationState.REJECTED)


def application_get_by_token(*, token: str) -> Application:
    application = (
        Application.objects.select_related("program", "organisation", "organisation__source")
        .filter(token=(token or "")[:64])
        .first()
    )
    if application is None or not token:
        raise NotFound("no application with this link", code="application_not_found")
    return application


def review_queue(
    *, state: str | None = None, country: str | None = None, overdue: bool | None = None, now: datetime | None = None
) -> QuerySet[Application]:
    """Applications waiting on the verifier, soonest due first."""
    now = now or timezone.now()
    queryset = Application.objects.select_related("program", "organisation", "assigned_to")
    queryset = queryset.filter(state=state) if state else queryset.filter(state__in=QUEUE_STATES)
    if country:
        country = country.upper()[:2]
        queryset = queryset.filter(Q(organisation__country=country) | Q(organisation__isnull=True, country=country))
    if overdue is True:
        queryset = queryset.filter(due_at__lt=now)
    elif overdue is False:
        queryset = queryset.filter(Q(due_at__gte=now) | Q(due_at__isnull=True))
    return queryset.order_by("due_at", "submitted_at", "pk")


def dashboard_figures(*, program: Program | None = None, now: datetime | None = None) -> dict:
    """Applications by state; of the decided ones, the share decided automatically, the median hours from
    submission to decision and the share decided within the SLA (automatic decisions are); overdue applications."""
    now = now or timezone.now()
    applications = Application.objects.all()
    if program is not None:
        applications = applications.filter(program=program)
    counts = {row["state"]: row["n"] for row in applications.order_by().values("state").annotate(n=Count("pk"))}
    by_state = {state.value: counts.get(state.value, 0) for state in ApplicationState}
    decided = list(
        applications.filter(decided_at__isnull=False, submitted_at__isnull=False).values_list(
            "submitted_at", "decided_at", "due_at", "decided_automatically"
        )
    )
    hours = [
        (decided_at - submitted_at).total_seconds() / 3600
        for submitted_at, decided_at, _, _ in decided
        if decided_at is not None and submitted_at is not None
    ]
    within = sum(
        1
        for _, decided_at, due_at, automatic in decided
        if automatic or (due_at is not None and decided_at is not None and decided_at <= due_at)
    )
    automatic = sum(1 for *_, is_automatic in decided if is_automatic)
    return {
        "by_state": by_state,
        "total": sum(by_state.values()),
        "decided": len(decided),
        "automatic_share": automatic / len(decided) if decided else None,
        "median_hours_to_decision": statistics.median(hours) if hours else None,
        "within_sla_share": within / len(decided) if decided else None,
        "overdue": applications.filter(state__in=QUEUE_STATES, due_at__lt=now).count(),
    }


# --- facts for the rules ----------------------------------------------------------------------------------------


def organisation_facts(*, organisation: Organisation) -> OrganisationFacts:
    source = organisation.source  # callers select_related("source"); one query otherwise
    return OrganisationFacts(
        org_id=organisation.org_id,
        name=organisation.name,
        country=organisation.country,
        status=organisation.status,
        removed_on=organisation.removed_on,
        removal_reason=organisation.removal_reason,
        categories=tuple(organisation.categories or ()),
        raw_codes=dict(organisation.raw_codes or {}),
        income_minor=organisation.income_minor,
        income_currency=organisation.income_currency,
        income_period_end=organisation.income_period_end,
        website=organisation.website,
        email_domain=organisation.email_domain,
        source=source.slug,
        source_imported_at=source.last_imported_at,
    )


def _rates(raw: dict) -> dict[str, Decimal]:
    """The program's exchange rates; an entry an admin mistyped is left out (its currency goes to review)."""
    rates = {}
    for currency, value in (raw or {}).items():
        try:
            rate = Decimal(str(value))
        except (InvalidOperation, ValueError):
            continue
        if rate.is_finite() and rate > 0:
            rates[str(currency).upper()] = rate
    return rates


def program_rules(*, program: Program) -> ProgramRules:
    def codes(values) -> tuple[str, ...]:
        return tuple(str(value).upper() for value in values or ())

    return ProgramRules(
        slug=program.slug,
        budget_cap_minor=program.budget_cap_minor,
        budget_currency=program.budget_currency,
        exchange_rates=_rates(program.exchange_rates),
        supported_countries=codes(program.supported_countries),
        exclusions=tuple(program.exclusions or ()),
        sanctioned_countries=codes(program.sanctioned_countries),
        education_program_url=program.education_program_url,
        sales_contact_url=program.sales_contact_url,
    )


def applicant_facts(*, application: Application) -> ApplicantFacts:

    return ApplicantFacts(
        declared_budget_minor=application.declared_budget_minor,
        email=application.email,
        email_verified=application.email_verified_at is not None,
        is_manual=application.is_manual,
        country=application.country,
        domain_proof=domain_proof_facts(application=application),
        contact=contact_facts(application=application),
        receipt=receipt_facts(application=application),
    )


def organisation_has_active_coupon(*, program: Program, org_id: str, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return Coupon.objects.filter(
        program=program, organisation_key=org_id, state=CouponState.ACTIVE, redeem_by__gte=now
    ).exists()


def organisation_has_open_application(*, application: Application) -> bool:
    if not application.organisation_id:
        return False
    return (
        Application.objects.filter(
            program_id=application.program_id, organisation_id=application.organisation_id, state__in=PENDING_STATES
        )
        .exclude(pk=application.pk)
        .exists()
    )


def application_passed_checks(*, application: Application) -> list[CheckResult]:
    """The checks the application passed, with the evidence each used: shown to the applicant on approval (the
    status page and the approval email), as the reasons are on a refusal."""
    return list(CheckResult.objects.filter(application=application, outcome=CheckOutcome.PASS).order_by("pk"))


# --- links in emails ----------------------------------------------------------------------------------------------


def _absolute(name: str, language: str, **kwargs) -> str:
    with translation.override(language):  # the i18n URL prefix: the page opens in the application's language
        return settings.PUBLIC_BASE_URL + reverse(name, kwargs=kwargs)


def application_status_url(*, application: Application) -> str:
    """The unguessable status page (where the applicant also uploads documents and appeals)."""
    return _absolute("verification:status", application.language, token=application.token)


def application_appeal_url(*, application: Application) -> str:
    return _absolute("verification:status_appeal", application.language, token=application.token)


def program_url(*, program: Program, language: str) -> str:
    return _absolute("verification:program", language, slug=program.slug)
