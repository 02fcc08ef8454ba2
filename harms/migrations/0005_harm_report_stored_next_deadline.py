"""The officers' queue sorts on a stored deadline (``next_due_at``) with an index, instead of
one computed per request; existing reports get theirs as ``harms.sla.next_due_at`` would."""

from django.db import migrations, models
from django.db.models import F, Q

OPEN = ["received", "triaged", "investigating", "redress_offered"]


def fill_next_due(apps, schema_editor):
    HarmReport = apps.get_model("harms", "HarmReport")
    HarmReport.objects.filter(state="received", acknowledged_at__isnull=True).update(
        next_due_at=F("acknowledge_due")
    )
    HarmReport.objects.filter(state="received", acknowledged_at__isnull=False).update(
        next_due_at=F("triage_due")
    )
    HarmReport.objects.filter(Q(state__in=OPEN) & ~Q(state="received")).update(
        next_due_at=F("decision_due")
    )
    # Decided reports have no deadline: the new column is already empty for them.


class Migration(migrations.Migration):
    dependencies = [
        ("harms", "0004_harm_case_owner_handovers_incidents"),
    ]

    operations = [
        migrations.AddField(
            model_name="harmreport",
            name="next_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_next_due, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="harmreport",
            index=models.Index(
                fields=["next_due_at", "-received_at", "-id"], name="harm_report_due_idx"
            ),
        ),
    ]
