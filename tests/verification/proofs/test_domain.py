"""Domain control end to end, against a real DNS server and a real web server on 127.0.0.1."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import OutboxEmail
from tests.verification.proofs.factories import us_charity
from verification.models import Application, CheckResult
from verification.proofs import domain as d
from verification.proofs.models import DomainProof, ProofState
from verification.proofs.services import (
    domain_proof_check,
    domain_proof_get_or_start,
    domain_proof_offered,
    domain_proofs_recheck,
)
from verification.services import application_submit

ABOUT = "<html><body><h1>About us</h1><p>Helping Hands is a 501(c)(3) nonprofit, EIN 12-3456789.</p></body></html>"


@pytest.fixture
def draft(make_draft):
    us_charity()

    def make(email="director@helping-hands.org", **fields) -> Application:
        return make_draft("US-EIN-123456789", email=email, **fields)

    return make


def _site(dns_server, web_server, domain="helping-hands.org", *, about=ABOUT):
    dns_server.host(domain)
    web_server.page(domain, "/about", about)


def _check(proof, minutes=0):
    proof.last_checked_at = None  # "Check now" waits a few seconds between checks; tests do not
    return domain_proof_check(proof=proof, now=timezone.now() + timedelta(minutes=minutes))


def _submit(application):
    return application_submit(application=application, ip="127.0.0.1", user_agent="pytest")


def test_dns_proof_and_ein_on_the_site_approve_at_once(draft, dns_server, web_server):
    application = draft()
    assert domain_proof_offered(application=application)
    proof = domain_proof_get_or_start(application=application)
    dns_server.add(d.txt_name("helping-hands.org"), "TXT", d.txt_value(proof.token))
    _site(dns_server, web_server)
    proof = _check(proof)
    assert proof.state == ProofState.VERIFIED and proof.method == "dns_txt"
    assert proof.tie["kind"] == "registry_number_on_site" and proof.tie["matched"] == "12-3456789"
    assert proof.tie["url"].endswith("/about")
    assert _submit(application).state == "approved" and application.decided_automatically
    check = CheckResult.objects.get(application=application, rule="email_domain")
    assert (check.outcome, check.code) == ("pass", "domain_control_proven")
    assert (
        check.evidence["tie"]["matched"] == "12-3456789"
        and check.evidence["check"]["record"] == "_vouch-verification.helping-hands.org"
    )
    assert OutboxEmail.objects.filter(template="application_approved", to="director@helping-hands.org").exists()


def test_well_known_file_proves_control(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    web_server.page("helping-hands.org", d.WELL_KNOWN_PATH, f"{proof.token}\n")
    proof = _check(proof)
    assert (proof.state, proof.method) == (ProofState.VERIFIED, "well_known")


def test_without_the_tie_control_alone_does_not_settle(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    dns_server.add(d.txt_name("helping-hands.org"), "TXT", d.txt_value(proof.token))
    _site(dns_server, web_server, about="<p>We help. EIN 12-3456788, 9123456789.</p>")  # neither is ours
    proof = _check(proof)
    assert proof.state == ProofState.PENDING and proof.control_verified_at and not proof.tie
    assert _submit(application).state == "in_review"
    assert CheckResult.objects.get(application=application, rule="email_domain").code == "email_domain_unverified"


def test_wrong_token_and_token_on_another_domain_are_refused(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    dns_server.add(d.txt_name("helping-hands.org"), "TXT", "vouch-verification=not-the-token")
    dns_server.add(d.txt_name("other-charity.org"), "TXT", d.txt_value(proof.token))  # someone else's domain
    web_server.page("helping-hands.org", d.WELL_KNOWN_PATH, "wrong-token")
    proof = _check(proof)
    assert proof.state == ProofState.PENDING
    dns_entry, file_entry = proof.evidence[-2:]
    assert dns_entry["outcome"] == "mismatch" and dns_entry["found"] == ["vouch-verification=not-the-token"]
    assert file_entry["outcome"] == "mismatch"


@pytest.mark.parametrize(
    ("location", "problem"),
    [
        ("http://10.0.0.7/.well-known/vouch-verification.txt", "redirect_refused"),  # off the domain, inside
        ("http://evil-site.org:{port}/.well-known/vouch-verification.txt", "redirect_refused"),  # off the domain
        ("http://metadata.helping-hands.org:{port}/x", "address_refused"),  # on the domain, resolves inside
    ],
)
def test_redirects_off_the_domain_or_inside_are_not_followed(draft, dns_server, web_server, location, problem):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    dns_server.host("evil-site.org")
    dns_server.host("metadata.helping-hands.org", "169.254.169.254")
    web_server.page("evil-site.org", "/.well-known/vouch-verification.txt", proof.token)
    web_server.page(
        "helping-hands.org", d.WELL_KNOWN_PATH, status=302, headers={"Location": location.format(port=web_server.port)}
    )
    proof = _check(proof)
    assert proof.state == ProofState.PENDING
    assert proof.evidence[-1]["problem"] == problem
    assert ("evil-site.org", "/.well-known/vouch-verification.txt") not in web_server.requests


def test_a_redirect_within_the_domain_is_followed(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    dns_server.host("www.helping-hands.org")
    web_server.page(
        "helping-hands.org",
        d.WELL_KNOWN_PATH,
        status=301,
        headers={"Location": f"http://www.helping-hands.org:{web_server.port}{d.WELL_KNOWN_PATH}"},
    )
    web_server.page("www.helping-hands.org", d.WELL_KNOWN_PATH, proof.token)
    assert _check(proof).state == ProofState.VERIFIED


def test_an_internal_address_is_refused(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    dns_server.host("helping-hands.org", "192.168.1.10")
    proof = _check(proof)
    assert proof.evidence[-1]["problem"] == "address_refused"


def test_loopback_and_plain_http_need_the_development_setting(draft, dns_server, web_server, settings):
    settings.DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST = False
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    web_server.page("helping-hands.org", d.WELL_KNOWN_PATH, proof.token)
    proof = _check(proof)
    assert proof.evidence[-1]["url"].startswith("https://") and proof.evidence[-1]["problem"] == "address_refused"
    assert not web_server.requests


def test_huge_and_slow_pages_are_cut_off(draft, dns_server, web_server, monkeypatch):
    monkeypatch.setattr(d, "PAGE_DEADLINE_SECONDS", 1.0)
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    web_server.page("helping-hands.org", d.WELL_KNOWN_PATH, proof.token + "\n" + "x" * 50_000)
    proof = _check(proof)
    assert proof.evidence[-1]["problem"] == "too_large" and proof.state == ProofState.PENDING
    web_server.page("helping-hands.org", d.WELL_KNOWN_PATH, "x" * 200 + proof.token, delay=0.2)
    started = timezone.now()
    proof = _check(proof, minutes=1)
    assert proof.evidence[-1]["problem"] == "timeout"
    assert (timezone.now() - started).total_seconds() < 5


def test_idn_domains_are_looked_up_in_punycode_and_shown_in_unicode(draft, dns_server, web_server):
    application = draft(email="jo@bücher-hilfe.org")
    ascii_domain = "xn--bcher-hilfe-thb.org"
    assert application.email.endswith("@" + ascii_domain) or application.email.endswith("@bücher-hilfe.org")
    proof = domain_proof_get_or_start(application=application)
    assert proof.domain == ascii_domain and d.domain_display(proof.domain) == "bücher-hilfe.org"
    dns_server.add(d.txt_name(ascii_domain), "TXT", d.txt_value(proof.token))
    _site(dns_server, web_server, ascii_domain)
    assert _check(proof).state == ProofState.VERIFIED
    assert d.domain_ascii("jo@xn--zz-.org") == ""  # not a valid IDNA label: nothing is looked up


def test_recheck_approves_an_application_waiting_in_review(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    _site(dns_server, web_server)
    assert _submit(application).state == "in_review"
    assert domain_proofs_recheck(now=timezone.now() + timedelta(minutes=11))["verified"] == 0
    dns_server.add(d.txt_name("helping-hands.org"), "TXT", d.txt_value(proof.token))
    result = domain_proofs_recheck(now=timezone.now() + timedelta(minutes=22))
    assert result == {"checked": 1, "verified": 1, "expired": 0}
    application.refresh_from_db()
    assert application.state == "approved" and application.decided_automatically
    assert OutboxEmail.objects.filter(template="application_approved").count() == 1


def test_recheck_stops_after_48_hours(draft, dns_server, web_server):
    application = draft()
    proof = domain_proof_get_or_start(application=application)
    result = domain_proofs_recheck(now=timezone.now() + timedelta(hours=48, minutes=1))
    assert result["expired"] == 1
    proof.refresh_from_db()
    assert proof.state == ProofState.EXPIRED


def test_not_offered_when_the_register_already_ties_the_domain_or_for_free_mail(make_draft, draft):
    assert not domain_proof_offered(application=draft(email="someone@gmail.com"))
    us_charity("987654321", website="https://www.tied-charity.org/")
    assert not domain_proof_offered(application=make_draft("US-EIN-987654321", email="jo@tied-charity.org"))
    assert DomainProof.objects.count() == 0


def test_the_recheck_task_runs_the_same_work(draft, dns_server, web_server):
    from verification.proofs.tasks import recheck_domain_proofs

    proof = domain_proof_get_or_start(application=draft())
    assert recheck_domain_proofs.call() == {"checked": 0, "verified": 0, "expired": 0}  # not due yet
    DomainProof.objects.filter(pk=proof.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
    dns_server.add(d.txt_name("helping-hands.org"), "TXT", d.txt_value(proof.token))
    _site(dns_server, web_server)
    assert recheck_domain_proofs.call() == {"checked": 1, "verified": 1, "expired": 0}


def test_the_recheck_command_runs_one_pass(draft, dns_server, web_server):
    from io import StringIO

    from django.core.management import call_command

    proof = domain_proof_get_or_start(application=draft())
    DomainProof.objects.filter(pk=proof.pk).update(next_check_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("recheck_domain_proofs", "--json", stdout=out)
    assert out.getvalue().strip() == '{"checked": 1, "verified": 0, "expired": 0}'
