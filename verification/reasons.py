"""Decision reasons as stored on the application ([{"code", "key", "params", "message"}]) and as read: rendered in
the reader's language from the key (a rule's explanation, or `rejection.<code>` for a reason a reviewer chose), the
stored text where the key is unknown (rows older than the keys, see migration 0008)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from verification.rules.explanations import TEMPLATES, explanation_render

REVIEWER_PREFIX = "rejection."

# The reasons a reviewer can give, as the applicant reads them. Codes shared with the rules mean the same thing.
REJECTION_REASONS = {
    "not_registered": gettext_lazy("We could not find the organisation in its country's register of nonprofits."),
    "registration_inactive": gettext_lazy("The organisation is no longer active in its register."),
    "not_charitable_status": gettext_lazy("The organisation does not have the charitable status the program requires."),
    "excluded_education": gettext_lazy(
        "Schools, colleges and universities are not eligible for the nonprofit "
        "discount; ask the vendor about its education program."
    ),
    **{
        code: TEMPLATES[code]
        for code in (
            "excluded_government",
            "excluded_political",
            "excluded_religious",
            "excluded_health",
            "excluded_private_foundation",
            "excluded_professional",
        )
    },
    "over_budget_cap": gettext_lazy("The organisation's annual budget is above the program's cap."),
    "sanctioned_country": gettext_lazy("Organisations of this country cannot be served (sanctions)."),
    "country_not_supported": gettext_lazy("The program does not serve organisations of this country yet."),
    "duplicate_active_coupon": gettext_lazy("The organisation already holds an active coupon for this program."),
    "representative_not_confirmed": gettext_lazy(
        "We could not confirm that the applicant represents the organisation."
    ),
    "documents_insufficient": gettext_lazy(
        "The documents provided do not prove the organisation's registration as a nonprofit."
    ),
    "not_public_benefit": gettext_lazy("The organisation does not operate not-for-profit for public benefit."),
    "fiscally_sponsored_project": gettext_lazy(
        "Fiscally sponsored projects are not eligible on their own: the sponsoring organisation may apply."
    ),
    "other": gettext_lazy("Another reason, explained in the reviewer's message."),
}


def rejection_reason(code: str) -> dict[str, Any]:
    """A reason a reviewer chose, as stored: its text in the active language (the applicant's) as the fallback."""
    return {"code": code, "key": REVIEWER_PREFIX + code, "params": {}, "message": str(REJECTION_REASONS[code])}


def reason_text(reason: Mapping[str, Any]) -> str:
    """One stored reason, in the active language."""
    key = str(reason.get("key") or "")
    fallback = str(reason.get("message") or "")
    if key.startswith(REVIEWER_PREFIX):
        label = REJECTION_REASONS.get(key.removeprefix(REVIEWER_PREFIX))
        return str(label) if label is not None else fallback
    return explanation_render(key, reason.get("params"), fallback=fallback)


def reasons_read(reasons: Iterable[Mapping[str, Any]] | None) -> list[dict[str, str]]:
    """[{"code", "message"}] in the active language, for pages, emails and the API."""
    return [{"code": str(reason.get("code") or ""), "message": reason_text(reason)} for reason in reasons or []]
