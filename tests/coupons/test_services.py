"""Issuing, finding and revoking coupons."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from core.models import AuditEntry
from coupons.codes import coupon_code_normalise
from coupons.models import Coupon, CouponState
from coupons.services import coupon_find, coupon_revoke
from tests.coupons.factories import make_application, make_organisation, make_program
from verification.services.coupons import application_coupon_issue


@pytest.mark.django_db
def test_issue_binds_the_coupon_and_stores_no_usable_code(program, organisation):
    application = make_application(program, organisation, email="director@example.org")
    before = timezone.now()
    coupon, code = application_coupon_issue(application=application)

    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE
    assert coupon.organisation == organisation and coupon.organisation_key == "US-EIN-123456789"
    assert coupon.program == program and application.coupon == coupon and coupon.reference == application.reference
    assert coupon.email == "director@example.org"
    assert before + timedelta(days=90) <= coupon.redeem_by <= timezone.now() + timedelta(days=90)
    assert coupon.code_hint == coupon_code_normalise(code)[-4:]
    # Neither the coupon row nor the audit log holds the code.
    normalised = coupon_code_normalise(code)
    row = Coupon.objects.filter(pk=coupon.pk).values().get()
    assert not any(code in str(value) or normalised in str(value) for value in row.values())
    entry = AuditEntry.objects.get(action="coupon.issued", object_id=str(coupon.pk))
    assert code not in str(entry.after) and normalised not in str(entry.after)
    assert entry.after["application_reference"] == application.reference


@pytest.mark.django_db
def test_redeem_window_comes_from_the_program(organisation):
    program = make_program(coupon_redeem_days=14)
    now = timezone.now()
    coupon, _ = application_coupon_issue(application=make_application(program, organisation), now=now)
    assert coupon.redeem_by == now + timedelta(days=14)


@pytest.mark.django_db
def test_one_active_coupon_per_organisation_and_program(program, organisation):
    application_coupon_issue(application=make_application(program, organisation))
    with pytest.raises(Conflict) as conflict:
        application_coupon_issue(application=make_application(program, organisation))
    assert conflict.value.code == "duplicate_active_coupon"
    # The caller's transaction is still usable (the failed insert was rolled back to a savepoint).
    assert Coupon.objects.filter(organisation_key="US-EIN-123456789").count() == 1
    # Another program may give the same organisation its own coupon.
    other, _ = application_coupon_issue(application=make_application(make_program(), organisation))
    assert other.state == CouponState.ACTIVE


@pytest.mark.django_db
def test_an_application_gets_one_coupon(program, organisation):
    application = make_application(program, organisation)
    application_coupon_issue(application=application)
    with pytest.raises(Conflict) as conflict:
        application_coupon_issue(application=application)
    assert conflict.value.code == "coupon_already_issued"


@pytest.mark.django_db
def test_hand_added_organisations_are_keyed_by_application(program):
    first = make_application(program, reference="VCH-MAN1")
    second = make_application(program, reference="VCH-MAN2")
    one, _ = application_coupon_issue(application=first)
    two, _ = application_coupon_issue(application=second)
    assert (one.organisation_key, two.organisation_key) == ("manual:VCH-MAN1", "manual:VCH-MAN2")
    assert one.organisation is None


@pytest.mark.django_db
def test_a_lapsed_coupon_no_longer_blocks_a_new_one(program, organisation):
    old, _ = application_coupon_issue(
        application=make_application(program, organisation), now=timezone.now() - timedelta(days=100)
    )
    new, _ = application_coupon_issue(application=make_application(program, organisation))
    old.refresh_from_db()
    assert old.state == CouponState.EXPIRED and new.state == CouponState.ACTIVE
    assert AuditEntry.objects.filter(action="coupon.expired", object_id=str(old.pk)).exists()


@pytest.mark.django_db
def test_coupon_without_email_is_refused(program, organisation):
    with pytest.raises(InvalidInput) as refused:
        application_coupon_issue(application=make_application(program, organisation, email=""))
    assert refused.value.code == "coupon_without_email"


@pytest.mark.django_db
def test_find_by_code_as_typed(program, organisation):
    coupon, code = application_coupon_issue(application=make_application(program, organisation))
    assert coupon_find(code=code) == coupon
    assert coupon_find(code=code.lower().replace("-", " ").replace("0", "o").replace("1", "l")) == coupon
    assert coupon_find(code="0000-0000-0000-0000") is None
    assert coupon_find(code="not a code") is None
    assert coupon_find(code="") is None


@pytest.mark.django_db
def test_codes_survive_a_secret_key_rotation_only_through_the_fallbacks(settings, program, organisation):
    settings.SECRET_KEY = "first-key-" * 6
    coupon, code = application_coupon_issue(application=make_application(program, organisation))
    settings.SECRET_KEY = "second-key-" * 6
    assert coupon_find(code=code) is None  # rotating the key invalidates outstanding codes…
    settings.SECRET_KEY_FALLBACKS = ["first-key-" * 6]
    assert coupon_find(code=code) == coupon  # …unless the old key is kept as a fallback


@pytest.mark.django_db
def test_revoke(program, organisation, django_user_model):
    reviewer = django_user_model.objects.create_user("reviewer", is_staff=True)
    coupon, _ = application_coupon_issue(application=make_application(program, organisation))
    coupon_revoke(coupon=coupon, actor=reviewer, reason="  Organisation   left the register ")
    coupon.refresh_from_db()
    assert coupon.state == CouponState.REVOKED and coupon.revoked_at
    assert coupon.revoked_reason == "Organisation left the register"
    entry = AuditEntry.objects.get(action="coupon.revoked", object_id=str(coupon.pk))
    assert entry.actor == reviewer and entry.before["state"] == "active" and entry.after["state"] == "revoked"

    with pytest.raises(Conflict) as again:
        coupon_revoke(coupon=coupon, actor=reviewer, reason="twice")
    assert again.value.code == "coupon_not_active" and again.value.details == {"state": "revoked"}
    # The organisation may be issued a new coupon once the old one is revoked.
    assert application_coupon_issue(application=make_application(program, organisation))[0].state == CouponState.ACTIVE


@pytest.mark.django_db
def test_revoke_needs_a_reason(program, organisation):
    coupon, _ = application_coupon_issue(application=make_application(program, organisation))
    with pytest.raises(InvalidInput) as refused:
        coupon_revoke(coupon=coupon, actor=None, reason="   ")
    assert refused.value.code == "revoke_reason_required"
    coupon.refresh_from_db()
    assert coupon.state == CouponState.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_issue_one_coupon():
    program = make_program()
    organisation = make_organisation("US-EIN-987654321")
    applications = [make_application(program, organisation) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def approve(application):
        try:
            barrier.wait()
            with transaction.atomic():
                application_coupon_issue(application=application)
            outcomes.append("issued")
        except Conflict as conflict:
            outcomes.append(conflict.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(app,)) for app in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["duplicate_active_coupon", "issued"]
    assert Coupon.objects.filter(organisation_key="US-EIN-987654321", state=CouponState.ACTIVE).count() == 1
