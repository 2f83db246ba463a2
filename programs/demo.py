"""The demo program, shaped like the help-centre page's: a video-meeting vendor's nonprofit discount.

`program_demo_ensure()` creates it or brings it back to these values (idempotent), so `manage.py seed_demo_program`
can run on every start. A program admin's own programs are never touched: only the demo slug. Its terms and privacy
texts are added in English and French when their version is missing (texts are never edited), and its rules are
published as a rules version when they changed.
"""

from decimal import Decimal

from django.db import transaction

from core.audit import audit_record
from programs.models import DEFAULT_EXCLUSIONS, DEFAULT_PRODUCTS, Program, ProgramText, ProgramTextKind
from programs.services import program_rules_publish, program_text_add

DEMO_SLUG = "workplace-nonprofit"

TERMS_TEXT = """Vouch verification terms (version 2026-11)

1. You confirm that you are authorised to represent the organisation named in this application and that what you
   tell us is true.
2. We check the organisation against public registers of nonprofits and may ask you for documents. We decide
   whether the organisation is eligible for the vendor's nonprofit program according to the program's published
   rules, and we tell you the reasons for our decision.
3. If the organisation is eligible, we send a single-use coupon code to the email address you confirmed. The code is
   bound to the organisation and to that address; it must be used by its redeem-by date. It cannot be sold or
   transferred.
4. The discount applies from the moment the coupon is redeemed; fees already paid are not refunded.
5. We may revoke a coupon obtained with false information, or when the organisation stops being eligible.
6. A verification for this program is not evidence for a sales-tax exemption, which is requested separately.
"""

PRIVACY_TEXT = """Vouch privacy notice (version 2026-11)

We use your name, your email address and the organisation's public register record only to verify the
organisation's eligibility for this program, to send you emails about your application and to let the vendor bind
the coupon to your account. We record when and from which IP address and browser you accepted the terms, as proof
of the acceptance. Documents you upload are seen only by our reviewers. We keep applications for three years after
the decision, then delete them, except what the law requires us to keep. You can ask us for a copy of your data,
or to correct or delete it, at privacy@vouch.example.
"""

TERMS_TEXT_FR = """Conditions de vérification de Vouch (version 2026-11)

1. Vous confirmez être autorisé à représenter l'organisation nommée dans cette demande et que ce que vous nous
   déclarez est exact.
2. Nous vérifions l'organisation dans les registres publics des organisations à but non lucratif et pouvons vous
   demander des documents. Nous décidons si l'organisation est éligible au programme de l'éditeur selon les règles
   publiées du programme, et nous vous indiquons les motifs de notre décision.
3. Si l'organisation est éligible, nous envoyons un code de réduction à usage unique à l'adresse e-mail que vous
   avez confirmée. Le code est lié à l'organisation et à cette adresse ; il doit être utilisé avant sa date limite.
   Il ne peut être ni vendu ni cédé.
4. La remise s'applique à partir de l'utilisation du code ; les frais déjà payés ne sont pas remboursés.
5. Nous pouvons révoquer un code obtenu sur la foi d'informations fausses, ou lorsque l'organisation cesse d'être
   éligible.
6. Une vérification pour ce programme ne vaut pas justificatif d'exonération de la taxe de vente, qui se demande à
   part.
"""

PRIVACY_TEXT_FR = """Politique de confidentialité de Vouch (version 2026-11)

Nous utilisons votre nom, votre adresse e-mail et la fiche publique de l'organisation dans son registre uniquement
pour vérifier l'éligibilité de l'organisation à ce programme, pour vous écrire au sujet de votre demande et pour
permettre à l'éditeur de lier le code de réduction à votre compte. Nous enregistrons la date, l'adresse IP et le
navigateur depuis lesquels vous avez accepté les conditions, comme preuve de cette acceptation. Les documents que
vous déposez ne sont vus que par nos vérificateurs. Nous conservons les demandes trois ans après la décision, puis
les supprimons, sauf ce que la loi nous oblige à garder. Vous pouvez nous demander une copie de vos données, ou leur
rectification ou leur suppression, à privacy@vouch.example.
"""

