"""Demo data: a small fund balance and, when an approved demo project exists, its agreement."""

from solidarity.errors import DomainError

from .models import AgreementKind, FundTransaction

DEMO_SOURCE = "demo_seed"


def seed_benefits(*, users, organisations=None, stdout=None, **kwargs) -> None:
    """Idempotent: a second run adds nothing."""
    from . import selectors, services

    officer = users.get("benefit_officer")
    if officer is None:
        return
    if not FundTransaction.objects.filter(source_type=DEMO_SOURCE).exists():
        services.fund_receive(
            actor=officer,
            amount_minor=250_000,
            currency="EUR",
            reason="Opening contribution to the solidarity fund (demo)",
            source_type=DEMO_SOURCE,
            source_id="opening",
        )
    application = selectors.approved_applications_without_agreement().first()
    if application is None:
        return
    kind = (
        AgreementKind.COMMERCIAL
        if application.commercial_involvement
        else (AgreementKind.PUBLIC_RESEARCH)
    )
    try:
        agreement = services.agreement_draft(actor=officer, application=application, kind=kind)
        services.agreement_propose(actor=officer, agreement=agreement)
    except DomainError as exc:  # the demo project is not in a state to receive one
        if stdout is not None:
            stdout.write(f"No demo benefit agreement: {exc.message}")
