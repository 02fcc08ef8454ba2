"""Demo harm reports for ``manage.py seed_demo``; idempotent."""

from .models import HarmReport

DEMO_TEXT = (
    "After a research project used the hospital's records, an insurer asked me about my "
    "diabetes although I never told them."
)


def seed_harms(**kwargs) -> None:
    from django.contrib.auth import get_user_model

    from . import services

    if HarmReport.objects.filter(what_happened=DEMO_TEXT).exists():
        return
    services.harm_report_create(
        actor=None,
        what_happened=DEMO_TEXT,
        occurred_when="March 2026",
        affected="self",
        categories=["privacy_breach", "financial"],
        contact={"email": "worried.patient@example.org"},
    )
    reporter = get_user_model().objects.filter(username="researcher2").first()
    report, _code = services.harm_report_create(
        actor=reporter,
        what_happened="A published map made our neighbourhood look like a disease hotspot.",
        occurred_when="Last month",
        affected="community",
        categories=["stigmatisation"],
    )
    officer = get_user_model().objects.filter(username="harm_officer").first()
    if officer is not None:
        services.harm_report_triage(actor=officer, report=report, severity="moderate")
