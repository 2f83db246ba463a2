"""Helpers of journeys 4-6 (manual review, tax exemption, legacy-discount notice): real PDF files to upload, staff
and customers who sign in through the pages, the documents a reviewer opens, and the dates a language shows.
Fixtures of the shared browser set-up live in tests/browser/conftest.py."""

from pathlib import Path

import pyotp
from django.contrib.auth import get_user_model
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from tests.browser.helpers import t

STAFF_PASSWORD = "Reviewer-pass-2026"
CUSTOMER_PASSWORD = "Customer-pass-2026"


def tr(lang: str, text: str) -> str:
    """Like helpers.t, for words French writes as English does ("Documents"): the catalog must still hold them."""
    from django.utils.translation import trans_real

    with translation.override(lang):
        translated = translation.gettext(text)
    if lang != "en" and translated == text:
        assert text in trans_real.translation(lang)._catalog, f"{text!r} is not in the {lang} catalog"
    return translated


def pdf_bytes(*lines: str) -> bytes:
    """A small, valid one-page PDF showing `lines` (Helvetica, Windows-1252): a scanned letter without the weight.
    Chromium's viewer renders it, so a reviewer really reads it in the browser."""
    text = " T* ".join(f"({_pdf_escape(line)}) Tj" for line in lines)
    stream = f"BT /F1 14 Tf 18 TL 30 170 Td {text} ET".encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 220] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_file(folder: Path, name: str, *lines: str) -> Path:
    path = folder / name
    path.write_bytes(pdf_bytes(*lines))
    return path


def staff_member(username: str = "rita"):
    """A reviewer, who signs in with a password and a second factor on the back-office sign-in pages."""
    _AUTHENTICATORS.pop(username, None)  # a new account: it enrols its own authenticator
    return get_user_model().objects.create_user(username, f"{username}@verifier.example", STAFF_PASSWORD, is_staff=True)


# Staff authenticator keys, per username, as the enrolment page showed them (the test's "phone").
_AUTHENTICATORS: dict[str, str] = {}


def reviewer_signs_in(page, lang: str, username: str, *, next_path: str = "") -> None:
    """Open a back-office page signed out (it leads to the sign-in page), sign in with the keyboard: Enter
    submits; then the second factor, as a reviewer does it: the first time, enrol an authenticator (its key read
    from the page, its codes computed with pyotp) and keep the recovery codes; later, type the current code. The
    reviewer lands where they were going."""
    page.goto(next_path or f"/{lang}/review/", label="back-office sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Reviewer sign-in"))
    page.get_by_label(t(lang, "username").capitalize()).fill(username)
    password = page.get_by_label(t(lang, "Password"), exact=True)
    password.fill(STAFF_PASSWORD)
    with page.navigation(label="two-factor sign-in"):
        password.press("Enter")
    enrolling = username not in _AUTHENTICATORS
    if enrolling:
        expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Set up two-factor sign-in"))
        _AUTHENTICATORS[username] = page.locator("#otp-secret").inner_text().strip()
    code = page.get_by_label(t(lang, "Code", same=True), exact=True)
    code.fill(pyotp.TOTP(_AUTHENTICATORS[username]).now())
    if enrolling:
        with page.navigation(label="recovery codes"):
            code.press("Enter")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.submit(page.get_by_role("link", name=t(lang, "Continue")), label="back-office")
    else:
        with page.navigation(label="back-office"):
            code.press("Enter")


def customer_signs_in(page, lang: str, email: str) -> None:
    page.goto(f"/{lang}/store/sign-in/", label="store sign-in")
    page.get_by_label(t(lang, "Email")).fill(email)
    password = page.get_by_label(t(lang, "Password"), exact=True)
    password.fill(CUSTOMER_PASSWORD)
    with page.navigation(label="store account"):
        password.press("Enter")


def open_document(page, link, *, shot: str = "") -> None:
    """Click a document link (it opens in a new tab): the browser shows the PDF in its viewer, not a download."""
    with page.context.expect_page() as opened:
        link.click()
    viewer = opened.value
    viewer.wait_for_load_state("load")
    assert viewer.evaluate("document.contentType") == "application/pdf", viewer.url
    if shot:
        viewer.wait_for_timeout(800)  # the viewer draws the page after "load"
        viewer.screenshot(path=str(page._shots_dir / f"{shot}.png"), scale="css", animations="disabled")
    viewer.close()


def date_shown(value, lang: str) -> str:
    """A date or date-time as the pages and emails of `lang` write it (DATE_FORMAT, in the site's time zone)."""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    with translation.override(lang):
        return formats.date_format(value, "DATE_FORMAT")


def customer(email: str, *, country: str = "US", region: str = "NY", currency: str = "USD"):
    """A store customer with a confirmed email and a password, who signs in on the store's sign-in page."""
    from billing.models import CustomerAccount

    user = get_user_model().objects.create_user(username=email, email=email, password=CUSTOMER_PASSWORD)
    return CustomerAccount.objects.create(
        user=user,
        email=email,
        email_verified_at=timezone.now(),
        billing_country=country,
        billing_region=region,
        currency=currency,
    )
