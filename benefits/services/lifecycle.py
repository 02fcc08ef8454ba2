"""The later life of an agreement: breach, cure, fulfilment, and the chair's suspension."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError, PermissionDenied

from ..models import AgreementState, BenefitAgreement, ObligationState
from ..permissions import can_suspend_project
from ._common import agreement_url, applicant_side, lock_agreement, officers, tell, users_with_role
from .agreements import _refuse_unless_officer, _require_state


def agreement_flag_breach(*, actor, agreement, reason: str) -> BenefitAgreement:
    """Flag an in-force agreement as in breach, for the chair (who may suspend the project).

    Called by the periodic check after the grace period (actor ``None``), or by a benefit
    officer. Side effects: the chair(s), the officers and the applicant are told; a
    ``benefit_agreement.breach`` audit event.
    """
    if actor is not None:
        _refuse_unless_officer(actor)
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        _require_state(agreement, [AgreementState.IN_FORCE], _("flagged as in breach"))
        agreement.state = AgreementState.BREACHED
        agreement.state_reason = reason
        agreement.breached_at = timezone.now()
        agreement.save(update_fields=["state", "state_reason", "breached_at", "updated_at"])
        audit.record(
            actor=actor or "system",
            action="benefit_agreement.breach",
            target=agreement,
            from_state=AgreementState.IN_FORCE,
            to_state=agreement.state,
            payload={"reason": reason},
        )
        tell(
            [*users_with_role(Role.CHAIR), *officers(), *applicant_side(agreement)],
            subject=_("A benefit-sharing agreement is in breach"),
            body=_(
                "The agreement for %(app)s is in breach: %(reason)s The chair may suspend "
                "the project."
            )
            % {
                "app": agreement.application,
                # One full stop, whether or not the reason ends with one.
                "reason": reason.strip().rstrip(".") + ".",
            },
            url=agreement_url(agreement),
        )
    return agreement


def agreement_cure(*, actor, agreement) -> bool:
    """Back in force once nothing is overdue any more (called after a verification or waiver).

    Returns whether the agreement changed. Side effects: a ``benefit_agreement.cure`` event.
    """
    if agreement.state != AgreementState.BREACHED:
        return False
    if agreement.obligations.filter(state=ObligationState.OVERDUE).exists():
        return False
    agreement.state = AgreementState.IN_FORCE
    agreement.state_reason = ""
    agreement.save(update_fields=["state", "state_reason", "updated_at"])
    audit.record(
        actor=actor,
        action="benefit_agreement.cure",
        target=agreement,
        from_state=AgreementState.BREACHED,
        to_state=AgreementState.IN_FORCE,
    )
    return True


def agreement_fulfil_if_complete(*, actor, agreement) -> bool:
    """An in-force agreement whose every obligation is verified or waived is fulfilled."""
    if agreement.state != AgreementState.IN_FORCE:
        return False
    if agreement.obligations.exclude(
        state__in=[ObligationState.VERIFIED, ObligationState.WAIVED]
    ).exists():
        return False
    agreement.state = AgreementState.FULFILLED
    agreement.ended_at = timezone.now()
    agreement.save(update_fields=["state", "ended_at", "updated_at"])
    audit.record(
        actor=actor,
        action="benefit_agreement.fulfil",
        target=agreement,
        from_state=AgreementState.IN_FORCE,
        to_state=AgreementState.FULFILLED,
    )
    return True


def agreement_suspend_project(*, actor, agreement, reason: str):
    """The chair suspends the project of an agreement in breach, through the applications app.

    Preconditions: the actor is the chair; the agreement is in breach; a reason. Side effects:
    whatever ``applications.services.application_suspend`` does, plus a
    ``benefit_agreement.suspend_project`` audit event.
    """
    if not can_suspend_project(actor):
        raise PermissionDenied(_("Only the chair may suspend a project."))
    if not (reason or "").strip():
        raise DomainError(
            _("Give the reason for suspending the project."),
            field_errors={"reason": [_("Give a reason.")]},
        )
    try:
        from applications.services import application_suspend
    except ImportError:
        raise DomainError(_("Suspending projects is not available yet.")) from None
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        _require_state(agreement, [AgreementState.BREACHED], _("used to suspend the project"))
        application_suspend(actor=actor, application=agreement.application, reason=reason.strip())
        audit.record(
            actor=actor,
            action="benefit_agreement.suspend_project",
            target=agreement,
            payload={"application": agreement.application_id, "reason": reason.strip()},
        )
    return agreement
