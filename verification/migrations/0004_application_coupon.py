import django.db.models.deletion
from django.db import migrations, models


def coupons_link(apps, schema_editor):
    """Each application takes the coupon that pointed to it (the link is inverted: coupons no longer know it)."""
    Application = apps.get_model("verification", "Application")
    Coupon = apps.get_model("coupons", "Coupon")
    for coupon_id, application_id in Coupon.objects.values_list("pk", "application_id").iterator():
        Application.objects.filter(pk=application_id).update(coupon_id=coupon_id)


def coupons_unlink(apps, schema_editor):
    Application = apps.get_model("verification", "Application")
    Coupon = apps.get_model("coupons", "Coupon")
    for application_id, coupon_id in Application.objects.filter(coupon__isnull=False).values_list("pk", "coupon_id"):
        Coupon.objects.filter(pk=coupon_id).update(application_id=application_id)


class Migration(migrations.Migration):

    dependencies = [
        ('coupons', '0004_program_moved_to_programs'),
        ('verification', '0003_program_moved_to_programs'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='coupon',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                       related_name='+', to='coupons.coupon'),
        ),
        migrations.RunPython(coupons_link, coupons_unlink),
    ]
