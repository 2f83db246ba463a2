"""Journey 9: a US charity's director proves the organisation's domain and is approved at once, in a real browser.

The IRS lists no websites, so without a proof the application would wait for a reviewer. On the confirm step the
applicant follows "Prove your organisation's domain", publishes the token as a DNS TXT record (a real DNS server on
127.0.0.1 answers for the domain), the organisation's site (a real web server on 127.0.0.1) shows its EIN on its
about page, "Check now" verifies both, and the submitted application is approved with a downloadable receipt.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LANGS
from tests.browser.helpers import PROGRAM, t
from tests.verification.proofs.servers import Dns, Web

VALDEZ = "US-EIN-010564885"  # VALDEZ JUNIOR RIFLE CLUB, AK: an active 501(c)(3) with no website in the BMF
DOMAIN = "valdezrifle.org"
EMAIL = f"jo@{DOMAIN}"


@pytest.fixture
def servers(settings):
    dns, web = Dns(), Web()
    settings.DNS_RESOLVERS = [f"127.0.0.1:{dns.port}"]
    settings.DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST = True
    settings.DOMAIN_PROOF_HTTP_PORT = web.port
    dns.host(DOMAIN)
    web.page(DOMAIN, "/about", "<h1>Valdez Junior Rifle Club</h1><p>A 501(c)(3) nonprofit. EIN: 01-0564885</p>")
    yield dns, web
    dns.stop()
    web.stop()


@pytest.fixture
def ready(registry, demo_program, mailbox):
    registry("us-ak")
    return demo_program


@pytest.mark.parametrize("lang", LANGS)
def test_director_proves_the_domain_and_is_approved_at_once(page, lang, ready, mailbox, servers):
    dns, _web = servers
    shot = f"9-domain-{lang}"
    page.goto(PROGRAM.format(lang=lang), label="program")
    page.get_by_label(
        t(lang, "Annual operating budget of the organisation, in %(currency)s") % {"currency": "USD"}
    ).fill("25000")
    page.submit(page.get_by_role("button", name=t(lang, "Check eligibility")), label="country")
    page.get_by_label(t(lang, "Country or region where the organisation is registered")).select_option("US")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="organisation")
    page.get_by_label(t(lang, "Full legal name or registry number")).fill("valdez junior rifle club")
    page.submit(page.get_by_role("button", name=t(lang, "Search")), label="organisation results")
    page.locator(f"input[name=org_id][value='{VALDEZ}']").check()
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="eligibility")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="representative")
    page.get_by_label(t(lang, "Your full name")).fill("Jo Director")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="email")
    page.get_by_label(t(lang, "Official email of the organisation")).fill(EMAIL)
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="code")
    page.get_by_label(t(lang, "Code from the email")).fill(mailbox.verification_code(EMAIL))
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="confirm")

    # The confirm step offers the proof; the proof page shows the record to publish.
    offer = page.get_by_role("link", name=t(lang, "Prove your organisation's domain for a decision in minutes"))
    page.shot(f"{shot}-01-offer", near=page.locator("[data-testid=domain-offer]"))
    page.submit(offer, label="domain proof")
    expect(page.get_by_role("heading", level=1)).to_have_text(t(lang, "Prove your organisation's domain"))
    expect(page.locator("[data-testid=txt-name]")).to_have_text(f"_vouch-verification.{DOMAIN}")
    value = page.locator("[data-testid=txt-value]").inner_text()
    page.shot(f"{shot}-02-token")

    # Checked before the record exists: not found yet, said so.
    page.submit(page.get_by_role("button", name=t(lang, "Check now")), label="not found yet")
    expect(page.locator("[data-testid=proof-result]")).to_contain_text(
        t(lang, "We have not found the token yet. DNS changes can take a few minutes to appear.")
    )

    # The applicant publishes the record; the next check verifies control and the EIN on the site.
    dns.add(f"_vouch-verification.{DOMAIN}", "TXT", value)
    import time

    time.sleep(5.1)  # "Check now" does not hit the network twice within 5 seconds
    page.submit(page.get_by_role("button", name=t(lang, "Check now")), label="verified")
    expect(page.locator("main")).to_contain_text(t(lang, "Your organisation's domain is verified."))
    page.shot(f"{shot}-03-verified")
    page.submit(page.get_by_role("button", name=t(lang, "Continue")), label="confirm")

    page.get_by_label(t(lang, "I confirm that I represent this organisation and may apply for it.")).check()
    page.get_by_label(t(lang, "I accept the terms and the privacy policy above.")).check()
    page.submit(page.get_by_role("button", name=t(lang, "Submit the application")), label="status")
    expect(page.locator(".state")).to_have_text(t(lang, "Approved"))
    expect(page.locator("[data-testid=receipt-download]")).to_be_visible()
    page.shot(f"{shot}-04-approved")
    assert mailbox.coupon_code(EMAIL)
