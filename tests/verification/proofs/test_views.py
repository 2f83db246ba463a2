"""The proof page of the journey, in both languages, against the real DNS and web servers."""

import pytest

from tests.verification.proofs.factories import us_charity
from verification.proofs import domain as d
from verification.proofs.models import DomainProof


@pytest.fixture
def draft_in_session(client, make_draft):
    us_charity()
    application = make_draft("US-EIN-123456789", email="director@helping-hands.org")
    session = client.session
    session["vouch_drafts"] = {application.program.slug: application.token}
    session.save()
    return application


@pytest.mark.parametrize(
    ("lang", "title", "check"),
    [("en", "Prove your organisation", "Check now"), ("fr", "Prouvez le domaine", "Vérifier maintenant")],
)
def test_confirm_offers_the_proof_and_the_page_proves_it(
    client, draft_in_session, dns_server, web_server, lang, title, check
):
    program = draft_in_session.program
    confirm = client.get(f"/{lang}/programs/{program.slug}/apply/confirm/")
    assert f"/{lang}/programs/{program.slug}/apply/domain/" in confirm.content.decode()
    page = client.get(f"/{lang}/programs/{program.slug}/apply/domain/")
    html = page.content.decode()
    assert page.status_code == 200 and title in html and check in html
    proof = DomainProof.objects.get(application=draft_in_session)
    assert d.txt_value(proof.token) in html and "_vouch-verification.helping-hands.org" in html
    dns_server.host("helping-hands.org")
    web_server.page("helping-hands.org", "/", "<footer>EIN: 123456789</footer>")
    web_server.page("helping-hands.org", d.WELL_KNOWN_PATH, proof.token)
    response = client.post(f"/{lang}/programs/{program.slug}/apply/domain/", {"check": "1"})
    assert response.status_code == 302
    proof.refresh_from_db()
    assert proof.state == "verified" and proof.tie["url"].endswith(f":{web_server.port}/")
    confirm = client.get(f"/{lang}/programs/{program.slug}/apply/confirm/").content.decode()
    assert 'data-testid="domain-offer"' not in confirm and "helping-hands.org" in confirm


def test_a_failed_check_says_what_was_found(client, draft_in_session, dns_server, web_server):
    program = draft_in_session.program
    client.get(f"/en/programs/{program.slug}/apply/domain/")
    dns_server.add("_vouch-verification.helping-hands.org", "TXT", "vouch-verification=old")
    client.post(f"/en/programs/{program.slug}/apply/domain/", {"check": "1"})
    html = client.get(f"/en/programs/{program.slug}/apply/domain/").content.decode()
    assert 'data-testid="proof-result"' in html and "mismatch" in html


def test_the_page_needs_a_proven_email(client, make_draft):
    us_charity()
    application = make_draft("US-EIN-123456789", email="director@helping-hands.org", email_verified_at=None)
    session = client.session
    session["vouch_drafts"] = {application.program.slug: application.token}
    session.save()
    response = client.get(f"/en/programs/{application.program.slug}/apply/domain/")
    assert response.status_code == 302 and response["Location"].endswith("/apply/code/")
