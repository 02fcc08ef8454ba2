"""The Celery app and, in one place, every periodic schedule."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")

app = Celery("solidarity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "verify-audit-chain-nightly": {
        "task": "solidarity.audit.tasks.verify_audit_chain",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every 30 s by default (RECOVERY_INTERVAL_SECONDS, set in recovery_schedules below):
    # after a broker outage, e-mail and report builds go out within a minute.
    "retry-undelivered-email": {
        "task": "solidarity.notifications.tasks.retry_undelivered_email",
        "schedule": 30.0,
    },
    "recover-report-jobs": {
        "task": "solidarity.auditing.tasks.recover_report_jobs",
        "schedule": 30.0,
    },
}


@app.on_after_finalize.connect
def recovery_schedules(sender, **kwargs) -> None:
    from django.conf import settings

    for name in ("retry-undelivered-email", "recover-report-jobs"):
        sender.conf.beat_schedule[name]["schedule"] = float(settings.RECOVERY_INTERVAL_SECONDS)


def register_periodic(name: str, *, task: str, schedule) -> None:
    """Domain apps add their schedules here from AppConfig.ready(), keeping one schedule."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}
