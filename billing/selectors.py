"""Reads of the store that several of its modules need (kept apart so that invoices and tax exemptions, which
build on each other, both read them without an import loop)."""

from datetime import datetime

from billing.models import CustomerAccount, TaxExemption, TaxExemptionStatus


def account_tax_exempt(*, account: CustomerAccount, country: str, region: str = "", on: datetime) -> bool:
    """Whether the account holds an approved exemption, decided at or before `on`, covering the jurisdiction: one
    for that region, or one for the whole country (empty region)."""
    country, region = (country or "").upper(), (region or "").upper()
    return TaxExemption.objects.filter(
        account=account, country=country, region__in={region, ""}, status=TaxExemptionStatus.EXEMPT, decided_at__lte=on
    ).exists()
