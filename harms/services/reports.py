"""A harm report's life: reporting, acknowledgement, triage, investigation, resolution,
closure, referral, appeal, the conversation with the panel and overdue reminders."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied
from solidarity.notifications.services import notify
from solidarity.uploads import check_upload

from .. import crypto, rules, sla
from ..models import (
    HarmAttachment,
    HarmCategory,
    HarmReport,
    Severity,
)
from ..permissions import (
    is_harm_officer,
    is_reporter_of,
)
from ._common import (
    MAX_ATTACHMENTS,
    S,
    _audit_actor,
    _lock,
    _news_for_reporter,
    _officers,
    _post,
)


def _filing_language() -> str:
    """The interface language the reporter filed in (one of ``LANGUAGES``)."""
    active = translation.get_language() or settings.LANGUAGE_CODE
    return translation.get_supported_language_variant(active)


def harm_report_create(
    *,
    actor,
    what_happened: str,
    occurred_when: str,
    affected: str,
    categories: list[str],
    application=None,
    dataset=None,
    project_hint: str = "",
    contact: dict | None = None,
    attachments=(),
) -> tuple[HarmReport, str | None]:
    """Record a harm report from anyone, signed in or not.

    Returns the report and, for an anonymous reporter, the receipt code: shown once, never
    stored (only its keyed hash is). Contact details are stored encrypted. Harm officers are
    notified. Attachments are checked like application attachments; a bad one refuses the
    whole report, so nothing is half-saved.
    """
    categories = list(dict.fromkeys(categories or []))
    errors = {}
    if not categories:
        errors["categories"] = [_("Choose at least one kind of harm.")]
    elif set(categories) - set(HarmCategory.values):
        errors["categories"] = [_("Unknown kind of harm.")]
    if not (what_happened or "").strip():
        errors["what_happened"] = [_("Tell us what happened.")]
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("Send at most %(n)s files.") % {"n": MAX_ATTACHMENTS}]
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, check_upload(upload)))
        except ValidationError as exc:
            errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise DomainError(_("The report could not be accepted."), field_errors=errors)

    signed_in = getattr(actor, "is_authenticated", False)
    code = None if signed_in else crypto.new_receipt_code()
    now = timezone.now()
    deadlines = sla.deadlines_from(now)
    with transaction.atomic():
        report = HarmReport.objects.create(
            reporter=actor if signed_in else None,
            receipt_hash=crypto.receipt_hash(code) if code else None,
            contact_ciphertext=crypto.encrypt_contact(contact or {}),
            what_happened=what_happened.strip(),
            occurred_when=occurred_when.strip(),
            affected=affected,
            categories=categories,
            project_hint=project_hint.strip(),
            language=_filing_language(),
            received_at=now,
            next_due_at=sla.next_due_from(state=S.RECEIVED, acknowledged_at=None, **deadlines),
            **deadlines,
        )
        if application is not None:
            report.applications.add(application)
        if dataset is not None:
            report.datasets.add(dataset)
        for upload, info in checked:
            HarmAttachment.objects.create(
                report=report,
                file=upload,
                name=info.name,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
            )
        audit.record(
            actor=_audit_actor(actor),
            action="harm_report.create",
            target=report,
            to_state=report.state,
            payload={
                "categories": categories,
                "affected": affected,
                "anonymous": not signed_in,
                "applications": [application.pk] if application is not None else [],
                "datasets": [dataset.pk] if dataset is not None else [],
                "attachments": [info.sha256 for _upload, info in checked],
            },
        )
        notify(
            recipients=list(_officers()),
            kind="harm_report.received",
            context=lambda: {
                "subject": _("New harm report %(ref)s") % {"ref": report.reference},
                "body": _("A new harm report is waiting to be acknowledged and triaged."),
            },
            url=f"/harms/{report.pk}/",
        )
    return report, code


def harm_report_acknowledge(*, actor, report: HarmReport, message: str) -> HarmReport:
    """Tell the reporter their report has been received and read (the first service level).

    Precondition (``rules.HARM_REPORT["acknowledge"]``): a harm officer; the report is open
    and not yet acknowledged. Side effects: a message to the reporter; the reporter is told.
    """
    with transaction.atomic():
        report = _lock(report)
        rules.check(rules.HARM_REPORT, "acknowledge", actor=actor, obj=report)
        report.acknowledged_at = timezone.now()
        report.next_due_at = sla.next_due_at(report)
        report.save(update_fields=["acknowledged_at", "next_due_at", "updated_at"])
        _post(report, author=actor, body=message)
        audit.record(actor=actor, action="harm_report.acknowledge", target=report)
        _news_for_reporter(report)
    return report


def harm_report_triage(
    *, actor, report: HarmReport, severity: str, applications=(), datasets=(), note: str = ""
) -> HarmReport:
    """Grade the severity and confirm the projects and datasets concerned.

    Precondition (``rules.HARM_REPORT["triage"]``): a harm officer; the report is received.
    Side effects: counts as the acknowledgement if none was sent; an optional internal note;
    the reporter is told.
    """
    if severity not in Severity.values:
        raise DomainError(_("Choose a severity."), field_errors={"severity": [_("Required.")]})
    with transaction.atomic():
        report = _lock(report)
        now = timezone.now()
        report = rules.run(
            rules.HARM_REPORT,
            "triage",
            actor=actor,
            obj=report,
            lock=False,
            changes={
                "severity": severity,
                "links_confirmed": True,
                "triaged_at": now,
                "acknowledged_at": report.acknowledged_at or now,
            },
            payload={
                "severity": severity,
                "applications": sorted(a.pk for a in applications),
                "datasets": sorted(d.pk for d in datasets),
            },
        )
        report.applications.set(applications)
        report.datasets.set(datasets)
        if note.strip():
            _post(report, author=actor, body=note.strip(), internal=True)
        _news_for_reporter(report)
    return report


def harm_report_investigate(*, actor, report: HarmReport, note: str = "") -> HarmReport:
    """Open the investigation (``rules.HARM_REPORT["investigate"]``: officer; triaged)."""
    with transaction.atomic():
        report = rules.run(rules.HARM_REPORT, "investigate", actor=actor, obj=report)
        if note.strip():
            _post(report, author=actor, body=note.strip(), internal=True)
        _news_for_reporter(report)
    return report


def _decide(name: str, *, actor, report: HarmReport, text: str, **changes) -> HarmReport:
    """Run a deciding move (resolve, close, refer): the text is the outcome the reporter
    receives in the thread, and the appeal window opens."""
    with transaction.atomic():
        report = rules.run(
            rules.HARM_REPORT,
            name,
            actor=actor,
            obj=report,
            text=text,
            changes={"decided_at": timezone.now(), **changes},
            payload=changes or None,
        )
        _post(report, author=actor, body=report.outcome)
        _news_for_reporter(report)
    return report


def harm_report_resolve(*, actor, report: HarmReport, outcome: str) -> HarmReport:
    """Resolve a case whose redress has been answered.

    Precondition (``rules.HARM_REPORT["resolve"]``): a harm officer; the report has redress
    offered and no action is still waiting for an answer or for delivery; an outcome.
    Side effects: the outcome is sent to the reporter, who may appeal within the appeal window.
    """
    return _decide("resolve", actor=actor, report=report, text=outcome)


def harm_report_close(*, actor, report: HarmReport, reasons: str) -> HarmReport:
    """Close without action, with reasons the reporter receives.

    Precondition (``rules.HARM_REPORT["close"]``): a harm officer; the report is received,
    triaged or under investigation.
    """
    return _decide("close", actor=actor, report=report, text=reasons)


def harm_report_refer(*, actor, report: HarmReport, referred_to: str, reasons: str) -> HarmReport:
    """Refer the case to another body (e.g. the data-protection authority).

    Precondition (``rules.HARM_REPORT["refer"]``): a harm officer; the report is open and no
    redress is pending; the body it goes to and the reasons.
    """
    if not (referred_to or "").strip():
        message = _("Name the body the case goes to.")
        errors = {"referred_to": [message]}
        if not (reasons or "").strip():
            errors["reasons"] = [_("Give the reasons for the reporter.")]
        raise DomainError(_("The referral is incomplete."), field_errors=errors)
    referred_to = referred_to.strip()[:200]
    return _decide("refer", actor=actor, report=report, text=reasons, referred_to=referred_to)


def harm_report_appeal(*, actor, report: HarmReport, grounds: str) -> HarmReport:
    """The reporter appeals a decision: the case reopens under investigation.

    Precondition (``rules.HARM_REPORT["appeal"]``): the reporter (signed in, or holding the
    receipt code); the report is decided, within the appeal window, and has not been appealed
    before. Side effects: a fresh decision deadline; harm officers are notified.
    """
    with transaction.atomic():
        now = timezone.now()
        report = rules.run(
            rules.HARM_REPORT,
            "appeal",
            actor=actor,
            obj=report,
            text=grounds,
            changes={
                "appealed_at": now,
                "decided_at": None,
                "decision_due": sla.add_working_days(now, settings.HARM_DECISION_WORKING_DAYS),
            },
        )
        _post(report, author=actor, body=report.appeal_grounds, from_reporter=True)
        notify(
            recipients=list(_officers()),
            kind="harm_report.appeal",
            context=lambda: {
                "subject": _("Appeal on harm report %(ref)s") % {"ref": report.reference},
                "body": _("The reporter appealed the decision; the case is open again."),
            },
            url=f"/harms/{report.pk}/",
        )
    return report


def harm_message_post(*, actor, report: HarmReport, body: str, internal: bool = False):
    """Add a message to a report's thread.

    The reporter writes to the panel; a harm officer writes to the reporter or, with
    ``internal``, a note only officers and auditors read. A panel message to the reporter
    counts as the acknowledgement when none was sent.
    """
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a message."), field_errors={"body": [_("Required.")]})
    if len(body) > 5000:
        raise DomainError(
            _("The message is too long."), field_errors={"body": [_("At most 5000 characters.")]}
        )
    with transaction.atomic():
        report = _lock(report)
        reporter = is_reporter_of(actor, report)
        if not reporter and not is_harm_officer(actor):
            raise PermissionDenied(_("You cannot write on this report."))
        if reporter and internal:
            raise PermissionDenied(_("Reporters cannot write internal notes."))
        message = _post(report, author=actor, body=body, internal=internal, from_reporter=reporter)
        if not reporter and not internal and report.acknowledged_at is None:
            report.acknowledged_at = message.created_at
            report.next_due_at = sla.next_due_at(report)
            report.save(update_fields=["acknowledged_at", "next_due_at", "updated_at"])
        audit.record(
            actor=_audit_actor(actor),
            action="harm_report.note" if internal else "harm_report.message",
            target=report,
            payload={"from_reporter": reporter, "message": message.pk},
        )
        if reporter:
            notify(
                recipients=list(_officers()),
                kind="harm_report.message",
                context=lambda: {
                    "subject": _("New message on harm report %(ref)s") % {"ref": report.reference},
                    "body": _("The reporter wrote to the panel."),
                },
                url=f"/harms/{report.pk}/",
            )
        elif not internal:
            _news_for_reporter(report)
    return message


def harm_reports_remind_overdue() -> int:
    """Remind harm officers, at most once a day per report, of reports past a deadline."""
    from datetime import timedelta

    from ..selectors import harm_report_queue

    now = timezone.now()
    overdue = [
        r
        for r in harm_report_queue(state="", overdue_only=True)
        if r.last_reminded_at is None or r.last_reminded_at < now - timedelta(hours=23)
    ]
    if not overdue:
        return 0
    with transaction.atomic():
        HarmReport.objects.filter(pk__in=[r.pk for r in overdue]).update(last_reminded_at=now)
        notify(
            recipients=list(_officers()),
            kind="harm_report.overdue",
            context=lambda: {
                "subject": _("%(n)s harm reports are overdue") % {"n": len(overdue)},
                "body": ", ".join(r.reference for r in overdue[:50]),
            },
            url="/harms/queue/?overdue=1",
        )
    return len(overdue)
