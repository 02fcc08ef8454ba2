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
    "retry-undelivered-email": {
        "task": "solidarity.notifications.tasks.retry_undelivered_email",
        "schedule": 300.0,
    },
}


def register_periodic(name: str, *, task: str, schedule) -> None:
    """Domain apps add their schedules here from AppConfig.ready(), keeping one schedule."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}