DEMO_TEXTS = {
    ProgramTextKind.TERMS: {"en": TERMS_TEXT, "fr": TERMS_TEXT_FR},
    ProgramTextKind.PRIVACY: {"en": PRIVACY_TEXT, "fr": PRIVACY_TEXT_FR},
}

DEMO_VALUES = {
    "name": "Workplace for Nonprofits",
    "name_fr": "Workplace pour les associations",
    "description": (
        "Verified nonprofits from all over the world get 50% off Workplace Pro and Business and their add-ons "
        "on annual subscriptions, bought new or renewed."
    ),
    "description_fr": (
        "Les organisations à but non lucratif vérifiées du monde entier bénéficient de 50 % de remise sur "
        "Workplace Pro et Business et leurs modules complémentaires, en abonnement annuel, à l'achat comme au "
        "renouvellement."
    ),
    "vendor_name": "Workplace",
    "budget_cap_minor": 10_000_000 * 100,  # US$10,000,000, inclusive
    "budget_currency": "USD",
    "exchange_rates": {"GBP": "1.27", "EUR": "1.08", "AUD": "0.66"},  # US dollars per unit
    "discount_percent": "50",
    "eligible_products": DEFAULT_PRODUCTS,
    "supported_countries": [],  # every country and region but the sanctioned ones
    "exclusions": DEFAULT_EXCLUSIONS,
    "sanctioned_countries": ["CU", "IR", "KP", "SY", "RU", "BY"],
    "terms_version": "2026-11",
    "privacy_version": "2026-11",
    "review_sla_business_days": 3,
    "application_expiry_days": 30,
    "coupon_redeem_days": 90,
    "education_program_url": "https://workplace.example/education",
    "sales_contact_url": "https://workplace.example/contact-sales",
    "support_contact": "https://workplace.example/support",
    "is_active": True,
}


def program_demo_ensure() -> Program:
    """The demo program, created or reset to the values above; nothing is written when it already has them."""
    with transaction.atomic():
        program, created = Program.objects.select_for_update().get_or_create(slug=DEMO_SLUG, defaults=DEMO_VALUES)
        if created:
            audit_record(
                action="program.created",
                object_type="program",
                object_id=program.pk,
                actor_label="seed_demo_program",
                after={"slug": DEMO_SLUG},
            )
            program.refresh_from_db()  # typed values (the defaults above are partly strings)
            _texts_ensure(program)
            program_rules_publish(program=program, actor_label="seed_demo_program")
            return program
        changed = {name: value for name, value in DEMO_VALUES.items() if not _same(getattr(program, name), value)}
        if changed:
            before = {name: _comparable(getattr(program, name)) for name in changed}
            for name, value in changed.items():
                setattr(program, name, value)
            program.save(update_fields=list(changed))
            program.refresh_from_db()
            audit_record(
                action="program.reset",
                object_type="program",
                object_id=program.pk,
                actor_label="seed_demo_program",
                before=before,
                after={name: _comparable(value) for name, value in changed.items()},
            )
        _texts_ensure(program)
        program_rules_publish(program=program, actor_label="seed_demo_program")
    return program


def _texts_ensure(program: Program) -> None:
    """Add the demo texts' versions in the languages they are missing in (never editing a row)."""
    for kind, texts in DEMO_TEXTS.items():
        version = program.terms_version if kind == ProgramTextKind.TERMS else program.privacy_version
        present = set(
            ProgramText.objects.filter(program=program, kind=kind, version=version).values_list("language", flat=True)
        )
        missing = {language: text for language, text in texts.items() if language not in present}
        if missing:
            program_text_add(
                program=program, kind=kind, version=version, texts=missing, actor_label="seed_demo_program"
            )


def _same(current, wanted) -> bool:
    return current == Decimal(str(wanted)) if isinstance(current, Decimal) else current == wanted


def _comparable(value):
    return str(value) if isinstance(value, Decimal) else value
