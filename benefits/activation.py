"""What benefits adds to the activation rule of an approved application."""

from django.utils.translation import gettext as _

from .models import MONETARY_OR_ACCESS_KINDS, BenefitAgreement
from .rules import ACTIVATING


def signed_agreement_check(application) -> list[str]:
    """Missing items: a signed agreement; for commercial use, a monetary or access obligation."""
    agreement = (
        BenefitAgreement.objects.filter(
            application_id=application.pk,
            state__in=ACTIVATING,
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


def agreement_links(user, application) -> list[tuple[str, str]]:
    """The application page links to its benefit-sharing agreement, for those who may see it."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .selectors import agreements_visible_to

    if not user.is_authenticated:
        return []
    return [
        (
            _("Benefit-sharing agreement (%(state)s)") % {"state": a.get_state_display()},
            reverse("benefits:agreement-detail", args=[a.pk]),
        )
        for a in agreements_visible_to(user).filter(application_id=application.pk)
    ]
