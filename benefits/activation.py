"""What benefits adds to the activation rule of an approved application."""

from django.utils.translation import gettext as _

from .models import MONETARY_OR_ACCESS_KINDS, AgreementState, BenefitAgreement


def signed_agreement_check(application) -> list[str]:
    """Missing items: a signed agreement; for commercial use, a monetary or access obligation."""
    agreement = (
        BenefitAgreement.objects.filter(
            application_id=application.pk,
            state__in=[AgreementState.SIGNED, AgreementState.IN_FORCE],
        )
        .order_by("-id")
        .first()
    )
    if agreement is None:
        return [_("A signed benefit-sharing agreement")]
    if (
        application.commercial_involvement
        and not agreement.obligations.filter(kind__in=MONETARY_OR_ACCESS_KINDS).exists()
    ):
        return [
            _(
                "A monetary or access obligation in the benefit-sharing agreement "
                "(the project has commercial involvement)"
            )
        ]
    return []
