"""The later life of an agreement: breach, cure, fulfilment, and the chair's suspension.

Below the agreement and obligation services (both call it); it imports neither."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.services import application_suspend
from solidarity import audit
from solidarity.accounts.roles import Role
from solidarity.errors import DomainError
from solidarity.transitions import transition_run

from ..models import BenefitAgreement, ObligationState
from ..rules import AGREEMENT, SETTLED
from ._common import agreement_url, applicant_side, lock_agreement, officers, tell, users_with_role


def agreement_flag_breach(*, actor, agreement, reason: str) -> BenefitAgreement:
    """Flag an in-force agreement as in breach, for the chair (who may suspend the project).

    Called by the periodic check after the grace period (actor ``None``), or by a benefit
    officer. Side effects: the chair(s), the officers and the applicant are told; a
    ``benefit_agreement.breach`` audit event.
    """
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        agreement = transition_run(
            AGREEMENT,
            "breach",
            actor=actor or "system",
            obj=agreement,
            lock=False,
            text=reason,
            changes={"breached_at": timezone.now()},
        )
        tell(
            [*users_with_role(Role.CHAIR), *officers(), *applicant_side(agreement)],
            subject=lambda: _("A benefit-sharing agreement is in breach"),
            body=lambda: (
                _(
                    "The agreement for %(app)s is in breach: %(reason)s The chair may suspend "
                    "the project."
                )
                % {
                    "app": agreement.application,
                    # One full stop, whether or not the reason ends with one.
                    "reason": reason.strip().rstrip(".") + ".",
                }
            ),
            url=agreement_url(agreement),
        )
    return agreement


def agreement_cure(*, actor, agreement) -> bool:
    """Back in force once nothing is overdue any more (called after a verification or waiver,
    with the agreement locked).

    Returns whether the agreement changed. Side effects: a ``benefit_agreement.cure`` event.
    """
    if not AGREEMENT.in_source_state("cure", agreement):
        return False
    if agreement.obligations.filter(state=ObligationState.OVERDUE).exists():
        return False
    transition_run(
        AGREEMENT, "cure", actor=actor, obj=agreement, lock=False, changes={"state_reason": ""}
    )
    return True


def agreement_fulfil_if_complete(*, actor, agreement) -> bool:
    """An in-force agreement whose every obligation is verified or waived is fulfilled."""
    if not AGREEMENT.in_source_state("fulfil", agreement):
        return False
    if agreement.obligations.exclude(state__in=SETTLED).exists():
        return False
    transition_run(
        AGREEMENT,
        "fulfil",
        actor=actor,
        obj=agreement,
        lock=False,
        changes={"ended_at": timezone.now()},
    )
    return True


def agreement_suspend_project(*, actor, agreement, reason: str):
    """The chair suspends the project of an agreement in breach, through the applications app.

    Preconditions: the actor is the chair; the agreement is in breach; a reason. Side effects:
    whatever ``applications.services.application_suspend`` does, plus a
    ``benefit_agreement.suspend_project`` audit event.
    """
    move = AGREEMENT["suspend-project"]
    if not AGREEMENT.may_actor(move.name, actor, agreement):
        AGREEMENT.check(move.name, actor=actor, obj=agreement)  # raises PermissionDenied
    if not (reason or "").strip():
        raise DomainError(
            _("Give the reason for suspending the project."),
            field_errors={"reason": [_("Give a reason.")]},
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        AGREEMENT.check(move.name, actor=actor, obj=agreement)
        application_suspend(actor=actor, application=agreement.application, reason=reason.strip())
        audit.record(
            actor=actor,
            action=move.action,
            target=agreement,
            payload={"application": agreement.application_id, "reason": reason.strip()},
        )
    return agreement
