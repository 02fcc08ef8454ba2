"""The panel recommends suspending a project; the chair executes or dismisses it."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.services import notify

from ..models import (
    HarmReport,
    SuspensionRecommendation,
)
from ..permissions import (
    can_decide_suspension,
)
from ._common import (
    _lock,
    _require_officer,
)


def harm_report_recommend_suspension(
    *, actor, report: HarmReport, application, reason: str
) -> SuspensionRecommendation:
    """Recommend that the chair suspend a project linked to this report.

    Precondition: a harm officer; the project is linked to the report and active; no open
    recommendation for it on this report. Side effect: the chairs are notified.
    """
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        report = _lock(report)
        _require_officer(actor)
        if not report.applications.filter(pk=application.pk).exists():
            raise DomainError(_("This project is not linked to the report."))
        from applications.rules import APPLICATION

        # Recommended only while the chair could suspend it (the applications rulebook).
        if not APPLICATION.in_source_state("suspend", application):
            raise TransitionNotAllowed(_("Only an active project can be suspended."))
        if SuspensionRecommendation.objects.filter(
            report=report, application=application, state="open"
        ).exists():
            raise TransitionNotAllowed(_("This suspension is already recommended."))
        rec = SuspensionRecommendation.objects.create(
            report=report, application=application, reason=reason.strip(), recommended_by=actor
        )
        audit.record(
            actor=actor,
            action="harm_report.recommend_suspension",
            target=report,
            payload={"application": application.pk, "recommendation": rec.pk},
        )
        chairs = get_user_model().objects.filter(groups__name=Role.CHAIR, is_active=True)
        notify(
            recipients=list(chairs),
            kind="harm_report.suspension",
            context={
                "subject": _("Suspension recommended: %(ref)s")
                % {"ref": application.reference or application.title},
                "body": _("The harm panel recommends suspending this project."),
            },
            url="/harms/recommendations/",
        )
    return rec


def _lock_recommendation(rec):
    """Lock the project first, then the recommendation: the system's lock order puts the
    application before everything that hangs on it (``application_suspend`` locks it too)."""
    from applications.models import Application

    application_id = rec.application_id or SuspensionRecommendation.objects.values_list(
        "application_id", flat=True
    ).get(pk=rec.pk)
    list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk=application_id)
        .values_list("pk", flat=True)
    )
    return (
        SuspensionRecommendation.objects.select_for_update(of=("self",))
        .select_related("application", "report")
        .get(pk=rec.pk)
    )


def suspension_recommendation_execute(
    *, actor, recommendation: SuspensionRecommendation, reason: str = ""
) -> SuspensionRecommendation:
    """The chair suspends the project through the applications service.

    Precondition: the chair; the recommendation is open. The project's own rules (only an
    active project may be suspended) are checked by ``application_suspend``.
    """
    from applications.services import application_suspend

    with transaction.atomic():
        rec = _lock_recommendation(recommendation)
        if not can_decide_suspension(actor):
            raise PermissionDenied(_("Only the chair may suspend a project."))
        if rec.state != SuspensionRecommendation.State.OPEN:
            raise TransitionNotAllowed(_("This recommendation has already been decided."))
        application_suspend(
            actor=actor,
            application=rec.application,
            reason=(reason or "").strip() or rec.reason,
        )
        rec.state = SuspensionRecommendation.State.EXECUTED
        rec.decided_by = actor
        rec.decided_at = timezone.now()
        rec.decision_reason = (reason or "").strip()
        rec.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=actor,
            action="harm_report.suspension_executed",
            target=rec.report,
            payload={"application": rec.application_id, "recommendation": rec.pk},
        )
    return rec


def suspension_recommendation_dismiss(
    *, actor, recommendation: SuspensionRecommendation, reason: str
) -> SuspensionRecommendation:
    """The chair declines to suspend, with a reason the panel reads."""
    if not (reason or "").strip():
        raise DomainError(_("Give a reason."), field_errors={"reason": [_("Required.")]})
    with transaction.atomic():
        rec = _lock_recommendation(recommendation)
        if not can_decide_suspension(actor):
            raise PermissionDenied(_("Only the chair may decide on a suspension."))
        if rec.state != SuspensionRecommendation.State.OPEN:
            raise TransitionNotAllowed(_("This recommendation has already been decided."))
        rec.state = SuspensionRecommendation.State.DISMISSED
        rec.decided_by = actor
        rec.decided_at = timezone.now()
        rec.decision_reason = reason.strip()
        rec.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=actor,
            action="harm_report.suspension_dismissed",
            target=rec.report,
            payload={"application": rec.application_id, "recommendation": rec.pk},
        )
    return rec
