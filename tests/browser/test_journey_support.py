"""Journey 7: "this was not me", and the support agent who finds it, in a real browser.

An approved applicant's coupon is used in the store by an account with its email. On the status page the applicant
sees when and by which (masked) account, and presses "This was not me". A support agent signs in to the
back-office, finds the application by the coupon's last characters, reads the case page (the coupon, the
redemption, the timeline with the case), revokes the coupon with a reason, closes the case, and looks at the program
dashboard.
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import approved_application, t
from tests.browser.journeys_b import customer, reviewer_signs_in, staff_member

RE_ALLIANCE = "AU-ABN-46159949149"
EMAIL = "jo@re-alliance.org.au"


@pytest.mark.parametrize("lang", LANGS)
def test_not_me_case_found_and_handled_by_support(page, new_page, lang, registry, demo_program, demo_catalog, mailbox):
    from billing.checkout import subscription_buy
    from coupons.models import Coupon
    from support.roles import roles_ensure

    shot = f"7-support-{lang}"
    registry("au")
    application = approved_application(program=demo_program, org_id=RE_ALLIANCE, email=EMAIL, lang=lang)
    code = mailbox.coupon_code(EMAIL)
    subscription_buy(
        account=customer(EMAIL, country="AU", region="", currency="USD"),
        plan_code="workplace-pro",
        quantity=2,
        add_ons={},
        billing_cycle="annual",
        coupon_code=code,
        idempotency_key="j7",
    )
    application.refresh_from_db()
    coupon = Coupon.objects.get(pk=application.coupon_id)

    # The applicant's status page: used when, by which masked account; "This was not me" opens a case.
    page.goto(f"/{lang}/programs/status/{application.token}/", label="status page")
    main = page.locator("main")
    expect(main).to_contain_text("j•@re-alliance.org.au")
    page.get_by_label(t(lang, "Was this not you? Tell us what happened (optional)")).fill("We never bought this.")
    page.shot(f"{shot}-01-status")
    page.submit(page.get_by_role("button", name=t(lang, "This was not me")), label="case opened")
    expect(main).to_contain_text(application.reference)

    # The support agent finds it by the coupon's last characters.
    roles_ensure()
    agent = staff_member("sam")
    agent.groups.add(Group.objects.get(name="Support agent"))
    staff = new_page(lang=lang)
    reviewer_signs_in(staff, lang, "sam", next_path=f"/{lang}/support/")
    expect(staff.get_by_role("heading", level=1)).to_have_text(t(lang, "Support", same=True))
    expect(staff.locator("main")).to_contain_text(application.reference)  # in the open cases
    staff.get_by_label(t(lang, "Reference, email, organisation, org-id, coupon code or hint")).fill(coupon.code_hint)
    staff.submit(staff.get_by_role("button", name=t(lang, "Search")), label="search results")
    staff.shot(f"{shot}-02-search")
    staff.submit(staff.locator("main table").get_by_role("link", name=application.reference).first, label="case page")
    case = staff.locator("main")
    expect(case).to_contain_text(f"…{coupon.code_hint}")
    expect(case).to_contain_text("We never bought this.")
    expect(case).to_contain_text("support_case.opened")
    assert code not in case.inner_text()  # the code itself is never shown
    staff.shot(f"{shot}-03-case")

    # Revoke with a reason, then close the case.
    revoke = staff.locator("form", has=staff.get_by_role("button", name=t(lang, "Revoke"), exact=True))
    revoke.get_by_label(t(lang, "Reason (kept in the audit log)")).fill("Redeemed by an account the applicant denies")
    staff.submit(revoke.get_by_role("button", name=t(lang, "Revoke"), exact=True), label="coupon revoked")
    expect(case).to_contain_text(t(lang, "The coupon is revoked."))
    staff.get_by_label(t(lang, "Resolution (kept in the audit log)")).fill("Coupon revoked; vendor informed")
    staff.submit(staff.get_by_role("button", name=t(lang, "Close the case")), label="case closed")
    expect(case).to_contain_text(t(lang, "The case is closed."))
    expect(case).to_contain_text(re.compile("support.coupon_revoked"))
    coupon.refresh_from_db()
    assert coupon.state == "revoked"

    # The program dashboard: charts drawn on the server, each with its numbers (audited like every page).
    staff.submit(staff.get_by_role("link", name=t(lang, "Program dashboard")), label="dashboard")
    expect(staff.locator("svg.chart")).to_have_count(6)
    expect(staff.locator("svg.chart").first).to_have_attribute("role", "img")
    staff.shot(f"{shot}-04-dashboard")
