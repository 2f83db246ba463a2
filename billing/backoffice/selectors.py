"""The billing back-office's lists: each filter form's cleaned data to a queryset, and the rows of its CSV export
(the same queryset, so the export is exactly what the filter shows)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from billing.legacy import legacy_discount_percent
from billing.models import CustomerAccount, Invoice, Subscription, TaxExemption, TaxExemptionStatus
from core.money import minor_exponent


def _period(data: dict) -> tuple[date | None, date | None]:
    today = timezone.localdate()
    period = data.get("period") or ""
    if period == "30d":
        return today - timedelta(days=30), today
    if period == "12m":
        return today - timedelta(days=365), today
    if period == "custom":
        return data.get("start"), data.get("end")
    return None, None


def major_units(amount_minor: int, currency: str) -> str:
    """Money for a spreadsheet: a plain decimal number in major units ("1239.70"), the currency in its own column."""
    exponent = minor_exponent(currency)
    return f"{Decimal(amount_minor).scaleb(-exponent):.{exponent}f}"


def invoices_filtered(data: dict):
    rows = Invoice.objects.select_related("account", "credit_note_for").order_by("-issued_at", "-number")
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    start, end = _period(data)
    if start:
        rows = rows.filter(issued_at__date__gte=start)
    if end:
        rows = rows.filter(issued_at__date__lte=end)
    if data.get("account"):
        rows = rows.filter(account__email__icontains=data["account"].strip())
    return rows


INVOICE_COLUMNS = [
    "number",
    "issued",
    "account",
    "status",
    "currency",
    "subtotal",
    "discount",
    "tax",
    "total",
    "paid_on",
    "payment_reference",
    "credit_note_for",
    "void_reason",
]


def invoice_csv_rows(rows):
    for invoice in rows:
        yield [
            invoice.number,
            invoice.issued_at.date().isoformat(),
            invoice.account.email,
            invoice.status,
            invoice.currency,
            *(
                major_units(getattr(invoice, f"{n}_minor"), invoice.currency)
                for n in ("subtotal", "discount", "tax", "total")
            ),
            invoice.paid_at.date().isoformat() if invoice.paid_at else "",
            invoice.payment_reference,
            invoice.credit_note_for.number if invoice.credit_note_for_id else "",
            invoice.void_reason,
        ]


def subscriptions_filtered(data: dict):
    rows = Subscription.objects.select_related("account", "plan", "coupon").prefetch_related("items__product")
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    if data.get("billing_cycle"):
        rows = rows.filter(billing_cycle=data["billing_cycle"])
    if data.get("discounted") == "yes":
        rows = rows.filter(coupon__isnull=False, discount_percent__gt=0)
    elif data.get("discounted") == "no":
        rows = rows.exclude(coupon__isnull=False, discount_percent__gt=0)
    if data.get("account"):
        rows = rows.filter(account__email__icontains=data["account"].strip())
    return rows.order_by("current_period_end", "pk")


def subscription_discount(subscription: Subscription) -> tuple[str, str]:
    """(percent, why) for the lists: the nonprofit coupon, the previous partner's discount, or none."""
    if subscription.is_discounted:
        return f"{subscription.discount_percent.normalize():f}", f"coupon …{subscription.coupon.code_hint}"
    legacy = legacy_discount_percent(subscription, today=timezone.localdate())
    if legacy is not None:
        return f"{legacy.normalize():f}", "previous partner (additions this term)"
    if subscription.coupon_id:
        return "0", f"coupon …{subscription.coupon.code_hint} (from next renewal or ended)"
    return "0", ""


SUBSCRIPTION_COLUMNS = [
    "id",
    "account",
    "plan",
    "licences",
    "add_ons",
    "billing_cycle",
    "currency",
    "status",
    "discount_percent",
    "discount_why",
    "next_renewal",
    "renews",
]


def subscription_csv_rows(rows):
    for subscription in rows:
        percent, why = subscription_discount(subscription)
        add_ons = "; ".join(f"{item.product.code} x{item.quantity}" for item in subscription.items.all())
        yield [
            subscription.pk,
            subscription.account.email,
            subscription.plan.code,
            subscription.quantity,
            add_ons,
            subscription.billing_cycle,
            subscription.currency,
            subscription.status,
            percent,
            why,
            subscription.current_period_end.isoformat(),
            "no" if subscription.cancel_at_period_end or not subscription.auto_renew else "yes",
        ]


def accounts_filtered(data: dict):
    exempt = TaxExemption.objects.filter(account=OuterRef("pk"), status=TaxExemptionStatus.EXEMPT)
    rows = CustomerAccount.objects.annotate(is_tax_exempt=Exists(exempt)).order_by("email")
    if data.get("country"):
        rows = rows.filter(billing_country=data["country"].strip().upper())
    if data.get("verified") == "yes":
        rows = rows.filter(email_verified_at__isnull=False)
    elif data.get("verified") == "no":
        rows = rows.filter(email_verified_at__isnull=True)
    if data.get("tax") == "exempt":
        rows = rows.filter(is_tax_exempt=True)
    elif data.get("tax") == "taxable":
        rows = rows.filter(is_tax_exempt=False)
    if data.get("q"):
        q = data["q"].strip()
        rows = rows.filter(Q(email__icontains=q) | Q(organisation_name__icontains=q))
    return rows


ACCOUNT_COLUMNS = [
    "id",
    "email",
    "email_verified",
    "organisation",
    "country",
    "region",
    "currency",
    "tax_status",
    "tax_id",
    "created",
]


def account_csv_rows(rows):
    for account in rows:
        yield [
            account.pk,
            account.email,
            "yes" if account.is_verified else "no",
            account.organisation_name,
            account.billing_country,
            account.billing_region,
            account.currency,
            "exempt" if account.is_tax_exempt else "taxable",
            account.tax_id,
            account.created_at.date().isoformat(),
        ]
