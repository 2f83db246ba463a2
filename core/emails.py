"""Email addresses: the one normal form every comparison uses (the applicant's, the account's, the coupon's)."""

from django.utils.translation import gettext_lazy as _
from email_validator import EmailNotValidError, validate_email

from core.errors import InvalidInput


def email_normalise(email: str) -> str:
    """The form every comparison uses: syntax checked, domain in lower case (IDNA), local part as typed."""
    try:
        valid = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(
            _("This email address is not valid: %(reason)s") % {"reason": error}, code="email_invalid"
        ) from error
    return f"{valid.local_part}@{valid.ascii_domain.lower()}"
