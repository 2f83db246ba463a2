from django.db import migrations, models


def references_copy(apps, schema_editor):
    """The verification reference each coupon was issued under, copied before the link to the application goes."""
    Coupon = apps.get_model("coupons", "Coupon")
    Application = apps.get_model("verification", "Application")
    references = dict(Application.objects.filter(coupon__isnull=False).values_list("coupon_id", "reference"))
    for coupon in Coupon.objects.all().only("pk").iterator():
        Coupon.objects.filter(pk=coupon.pk).update(reference=references.get(coupon.pk, ""))


class Migration(migrations.Migration):

    dependencies = [
        ('coupons', '0004_program_moved_to_programs'),
        ('verification', '0004_application_coupon'),
    ]

    operations = [
        migrations.AddField(
            model_name='coupon',
            name='reference',
            field=models.CharField(blank=True, db_index=True, max_length=20),
        ),
        migrations.RunPython(references_copy, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='coupon',
            name='application',
        ),
    ]
