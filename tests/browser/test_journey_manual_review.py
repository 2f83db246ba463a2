"""Journey 4: an organisation that is in no register is added by hand, sends a document, and a person decides.

The applicant adds the organisation by hand and submits; the status page asks for documents and takes a real PDF.
A reviewer signs in to the back-office with the keyboard, opens the application and reads the PDF in the browser's
viewer, asks for more information; the applicant follows the email's link and answers with another document; the
reviewer approves, and the applicant reads the decision on the status page the approval email links to.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, digits_grouped, expect_field_error, t, tab_to
from tests.browser.journeys_b import date_shown, open_document, pdf_file, reviewer_signs_in, staff_member, tr

EMAIL = "contact@jardins-partages.example"
NAME = {"en": "Shared Gardens of Leeds", "fr": "Les Jardins Partagés de Lille"}
COUNTRY = {"en": "GB", "fr": "FR"}
ASK = {
    "en": "Please send the minutes of your last general meeting.",
    "fr": "Merci d\u2019envoyer le procès-verbal de votre dernière assemblée générale.",
}
BUDGET_SHOWN = {"en": "$80,000.00", "fr": "80 000,00 $US"}
APPROVAL_NOTE = {"en": "Thank you, everything is in order.", "fr": "Merci, tout est en ordre."}


@pytest.fixture
def documents_dir(settings, tmp_path):
    settings.DOCUMENTS_DIR = tmp_path / "documents"
    return settings.DOCUMENTS_DIR


@pytest.mark.parametrize("lang", LANGS)
def test_organisation_added_by_hand_is_reviewed_and_approved(
    page, new_page, lang, demo_program, mailbox, documents_dir, tmp_path
):
    from verification.models import Application

    shot = f"4-manual-review-{lang}"
    staff_member("rita")
    applicant_applies_by_hand(page, lang, shot, mailbox)
    application = Application.objects.get(email=EMAIL)
    assert application.state == "needs_information" and application.is_manual and application.language == lang

    # The status page asks for documents; sending none is refused next to the field, then a real PDF is taken.
    main = page.locator("main")
    expect(page.locator(".state")).to_have_text(t(lang, "More information needed"))
    files = page.get_by_label(tr(lang, "Documents"), exact=True)
    page.submit(page.get_by_role("button", name=t(lang, "Send"), exact=True), label="status: no file")
    expect_field_error(page, page.get_by_label(tr(lang, "Documents"), exact=True))
    files = page.get_by_label(tr(lang, "Documents"), exact=True)
    files.set_input_files(
        pdf_file(
            tmp_path,
            "registration-certificate.pdf",
            NAME[lang],
            "Registered association",
            "Certificate of registration",
        )
    )
    page.shot(f"{shot}-02-documents")
    page.submit(page.get_by_role("button", name=t(lang, "Send"), exact=True), label="status: documents sent")
    expect(main).to_contain_text(t(lang, "Thank you: we received your documents."))
    expect(main).to_contain_text("registration-certificate.pdf")
    expect(page.locator(".state")).to_have_text(t(lang, "In review"))
    status_path = page.path

    # The reviewer: the queue, the application added by hand, its document in the browser's PDF viewer.
    reviewer = new_page(lang=lang)
    reviewer_signs_in(reviewer, lang, "rita")
    expect(reviewer.get_by_role("heading", level=1)).to_have_text(t(lang, "Review queue"))
    reviewer.submit(reviewer.get_by_role("link", name=application.reference), label="back-office application")
    record = reviewer.locator("main")
    expect(record).to_contain_text(t(lang, "Added by hand: not in any register."))
    expect(record).to_contain_text(NAME[lang])
    expect(record).to_contain_text(digits_grouped(BUDGET_SHOWN[lang]))  # the budget as the reviewer's language
    open_document(
        reviewer, reviewer.get_by_role("link", name="registration-certificate.pdf"), shot=f"{shot}-03-document-viewer"
    )

    # Asking for more information: an empty request is refused next to its field, then it is sent.
    asking = reviewer.get_by_role("form", name=t(lang, "Ask for more information"))
    reviewer.submit(asking.get_by_role("button", name=t(lang, "Send the request")), label="request refused")
    expect_field_error(reviewer, asking.get_by_label(t(lang, "What the applicant must send")))
    asking.get_by_label(t(lang, "What the applicant must send")).fill(ASK[lang])
    reviewer.shot(f"{shot}-04-review")
    reviewer.submit(asking.get_by_role("button", name=t(lang, "Send the request")), label="information asked")
    expect(reviewer.locator(".messages")).to_contain_text(
        t(lang, "Information requested. The applicant will receive your message.")
    )

    # The applicant follows the email's link (another day, another tab) and answers with a document.
    email = mailbox.latest(EMAIL, containing=ASK[lang])
    assert application.reference in str(email["Subject"]) + mailbox.text(email)
    link = mailbox.link(EMAIL, containing="/programs/status/")
    assert link.endswith(status_path), (link, status_path)
    page.goto(link, label="status: information requested")
    expect(page.locator("blockquote.reviewer")).to_have_text(ASK[lang])
    tab_to(page, page.get_by_label(tr(lang, "Documents"), exact=True))
    page.get_by_label(tr(lang, "Documents"), exact=True).set_input_files(
        pdf_file(tmp_path, "general-meeting-minutes.pdf", "Minutes of the general meeting", NAME[lang])
    )
    page.submit(page.get_by_role("button", name=t(lang, "Send"), exact=True), label="status: answered")
    expect(page.locator(".state")).to_have_text(t(lang, "In review"))

    # The reviewer approves the application as it now stands.
    reviewer.goto(f"/{lang}/review/applications/{application.reference}/", label="back-office application")
    expect(reviewer.get_by_role("link", name="general-meeting-minutes.pdf")).to_be_visible()
    approving = reviewer.get_by_role("form", name=t(lang, "Approve"))
    approving.get_by_label(t(lang, "Message to the applicant")).fill(APPROVAL_NOTE[lang])
    reviewer.submit(approving.get_by_role("button", name=t(lang, "Approve and send the coupon")), label="approved")
    expect(reviewer.locator(".messages")).to_contain_text(t(lang, "Approved. The applicant will receive the coupon."))
    reviewer.submit(reviewer.get_by_role("link", name=t(lang, "Dashboard")), label="back-office dashboard")
    expect(reviewer.get_by_role("row", name=t(lang, "Approved"))).to_contain_text("1")

    # The decision, from the approval email's link: approved, with the coupon's last day in the page's language.
    application.refresh_from_db()
    assert application.state == "approved" and application.decided_by.username == "rita"
    approval = mailbox.latest(EMAIL, containing=APPROVAL_NOTE[lang])
    assert application.coupon.redeem_by and mailbox.text(approval)
    decision = new_page(lang=lang)
    decision.goto(mailbox.link(EMAIL, containing="/programs/status/"), label="status: approved")
    expect(decision.locator(".state")).to_have_text(t(lang, "Approved"))
    section = decision.locator("section", has=decision.get_by_role("heading", name=t(lang, "Approved")))
    expect(section).to_contain_text(date_shown(application.coupon.redeem_by, lang))
    expect(section.locator("blockquote.reviewer")).to_have_text(APPROVAL_NOTE[lang])
    decision.shot(f"{shot}-05-decision")


def applicant_applies_by_hand(page, lang: str, shot: str, mailbox) -> None:
    """From the program page to the submitted application, adding the organisation by hand."""
    page.goto(PROGRAM.format(lang=lang), label="program")
    page.get_by_label(
        t(lang, "Annual operating budget of the organisation, in %(currency)s") % {"currency": "USD"}
    ).fill("80000")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="country")
    page.get_by_label(t(lang, "Country or region where the organisation is registered")).select_option(COUNTRY[lang])
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="organisation")

    # Not in the register: the link to add it by hand, reached with the keyboard.
    link = page.get_by_role("link", name=t(lang, "Add your organisation by hand"))
    tab_to(page, link)
    with page.navigation(label="organisation by hand"):
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Add your organisation"))

    # The required fields, left empty, are refused next to themselves.
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="organisation by hand refused")
    expect_field_error(page, page.get_by_label(t(lang, "Full legal name")))
    expect_field_error(page, page.get_by_label(t(lang, "Registered address")))
    page.shot(f"{shot}-01-by-hand-errors")
    page.get_by_label(t(lang, "Full legal name")).fill(NAME[lang])
    page.get_by_label(t(lang, "Website")).fill("https://jardins-partages.example")
    page.get_by_label(t(lang, "Registered address")).fill(
        "12 rue des Lilas\n59000 Lille" if lang == "fr" else "12 Garden Lane\nLeeds LS1 4AP"
    )
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="eligibility")
    # No register settles it: a reviewer will, and the applicant may go on.
    expect(page.locator("[data-testid=precheck-review]")).to_contain_text("manual_organisation_needs_documents")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="representative")

    page.get_by_label(t(lang, "Your full name")).fill("Camille Martin")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="email")
    page.get_by_label(t(lang, "Official email of the organisation")).fill(EMAIL)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="code")
    page.get_by_label(t(lang, "Code from the email")).fill(mailbox.verification_code(EMAIL))
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="confirm")
    expect(page.locator("main")).to_contain_text(t(lang, "added by hand"))
    page.get_by_label(t(lang, "I confirm that I represent this organisation and may apply for it.")).check()
    page.get_by_label(t(lang, "I accept the terms and the privacy policy above.")).check()
    page.submit(page.get_by_role("button", name=t(lang, "Submit the application")), label="status: documents needed")
