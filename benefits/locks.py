"""Locking an agreement or an obligation in the system's one lock order: application →
agreement → obligation → fund account → audit chain head (README, "Lock order")."""

from applications.models import Application

from .models import BenefitAgreement, Obligation


def lock_application_of(agreement) -> None:
    """Lock the agreement's application first: the system's one lock order is application →
    agreement → fund account → audit chain head (README, "Lock order"), so signing an agreement
    can never wait on an application that a custodian's grant holds while it waits on us."""
    application_id = (
        getattr(agreement, "application_id", None)
        or (
            BenefitAgreement.objects.filter(pk=agreement.pk).values_list(
                "application_id", flat=True
            )[0]
        )
    )
    list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk=application_id)
        .values_list("pk", flat=True)
    )


def lock_agreement(agreement) -> BenefitAgreement:
    lock_application_of(agreement)
    return (
        BenefitAgreement.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=agreement.pk)
    )


def lock_obligation(obligation) -> Obligation:
    """Lock an obligation, its application and agreement first: every service takes the locks
    in the same order (application, agreement, then obligation), so two of them can never
    deadlock."""
    agreement_id = (
        obligation.agreement_id
        or Obligation.objects.filter(pk=obligation.pk).values_list("agreement_id", flat=True)[0]
    )
    lock_application_of(BenefitAgreement(pk=agreement_id))
    list(
        BenefitAgreement.objects.select_for_update()
        .filter(pk=agreement_id)
        .values_list("pk", flat=True)
    )
    return (
        Obligation.objects.select_for_update(of=("self",))
        .select_related("agreement__application")
        .get(pk=obligation.pk)
    )
