"""Harm cases: owning a report, handing it over, and linking reports into one incident.

Each service runs in one transaction, locks what it changes, checks that the actor is a harm
officer, saves and writes its audit event. Nothing here touches a report's state, its
reporter or its redress: linking reports into an incident groups the panel's work, while each
reporter keeps following their own report and receives their own redress. Audit payloads name
officers and report ids only, never a reporter.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, TransitionNotAllowed
from solidarity.notifications.services import notify

from .case_models import HarmIncident, HarmReportHandover
from .models import HarmReport
from .permissions import is_harm_officer
from .services._common import _require_officer

MAX_INCIDENT_REPORTS = 200


def _require_owner_candidate(user) -> None:
    if user is None or not getattr(user, "is_active", False) or not is_harm_officer(user):
        raise DomainError(
            _("A case can only be handed to an active harm officer."),
            field_errors={"owner": [_("Choose an active harm officer.")]},
        )


def harm_report_assign_owner(*, actor, report: HarmReport, owner, note: str = "") -> HarmReport:
    """Make ``owner`` the harm officer responsible for the report (first assignment or hand-over).

    Precondition: the actor is a harm officer; the new owner is an active harm officer other
    than the current owner. Side effects: a hand-over row; the audit event; the new owner is
    notified through the notifications outbox (after commit for the e-mail).
    """
    _require_officer(actor)
    _require_owner_candidate(owner)
    with transaction.atomic():
        report = HarmReport.objects.select_for_update().get(pk=report.pk)
        if report.owner_id == owner.pk:
            raise TransitionNotAllowed(
                _("%(user)s already owns this case.") % {"user": owner.get_username()}
            )
        previous = report.owner_id
        HarmReportHandover.objects.create(
            report=report,
            from_officer_id=previous,
            to_officer=owner,
            by=actor,
            note=note.strip(),
        )
        report.owner = owner
        report.save(update_fields=["owner", "updated_at"])
        audit.record(
            actor=actor,
            action="harm_report.assign_owner",
            target=report,
            payload={"from_officer": previous, "to_officer": owner.pk},
        )
        if owner.pk != actor.pk:
            notify(
                recipients=[owner],
                kind="harm_report.handover",
                context=lambda: {
                    "subject": _("Harm report %(ref)s is now yours") % {"ref": report.reference},
                    "body": (
                        _("%(by)s handed you this harm case.") % {"by": actor.get_username()}
                        + (f"\n\n{note.strip()}" if note.strip() else "")
                    ),
                },
                url=f"/harms/{report.pk}/",
            )
    return report


def _lock_reports(ids) -> list[HarmReport]:
    ids = sorted(set(ids))
    reports = list(HarmReport.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(reports) != len(ids):
        raise DomainError(
            _("Some of these reports do not exist."),
            field_errors={"reports": [_("Unknown report.")]},
        )
    return reports


def _attach(reports, incident) -> None:
    taken = [r.reference for r in reports if r.incident_id not in (None, incident.pk)]
    if taken:
        raise TransitionNotAllowed(
            _("Already part of another incident: %(refs)s. Unlink them there first.")
            % {"refs": ", ".join(taken)}
        )
    HarmReport.objects.filter(pk__in=[r.pk for r in reports]).update(incident=incident)


def harm_incident_create(*, actor, title: str, report_ids, summary: str = "") -> HarmIncident:
    """Group at least two reports about the same event into a new incident.

    Precondition: a harm officer; a title; two or more existing reports, none already in an
    incident. The reports keep their states, reporters and redress. Side effect: audit event.
    """
    _require_officer(actor)
    title = (title or "").strip()
    ids = sorted(set(report_ids or []))
    errors = {}
    if not title:
        errors["title"] = [_("Give the incident a title.")]
    if len(ids) < 2:
        errors["reports"] = [_("Choose at least two reports about the same event.")]
    elif len(ids) > MAX_INCIDENT_REPORTS:
        errors["reports"] = [_("Too many reports for one incident.")]
    if errors:
        raise DomainError(_("The incident could not be created."), field_errors=errors)
    with transaction.atomic():
        reports = _lock_reports(ids)
        incident = HarmIncident.objects.create(
            title=title, summary=(summary or "").strip(), created_by=actor
        )
        _attach(reports, incident)
        audit.record(
            actor=actor,
            action="harm_incident.create",
            target=incident,
            payload={"reports": ids},
        )
    return incident


def harm_incident_link(*, actor, incident: HarmIncident, report: HarmReport) -> HarmIncident:
    """Add one more report to an incident. Precondition: a harm officer; the report is in none."""
    _require_officer(actor)
    with transaction.atomic():
        incident = HarmIncident.objects.select_for_update().get(pk=incident.pk)
        (locked,) = _lock_reports([report.pk])
        if locked.incident_id == incident.pk:
            raise TransitionNotAllowed(_("This report is already part of the incident."))
        _attach([locked], incident)
        audit.record(
            actor=actor,
            action="harm_incident.link",
            target=incident,
            payload={"report": locked.pk},
        )
    return incident


def harm_incident_unlink(*, actor, incident: HarmIncident, report: HarmReport) -> HarmIncident:
    """Take a report out of an incident; the report itself is unchanged otherwise."""
    _require_officer(actor)
    with transaction.atomic():
        incident = HarmIncident.objects.select_for_update().get(pk=incident.pk)
        (locked,) = _lock_reports([report.pk])
        if locked.incident_id != incident.pk:
            raise TransitionNotAllowed(_("This report is not part of the incident."))
        HarmReport.objects.filter(pk=locked.pk).update(incident=None)
        audit.record(
            actor=actor,
            action="harm_incident.unlink",
            target=incident,
            payload={"report": locked.pk},
        )
    return incident


def harm_officers():
    """Active harm officers, the people a case may be handed to."""
    from solidarity.accounts.roles import Role

    return (
        get_user_model()
        .objects.filter(groups__name=Role.HARM_OFFICER, is_active=True)
        .order_by("username")
    )


BULK_LIMIT = 100


def harm_reports_bulk(*, actor, action: str, report_ids, owner=None, severity: str = "") -> dict:
    """Triage or assign several reports: each through its own service, in its own transaction.

    One refusal never undoes another report's success. Returns ``{"succeeded": [ids],
    "refused": [{"id", "reason"}]}`` in the order the ids were given.
    """
    from . import services

    _require_officer(actor)
    ids = list(dict.fromkeys(report_ids or []))
    if not ids or len(ids) > BULK_LIMIT:
        raise DomainError(
            _("Choose between 1 and %(n)s reports.") % {"n": BULK_LIMIT},
            field_errors={"reports": [_("Choose reports.")]},
        )
    if action == "assign_owner":
        _require_owner_candidate(owner)

        def run(report):
            harm_report_assign_owner(actor=actor, report=report, owner=owner)

    elif action == "triage":

        def run(report):
            services.harm_report_triage(actor=actor, report=report, severity=severity)

    else:
        raise DomainError(_("Unknown bulk action."), field_errors={"action": [_("Unknown.")]})
    found = HarmReport.objects.in_bulk(ids)
    result = {"succeeded": [], "refused": []}
    for pk in ids:
        report = found.get(pk)
        if report is None:
            result["refused"].append({"id": pk, "reason": _("No such report.")})
            continue
        try:
            run(report)
        except DomainError as exc:
            result["refused"].append({"id": pk, "reason": exc.message})
        else:
            result["succeeded"].append(pk)
    return result
