"""Decision time for US demo applicants who prove their domain, and the share decided without a person.

    .venv/bin/python bench/bench_proofs.py --applications 100 [--out bench/results/proofs-sqlite.json]

On a fresh SQLite database with the demo registry (`manage.py seed_demo` data: 3,000 generated BMF records) and
the demo program, it draws N US demo organisations (seeded) and, for each, an applicant at the organisation's own
domain `charity-<ein>.org`, with the email already proven by code (the journey's earlier steps are not
timed). A real DNS server (dnslib) and a real web server run on 127.0.0.1: every domain resolves there, its /about
page shows the EIN, and its TXT record carries the applicant's token.

- before: the same N applicants submit without a proof (today's path);
- after: each presses "Check now" (DNS TXT + the tie: the site's pages fetched until the EIN is found), then submits.

Timed per application: `check` (domain_proof_check), `submit_to_email` (application_submit, then one outbox pass
that sends the coupon email to the file backend, as the worker does right after the commit), and `total`
(check + submit_to_email). "Decided without a person": decided automatically at submission.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ["BENCH_SQLITE_DIR"] = os.environ.get("BENCH_SQLITE_DIR", tempfile.mkdtemp(prefix="vouch-bench-proofs-"))
from setup_db import ROOT, reset, use


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out")
    args = parser.parse_args()
    reset("sqlite")
    use("sqlite")
    sys.path.insert(0, str(ROOT))

    from django.conf import settings
    from django.utils import timezone

    from notifications.models import OutboxEmail
    from notifications.sender import outbox_send_due
    from programs.demo import program_demo_ensure
    from programs.models import Program
    from registry.demo import demo_seed
    from registry.models import Organisation
    from tests.verification.proofs.servers import Dns, Web
    from verification.models import Application
    from verification.proofs import domain as d
    from verification.proofs.services import domain_proof_check, domain_proof_get_or_start
    from verification.services import application_start, application_submit

    demo_seed(folder=Path(settings.DATA_DIR))
    before_program = program_demo_ensure()
    after_program = Program.objects.get(pk=before_program.pk)
    after_program.pk, after_program.slug = None, "workplace-nonprofit-proofs"
    after_program.save()

    dns, web = Dns(), Web()
    settings.DNS_RESOLVERS = [f"127.0.0.1:{dns.port}"]
    settings.DOMAIN_PROOF_ALLOW_HTTP_LOCALHOST = True
    settings.DOMAIN_PROOF_HTTP_PORT = web.port

    organisations = list(Organisation.objects.select_related("source").filter(country="US").order_by("org_id"))
    chosen = random.Random(args.seed).sample(organisations, args.applications)
    for organisation in chosen:
        domain = f"charity-{organisation.registry_number}.org"
        dns.host(domain)
        web.page(domain, "/", f"<h1>{organisation.name}</h1>")
        ein = organisation.registry_number
        web.page(domain, "/about", f"<p>{organisation.name} is a 501(c)(3) nonprofit, EIN {ein[:2]}-{ein[2:]}.</p>")

    def draft(program, organisation) -> Application:
        application = application_start(program=program, language="en")
        Application.objects.filter(pk=application.pk).update(
            declared_budget_minor=250_000_00,
            organisation=organisation,
            country="US",
            applicant_name="Jo Director",
            email=f"director@charity-{organisation.registry_number}.org",
            email_verified_at=timezone.now(),
        )
        application.refresh_from_db()
        return application

    def submit_and_send(application) -> float:
        started = time.perf_counter()
        application_submit(application=application, ip="203.0.113.1", user_agent="bench")
        outbox_send_due()
        return time.perf_counter() - started

    outcomes = {"before": {}, "after": {}}
    for organisation in chosen:
        application = draft(before_program, organisation)
        submit_and_send(application)
        outcomes["before"][application.state] = outcomes["before"].get(application.state, 0) + 1

    checks, submits, totals = [], [], []
    approved_after = 0
    for organisation in chosen:
        application = draft(after_program, organisation)
        proof = domain_proof_get_or_start(application=application)
        dns.add(d.txt_name(proof.domain), "TXT", d.txt_value(proof.token))
        started = time.perf_counter()
        proof = domain_proof_check(proof=proof)
        check = time.perf_counter() - started
        elapsed = submit_and_send(application)
        outcomes["after"][application.state] = outcomes["after"].get(application.state, 0) + 1
        if application.state == "approved":
            approved_after += 1
            email = OutboxEmail.objects.get(template="application_approved", to=application.email)
            assert email.state == "sent", email.state
            checks.append(check)
            submits.append(elapsed)
            totals.append(check + elapsed)
    dns.stop()
    web.stop()
    print(json.dumps(outcomes), file=sys.stderr)
    if not approved_after:
        last = Application.objects.filter(program=after_program).last()
        sys.exit(f"nothing approved with a proof: {last.decision_reasons} {list(last.checks.values('code'))}")

    def automatic(program) -> float:
        decided = Application.objects.filter(program=program, submitted_at__isnull=False)
        return round(decided.filter(decided_automatically=True).count() / decided.count(), 3)

    result = {
        "applications": args.applications,
        "seed": args.seed,
        "backend": "sqlite",
        "states_before": outcomes["before"],
        "states_after": outcomes["after"],
        "decided_without_a_person_before": automatic(before_program),
        "decided_without_a_person_after": automatic(after_program),
        "approved_with_proof": approved_after,
        "check_now": _quantiles(checks),
        "submit_to_coupon_email": _quantiles(submits),
        "check_to_coupon_email": _quantiles(totals),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cpus",
        "python": platform.python_version(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(result, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
