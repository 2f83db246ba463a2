"""Sales-tax exemption (issue 4 §6): request, staff review, credits of tax since the request, tax-free later
invoices, authorisation and hostile uploads. Demo rates: US-NY 4 %, US-CA 7.25 %."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from billing.checkout import subscription_buy
from billing.models import Invoice, InvoiceLineKind, TaxExemption, TaxExemptionCredit
from billing.selectors import account_tax_exempt
from billing.tax_exemptions import (
    NONPROFIT_DOCUMENT_NOT_TAX_EVIDENCE,
    tax_exemption_approve,
    tax_exemption_reject,
    tax_exemption_request,
)
from core.errors import Conflict, InvalidInput, PermissionDenied
from core.models import AuditEntry
from tests.billing.test_checkout_support import NOW, catalog, make_account, staff_user
from tests.staff import staff_login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path):
    catalog()
    settings.DOCUMENTS_DIR = tmp_path / "documents"


def pdf(name="certificate.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def request_exemption(
    account, *, certificate_type="state_exemption_certificate", country="US", region="NY", now=NOW, uploaded_file=None
):
    return tax_exemption_request(
        account=account,
        country=country,
        region=region,
        certificate_type=certificate_type,
        reason="Resale of software licences",
        signature="Jo Director",
        uploaded_file=uploaded_file or pdf(),
        now=now,
    )


def buy(account, key, *, now, quantity=2):
    subscription = subscription_buy(
        account=account,
        plan_code="workplace-pro",
        quantity=quantity,
        add_ons={},
        billing_cycle="annual",
        idempotency_key=key,
        now=now,
    )
    return subscription.invoices.get()


# --- the nonprofit letter ---------------------------------------------------------------------------------------


def test_a_determination_letter_is_rejected_at_once_with_the_explanation():
    account = make_account()
    exemption = request_exemption(account, certificate_type="nonprofit_determination_letter")
    assert exemption.status == "rejected"
    assert exemption.decision_code == NONPROFIT_DOCUMENT_NOT_TAX_EVIDENCE == "nonprofit_document_not_tax_evidence"
    assert "501(c)(3)" in exemption.decision_message and "not exemption from sales tax" in exemption.decision_message
    assert "exemption certificate" in exemption.decision_message
    assert exemption.decided_at == NOW and exemption.decided_by is None
    assert not account_tax_exempt(account=account, country="US", region="NY", on=NOW + timedelta(days=1))
    assert buy(account, "after", now=NOW + timedelta(days=1)).tax_minor == 1199  # still taxed
    # The customer can still send the right certificate for the jurisdiction.
    assert request_exemption(account).status == "pending"


def test_the_page_shows_the_explanation_for_a_determination_letter():
    account = make_account()
    client = Client()
    client.force_login(account.user)
    page = client.post(
        "/en/store/tax-exemption/",
        {
            "country": "US",
            "region": "NY",
            "certificate_type": "nonprofit_determination_letter",
            "reason": "We are a 501(c)(3)",
            "document": pdf("irs-letter.pdf"),
            "signature": "Jo Director",
            "attest": "on",
        },
        follow=True,
    )
    assert page.status_code == 200
    assert b"proves charitable status, not exemption from sales tax" in page.content
    assert TaxExemption.objects.get().status == "rejected"


# --- approval: credits since the request, later invoices tax-free ------------------------------------------------


def test_approval_credits_tax_since_the_request_and_later_invoices_are_tax_free():
    account = make_account()  # US-NY: 4 %
    staff = staff_user()
    before = buy(account, "before", now=NOW)  # 2 x 149.90: 29,980 + tax 1,199 (1,199.2)
    assert (before.number, before.tax_minor, before.total_minor) == ("INV-2026-000001", 1199, 31179)
    exemption = request_exemption(account, now=NOW + timedelta(days=1))
    since_1 = buy(account, "since-1", now=NOW + timedelta(days=2))  # tax 1,199
    since_2 = buy(account, "since-2", now=NOW + timedelta(days=3), quantity=3)  # 44,970: tax 1,799 (1,798.8)
    assert (since_1.tax_minor, since_2.tax_minor) == (1199, 1799)
    assert not account_tax_exempt(account=account, country="US", region="NY", on=NOW + timedelta(days=3))

    credits = tax_exemption_approve(exemption=exemption, actor=staff, now=NOW + timedelta(days=4))

    exemption.refresh_from_db()
    assert exemption.status == "exempt" and exemption.decided_by == staff
    assert [c.number for c in credits] == ["INV-2026-000004", "INV-2026-000005"]  # the same gapless sequence
    assert [(c.subtotal_minor, c.discount_minor, c.tax_minor, c.total_minor) for c in credits] == [
        (0, 0, -1199, -1199),
        (0, 0, -1799, -1799),
    ]
    for credit, original in zip(credits, [since_1, since_2], strict=True):
        lines = list(credit.lines.all())
        assert [(line.kind, line.amount_minor, line.explanation) for line in lines] == [
            (InvoiceLineKind.TAX, -original.tax_minor, "tax_exemption_credit")
        ]
        assert original.number in lines[0].description
        assert TaxExemptionCredit.objects.get(credit_invoice=credit).invoice == original
    assert not TaxExemptionCredit.objects.filter(invoice=before).exists()  # issued before the request

    later = buy(account, "later", now=NOW + timedelta(days=5))
    assert (later.tax_minor, later.total_minor, later.tax_exempt) == (0, 29980, True)
    assert not later.lines.filter(kind=InvoiceLineKind.TAX).exists()
    assert AuditEntry.objects.filter(action="tax_exemption.approved", object_id=str(exemption.pk)).exists()
    assert AuditEntry.objects.filter(action="invoice.tax_credited").count() == 2

    with pytest.raises(Conflict) as error:  # approved once; never credits twice
        tax_exemption_approve(exemption=exemption, actor=staff, now=NOW + timedelta(days=6))
    assert error.value.code == "tax_exemption_not_pending"
    assert Invoice.objects.filter(tax_minor__lt=0).count() == 2


def test_an_exemption_for_another_jurisdiction_changes_nothing():
    account = make_account()  # US-NY
    exemption = request_exemption(account, region="CA")
    taxed = buy(account, "ny", now=NOW + timedelta(days=1))
    assert tax_exemption_approve(exemption=exemption, actor=staff_user(), now=NOW + timedelta(days=2)) == []
    assert buy(account, "ny-later", now=NOW + timedelta(days=3)).tax_minor == taxed.tax_minor == 1199


def test_staff_reject_with_a_message_and_tax_stays():
    account = make_account()
    exemption = request_exemption(account)
    with pytest.raises(InvalidInput):
        tax_exemption_reject(exemption=exemption, actor=staff_user(), message="  ")
    tax_exemption_reject(exemption=exemption, actor=staff_user("s2"), message="The certificate has expired.")
    exemption.refresh_from_db()
    assert (exemption.status, exemption.decision_message) == ("rejected", "The certificate has expired.")
    assert buy(account, "after", now=NOW + timedelta(days=1)).tax_minor == 1199


def test_one_pending_or_approved_request_per_jurisdiction():
    account = make_account()
    request_exemption(account)
    with pytest.raises(Conflict) as error:
        request_exemption(account)
    assert error.value.code == "tax_exemption_already_requested"
    with pytest.raises(InvalidInput) as error:
        request_exemption(account, region="")
    assert error.value.code == "region_required"


# --- authorisation -----------------------------------------------------------------------------------------------


def test_a_customer_sees_only_their_own_exemptions():
    alice = make_account(email="alice@example.org")
    bob = make_account(email="bob@example.org", region="CA")
    request_exemption(alice, region="NY")
    client = Client()
    client.force_login(bob.user)
    page = client.get("/en/store/tax-exemption/")
    assert page.status_code == 200 and b"US-NY" not in page.content
    assert b"You have not requested an exemption." in page.content
    client.force_login(alice.user)
    assert b"US-NY" in client.get("/en/store/tax-exemption/").content
    anonymous = Client().get("/en/store/tax-exemption/")
    assert anonymous.status_code == 302 and "/store/sign-in/" in anonymous["Location"]


def test_non_staff_cannot_review(django_user_model):
    account = make_account()
    exemption = request_exemption(account)
    base = f"/en/review/tax-exemptions/{exemption.pk}/"
    urls = [
        ("get", "/en/review/tax-exemptions/"),
        ("get", base),
        ("get", base + "document/"),
        ("post", base + "approve/"),
        ("post", base + "reject/"),
    ]
    for method, url in urls:
        response = getattr(Client(), method)(url, {"message": "no"} if method == "post" else {})
        assert response.status_code == 302 and "/review/login/?next=" in response["Location"], url
    customer = Client()
    customer.force_login(account.user)  # the exemption's own customer is not a reviewer either
    for method, url in urls:
        response = getattr(customer, method)(url, {"message": "no"} if method == "post" else {})
        assert response.status_code == 403, url
        assert PDF not in response.content
    with pytest.raises(PermissionDenied):
        tax_exemption_approve(exemption=exemption, actor=account.user)
    with pytest.raises(PermissionDenied):
        tax_exemption_reject(exemption=exemption, actor=account.user, message="no")
    exemption.refresh_from_db()
    assert exemption.status == "pending" and exemption.decided_at is None


def test_staff_review_pages(django_user_model):
    account = make_account()
    exemption = request_exemption(account, uploaded_file=SimpleUploadedFile("cert.pdf", PDF, content_type="text/html"))
    assert exemption.document_content_type == "application/pdf"  # from the bytes, not the claim
    staff = Client()
    staff_login(staff, staff_user())
    assert account.email.encode() in staff.get("/en/review/tax-exemptions/").content
    base = f"/en/review/tax-exemptions/{exemption.pk}/"
    assert b"Approve the exemption" in staff.get(base).content
    document = staff.get(base + "document/")
    assert document.status_code == 200 and b"".join(document.streaming_content) == PDF
    assert document["Content-Type"] == "application/pdf"
    assert document["X-Content-Type-Options"] == "nosniff" and document["Content-Security-Policy"] == "sandbox"
    assert staff.post(base + "reject/", {"message": ""}).status_code == 400
    assert staff.post(base + "approve/").status_code == 302
    exemption.refresh_from_db()
    assert exemption.status == "exempt"
    page = staff.post(base + "approve/", follow=True)  # a second click: a message, not an error
    assert page.status_code == 200 and b"already decided" in page.content


# --- hostile uploads ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (HTML, "certificate.pdf", "document_type_not_allowed"),
        (b"\x89PNG\r\n\x1a\n" + b"<html>" * 4, "fake.png", "document_type_not_allowed"),
        (b"", "empty.pdf", "document_empty"),
        (b"%PDF-" + b"0" * 2000, "big.pdf", "document_too_large"),
    ],
)
def test_hostile_uploads_are_refused_and_nothing_is_kept(settings, content, name, code):
    settings.DOCUMENT_MAX_BYTES = 1000
    account = make_account()
    with pytest.raises(InvalidInput) as error:
        request_exemption(account, uploaded_file=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert error.value.code == code
    assert not TaxExemption.objects.exists()
    folder = settings.DOCUMENTS_DIR
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_a_hostile_upload_is_refused_next_to_the_field_and_names_never_reach_the_disk():
    account = make_account()
    client = Client()
    client.force_login(account.user)
    form = {
        "country": "US",
        "region": "NY",
        "certificate_type": "resale_certificate",
        "reason": "Resale",
        "signature": "Jo Director",
        "attest": "on",
    }
    page = client.post(
        "/en/store/tax-exemption/",
        {**form, "document": SimpleUploadedFile("x.pdf", HTML, content_type="application/pdf")},
    )
    assert page.status_code == 400 and b"Only PDF, PNG and JPEG files are accepted." in page.content
    assert not TaxExemption.objects.exists()
    unattested = {key: value for key, value in form.items() if key != "attest"}
    assert client.post("/en/store/tax-exemption/", {**unattested, "document": pdf()}).status_code == 400
    assert not TaxExemption.objects.exists()
    sent = client.post("/en/store/tax-exemption/", {**form, "document": pdf("../../etc/passwd.pdf")})
    assert sent.status_code == 302
    exemption = TaxExemption.objects.get()
    assert exemption.status == "pending" and exemption.document_original_name == "passwd.pdf"
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", exemption.document_stored_name)


def test_french_exemption_button_is_its_own_words_not_the_reviewers(client):
    """The tax-exemption form's button had the reviewer's "request for information" French text (a shared msgid)."""
    from tests.billing.test_checkout_support import make_account

    account = make_account(country="US", region="NY")
    client.force_login(account.user)
    html = client.get("/fr/store/tax-exemption/").content.decode()
    assert "Envoyer la demande d\u2019exonération" in html
    assert "Envoyer la demande d\u2019informations" not in html


# --- upload quotas and retention ------------------------------------------------------------------------------


def _files(settings) -> list:
    root = settings.DOCUMENTS_DIR
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_an_unverified_account_cannot_upload(settings):
    account = make_account(verified=False)
    with pytest.raises(PermissionDenied) as error:
        request_exemption(account)
    assert error.value.code == "email_not_verified"
    assert not TaxExemption.objects.exists() and _files(settings) == []


def test_an_account_keeps_at_most_its_quota_of_certificates(settings):
    settings.TAX_CERTIFICATES_PER_ACCOUNT_MAX = 4
    account = make_account()
    for _n in range(4):
        request_exemption(account, certificate_type="nonprofit_determination_letter")
    with pytest.raises(InvalidInput) as error:
        request_exemption(account, certificate_type="nonprofit_determination_letter")
    assert error.value.code == "documents_quota_exceeded"
    assert TaxExemption.objects.count() == 4 and len(_files(settings)) == 4
    # The quota is per account.
    assert request_exemption(make_account(email="other@example.org")).status == "pending"


def test_the_total_size_is_limited_too(settings):
    settings.TAX_CERTIFICATES_PER_ACCOUNT_MAX_BYTES = len(PDF) * 2
    account = make_account()
    request_exemption(account, certificate_type="nonprofit_determination_letter")
    request_exemption(account, certificate_type="nonprofit_determination_letter")
    with pytest.raises(InvalidInput) as error:
        request_exemption(account, certificate_type="nonprofit_determination_letter")
    assert error.value.code == "documents_quota_exceeded"


def test_rejected_certificates_are_deleted_after_the_retention(settings):
    from billing.tasks import tax_certificates_rejected_prune_task
    from billing.tax_exemptions import tax_certificates_rejected_prune

    settings.REJECTED_UPLOAD_RETENTION_DAYS = 90
    account = make_account()
    old = request_exemption(account, certificate_type="nonprofit_determination_letter", now=NOW)
    recent = request_exemption(account, certificate_type="nonprofit_determination_letter", now=NOW + timedelta(days=80))
    pending = request_exemption(account)
    assert len(_files(settings)) == 3
    assert tax_certificates_rejected_prune(now=NOW + timedelta(days=91)) == 1
    assert tax_certificates_rejected_prune(now=NOW + timedelta(days=91)) == 0  # idempotent
    old.refresh_from_db()
    assert old.document_stored_name == "" and old.status == "rejected"  # the request stays, without its file
    assert len(_files(settings)) == 2
    assert TaxExemption.objects.get(pk=recent.pk).document_stored_name
    assert TaxExemption.objects.get(pk=pending.pk).document_stored_name
    assert AuditEntry.objects.filter(action="tax_exemption.document_pruned", object_id=str(old.pk)).exists()
    # The task runs the same function, with the retention from the settings.
    settings.REJECTED_UPLOAD_RETENTION_DAYS = 100_000
    assert tax_certificates_rejected_prune_task.func() == 0
