"""The panel recommends suspending a project; the chair executes or dismisses it."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError, TransitionNotAllowed
from solidarity.notifications.services import notify
from solidarity.transitions import transition_run

from ..models import (
    HarmReport,
    SuspensionRecommendation,
)
from ..rules import SUSPENSION, _lock_recommendation
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
            context=lambda: {
                "subject": _("Suspension recommended: %(ref)s")
                % {"ref": application.reference or application.title},
                "body": _("The harm panel recommends suspending this project."),
            },
            url="/harms/recommendations/",
        )
    return rec


def suspension_recommendation_execute(
    *, actor, recommendation: SuspensionRecommendation, reason: str = ""
) -> SuspensionRecommendation:
    """The chair suspends the project through the applications service.

    Precondition (``harms.rules.SUSPENSION``): the chair; the recommendation is open. The
    project's own rules (only an active project can be suspended) are the applications
    rulebook's. The project is locked before the recommendation (the system's lock order).
    """
    from applications.services import application_suspend

    reason = (reason or "").strip()
    with transaction.atomic():
        rec = _lock_recommendation(recommendation)
        SUSPENSION.check("execute", actor=actor, obj=rec)
        application_suspend(actor=actor, application=rec.application, reason=reason or rec.reason)
        return transition_run(
            SUSPENSION,
            "execute",
            actor=actor,
            obj=rec,
            lock=False,
            changes=_decided(actor, reason),
            payload=_payload(rec),
        )


def suspension_recommendation_dismiss(
    *, actor, recommendation: SuspensionRecommendation, reason: str
) -> SuspensionRecommendation:
    """The chair dismisses the recommendation with a written reason; the project is untouched.

    Precondition (``harms.rules.SUSPENSION``): the chair; the recommendation is open.
    """
    return transition_run(
        SUSPENSION,
        "dismiss",
        actor=actor,
        obj=recommendation,
        text=reason,
        changes=_decided(actor, None),
        payload=_payload(recommendation),
    )


def _payload(rec) -> dict:
    # The event's target is the recommendation (the row whose state changes); the report and
    # the project are named here.
    return {"report": rec.report_id, "application": rec.application_id, "recommendation": rec.pk}


def _decided(actor, reason) -> dict:
    changes = {"decided_by": actor, "decided_at": timezone.now()}
    if reason is not None:
        changes["decision_reason"] = reason
    return changes
