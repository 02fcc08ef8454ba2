from django.db import migrations, models


def fill_approved_version(apps, schema_editor):
    """Projects decided before this field existed were approved on their current version."""
    Application = apps.get_model("applications", "Application")
    Application.objects.filter(
        state__in=["approved", "active", "suspended", "revoked", "closed"],
        decided_at__isnull=False,
    ).update(approved_version=models.F("current_version"))


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_expiry_warning_marker"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="approved_version",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_approved_version, migrations.RunPython.noop),
    ]
