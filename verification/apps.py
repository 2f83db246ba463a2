from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = "Verification"

    def ready(self):
        from programs.rulebook import rules_engine_register
        from verification.rules import RULES_VERSION

        rules_engine_register(RULES_VERSION)  # each program rules version records the engine that applies it
        from core.events import event_subscribe
        from coupons.events import CouponChanged, OrganisationCouponsReviewed
        from registry.watch import organisations_follower_register
        from verification.partner_events import coupon_changed, organisation_coupons_reviewed, verification_follow

        organisations_follower_register(verification_follow)
        event_subscribe(CouponChanged, coupon_changed)
        event_subscribe(OrganisationCouponsReviewed, organisation_coupons_reviewed)

        from verification.receipts import reactions  # receipts are revoked with their coupon (or its flag)

        event_subscribe(CouponChanged, reactions.coupon_changed)
        event_subscribe(OrganisationCouponsReviewed, reactions.organisation_coupons_reviewed)
