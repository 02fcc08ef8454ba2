"""Thin Celery tasks: they take ids and call services."""

from celery import shared_task
from django.core.mail import send_mail

from . import crypto, services
from .models import HarmReport


def reporter_address(report_id: str) -> str:
    """The e-mail address an anonymous reporter left, decrypted at send time (or "")."""
    report = (
        HarmReport.objects.filter(pk=int(report_id)).only("contact_ciphertext").first()
        if report_id.isdigit()
        else None
    )
    if report is None or not report.contact_ciphertext:
        return ""
    return crypto.decrypt_contact(report.contact_ciphertext).get("email") or ""


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def email_reporter(report_id: int, subject: str, body: str) -> bool:
    """E-mail an anonymous reporter who left an address; the code is never in the e-mail.

    Kept for messages queued before e-mail to reporters went through the outbox."""
    report = HarmReport.objects.filter(pk=report_id).only("contact_ciphertext").first()
    if report is None:
        return False
    email = crypto.decrypt_contact(report.contact_ciphertext).get("email")
    if not email:
        return False
    send_mail(subject, body, None, [email])
    return True


@shared_task
def remind_overdue_reports() -> int:
    return services.harm_reports_remind_overdue()


@shared_task
def open_harm_reviews() -> int:
    """Open the harm reviews the threshold calls for; idempotent, so safe to run often."""
    from .lessons import harm_reviews_open_due

    return len(harm_reviews_open_due())
