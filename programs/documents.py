"""Documents an organisation that no imported register settles can send instead, per country.

A program may override the table in `Program.country_documents` ({"FR": ["statutes", …], "*": […]}, "*" being every
other country); without an override, these defaults apply. The kinds are codes so that the rules JSON, the journey
and the reviewer all name the same thing, each rendered in the reader's language.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    REGISTRATION_CERTIFICATE = "registration_certificate", _("Certificate of registration from the national register")
    STATUTES = "statutes", _("Statutes or articles of association, signed and dated")
    TAX_EXEMPTION_LETTER = "tax_exemption_letter", _("Letter from the tax authority recognising the exempt status")
    ANNUAL_ACCOUNTS = "annual_accounts", _("The latest annual accounts or annual report")
    GAZETTE_PUBLICATION = "gazette_publication", _("Publication of the creation in the official gazette")
    PREFECTURE_RECEIPT = "prefecture_receipt", _("Receipt of the declaration to the prefecture")
    IRS_DETERMINATION_LETTER = "irs_determination_letter", _("IRS determination letter (501(c)(3))")
    CHARITY_REGISTER_EXTRACT = "charity_register_extract", _("Extract from the charity regulator's register")
    ACNC_REGISTRATION = "acnc_registration", _("ACNC registration or state incorporation certificate")


# Any country not listed: what registers everywhere issue in some form.
DEFAULT_DOCUMENTS: tuple[str, ...] = (
    DocumentKind.REGISTRATION_CERTIFICATE,
    DocumentKind.STATUTES,
    DocumentKind.ANNUAL_ACCOUNTS,
)

COUNTRY_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "US": (DocumentKind.IRS_DETERMINATION_LETTER, DocumentKind.STATUTES),
    "GB": (DocumentKind.CHARITY_REGISTER_EXTRACT, DocumentKind.STATUTES, DocumentKind.ANNUAL_ACCOUNTS),
    "FR": (DocumentKind.PREFECTURE_RECEIPT, DocumentKind.GAZETTE_PUBLICATION, DocumentKind.STATUTES),
    "AU": (DocumentKind.ACNC_REGISTRATION, DocumentKind.STATUTES),
}


def accepted_documents(overrides: dict | None, country: str) -> tuple[str, ...]:
    """The document kinds accepted from `country`: the program's override for it, else its "*" override, else the
    defaults above."""
    overrides = overrides or {}
    code = (country or "").upper()
    if code in overrides:
        return tuple(overrides[code])
    if code in COUNTRY_DOCUMENTS:
        return COUNTRY_DOCUMENTS[code]
    if "*" in overrides:
        return tuple(overrides["*"])
    return DEFAULT_DOCUMENTS


def document_label(kind: str) -> str:
    return str(dict(DocumentKind.choices).get(kind, kind))
