"""Benefit agreements: drafting, proposing, signing, amending, ending (DESIGN §6)."""

import hashlib
import json
import logging

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from ..agreement_templates import template_obligations, template_terms
from ..models import (
    MONETARY_OR_ACCESS_KINDS,
    AgreementKind,
    AgreementState,
    BenefitAgreement,
    ObligationState,
    ReportState,
    Signature,
    SignatureSide,
    TermsVersion,
)
from ..permissions import (
    can_manage_agreements,
    can_sign_for_applicant,
    can_sign_for_committee,
)
from ._common import agreement_url, applicant_side, lock_agreement, officers, tell

logger = logging.getLogger(__name__)

DEFAULT_GRACE_DAYS = 30
# Application states in which a project may receive (or still have) an agreement.
AGREEMENT_APPLICATION_STATES = ("approved", "active", "suspended")


def default_grace_days() -> int:
    return int(getattr(settings, "BENEFITS_BREACH_GRACE_DAYS", DEFAULT_GRACE_DAYS))


def _refuse_unless_officer(actor) -> None:
    if not can_manage_agreements(actor):
        raise PermissionDenied(_("Only benefit officers may manage benefit agreements."))


def _require_state(agreement, allowed, verb: str) -> None:
    if agreement.state not in allowed:
        raise TransitionNotAllowed(
            _("A benefit agreement that is %(state)s cannot be %(verb)s.")
            % {"state": agreement.get_state_display().lower(), "verb": verb}
        )


def agreement_draft(
    *,
    actor,
    application,
    kind: str,
    terms: str = "",
    grace_days: int | None = None,
    from_template: bool = True,
) -> BenefitAgreement:
    """Draft the benefit agreement of an approved application, from the template for its kind.

    Preconditions: the actor is a benefit officer; the application is approved (or already
    active or suspended, when a terminated agreement is being replaced) and has no other live
    agreement. Side effects: the template's obligations are added (unless ``from_template`` is
    false); a ``benefit_agreement.draft`` audit event.
    """
    from .obligations import _obligation_create

    _refuse_unless_officer(actor)
    if kind not in AgreementKind.values:
        raise DomainError(
            _("Choose the kind of use."), field_errors={"kind": [_("Choose a kind of use.")]}
        )
    with transaction.atomic():
        from applications.models import Application

        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state not in AGREEMENT_APPLICATION_STATES:
            raise TransitionNotAllowed(
                _("Only an approved application can receive a benefit agreement.")
            )
        if (
            BenefitAgreement.objects.filter(application=application)
            .exclude(state=AgreementState.TERMINATED)
            .exists()
        ):
            raise TransitionNotAllowed(_("This application already has a benefit agreement."))
        agreement = BenefitAgreement.objects.create(
            application=application,
            kind=kind,
            terms=(terms or "").strip() or template_terms(kind, application),
            grace_days=default_grace_days() if grace_days is None else grace_days,
            drafted_by=actor,
        )
        if from_template:
            for spec in template_obligations(kind, application):
                _obligation_create(agreement=agreement, **spec)
        transaction.on_commit(lambda: _forget_nav(application.applicant_id))
        audit.record(
            actor=actor,
            action="benefit_agreement.draft",
            target=agreement,
            to_state=agreement.state,
            payload={"application": application.pk, "kind": kind, "template": from_template},
        )
    return agreement


def _forget_nav(user_id: int) -> None:
    from django.core.cache import cache

    from ..templatetags.benefits_nav import nav_cache_key

    cache.delete(nav_cache_key(user_id))


def agreement_update(
    *, actor, agreement, terms: str, kind: str | None = None, grace_days: int | None = None
) -> BenefitAgreement:
    """Change the terms of a draft agreement. Once proposed, reopen it first (a new version).

    Side effects: a ``benefit_agreement.update`` audit event listing what changed.
    """
    _refuse_unless_officer(actor)
    if not (terms or "").strip():
        raise DomainError(
            _("The terms cannot be empty."), field_errors={"terms": [_("Write the terms.")]}
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        _require_state(agreement, [AgreementState.DRAFT], _("changed"))
        changed = []
        if agreement.terms != terms.strip():
            agreement.terms = terms.strip()
            changed.append("terms")
        if kind and kind != agreement.kind:
            if kind not in AgreementKind.values:
                raise DomainError(_("Choose the kind of use."))
            agreement.kind = kind
            changed.append("kind")
        if grace_days is not None and grace_days != agreement.grace_days:
            agreement.grace_days = grace_days
            changed.append("grace_days")
        if changed:
            agreement.save(update_fields=[*changed, "updated_at"])
            audit.record(
                actor=actor,
                action="benefit_agreement.update",
                target=agreement,
                payload={"changed": changed},
            )
    return agreement


def missing_obligations(agreement) -> list[str]:
    """What the obligations lack for this project (commercial use needs money or access)."""
    kinds = {o.kind for o in agreement.obligations.all()}
    problems = []
    if not kinds:
        problems.append(_("An agreement needs at least one obligation."))
    if agreement.application.commercial_involvement and not kinds & set(MONETARY_OR_ACCESS_KINDS):
        problems.append(
            _(
                "The project has commercial involvement: the agreement needs at least one "
                "monetary or access obligation (revenue share, fixed payment or affordable "
                "access)."
            )
        )
    return problems


def _freeze(agreement, actor) -> TermsVersion:
    content = {
        "kind": agreement.kind,
        "terms": agreement.terms,
        "grace_days": agreement.grace_days,
        "obligations": [
            {
                "id": o.pk,
                "kind": o.kind,
                "description": o.description,
                "beneficiary": o.beneficiary,
                "community": o.community,
                "share_basis_points": o.share_basis_points,
                "amount_minor": o.amount_minor,
                "currency": o.currency,
                "recurrence": o.recurrence,
                "due_date": o.due_date,
                "ends_on": o.ends_on,
                "evidence_expected": o.evidence_expected,
            }
            for o in agreement.obligations.order_by("id")
        ],
    }
    content = json.loads(json.dumps(content, cls=DjangoJSONEncoder))
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    return TermsVersion.objects.create(
        agreement=agreement,
        number=agreement.terms_version + 1,
        content=content,
        sha256=digest,
        created_by=actor,
    )


def agreement_propose(*, actor, agreement) -> BenefitAgreement:
    """Propose a draft agreement to the applicant's organisation, freezing a new terms version.

    Preconditions: a benefit officer; state draft; at least one obligation, and a monetary or
    access obligation when the project is commercial. Side effects: ``TermsVersion`` n+1; the
    applicant's side is told to sign; a ``benefit_agreement.propose`` audit event.
    """
    _refuse_unless_officer(actor)
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        _require_state(agreement, [AgreementState.DRAFT], _("proposed"))
        problems = missing_obligations(agreement)
        if problems:
            raise DomainError(" ".join(problems))
        version = _freeze(agreement, actor)
        agreement.terms_version = version.number
        agreement.state = AgreementState.PROPOSED
        agreement.proposed_at = timezone.now()
        agreement.save(update_fields=["terms_version", "state", "proposed_at", "updated_at"])
        audit.record(
            actor=actor,
            action="benefit_agreement.propose",
            target=agreement,
            from_state=AgreementState.DRAFT,
            to_state=agreement.state,
            payload={"version": version.number, "sha256": version.sha256},
        )
        tell(
            applicant_side(agreement),
            subject=_("A benefit-sharing agreement awaits your signature"),
            body=_("Version %(n)s of the benefit-sharing agreement for %(app)s was proposed.")
            % {"n": version.number, "app": agreement.application},
            url=agreement_url(agreement),
        )
    return agreement


def agreement_reopen(*, actor, agreement, reason: str) -> BenefitAgreement:
    """Take a proposed, signed or in-force agreement back to draft to change it.

    The signatures stay on record for the version they signed; the changed terms become a new
    version when proposed again and must be signed again by both sides. Preconditions: a
    benefit officer; a reason. Side effects: both sides are told; a ``benefit_agreement.reopen``
    audit event.
    """
    _refuse_unless_officer(actor)
    if not (reason or "").strip():
        raise DomainError(
            _("Say why the agreement is changed."),
            field_errors={"reason": [_("Give a reason.")]},
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        before = agreement.state
        _require_state(
            agreement,
            [AgreementState.PROPOSED, AgreementState.SIGNED, AgreementState.IN_FORCE],
            _("reopened"),
        )
        agreement.state = AgreementState.DRAFT
        agreement.state_reason = reason.strip()
        agreement.save(update_fields=["state", "state_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="benefit_agreement.reopen",
            target=agreement,
            from_state=before,
            to_state=agreement.state,
            payload={"reason": reason.strip(), "version": agreement.terms_version},
        )
        tell(
            applicant_side(agreement),
            subject=_("The benefit-sharing agreement is being changed"),
            body=_("The agreement for %(app)s is being changed: %(reason)s")
            % {"app": agreement.application, "reason": reason.strip()},
            url=agreement_url(agreement),
        )
    return agreement


def _signatures_for(agreement, version: int) -> set[str]:
    return set(
        Signature.objects.filter(agreement=agreement, version=version).values_list(
            "side", flat=True
        )
    )


def agreement_sign(*, actor, agreement, version: int | None = None) -> Signature:
    """Sign the proposed version of the terms, for the side the actor stands for.

    The applicant (a researcher) signs for the applicant's side; a benefit officer signs for
    the committee. ``version`` is the version the signer read: if the terms changed since,
    the signature is refused. When both sides have signed the current version the agreement
    becomes signed and the application is offered activation; if the project is (already)
    active, the agreement comes into force at once. Side effects: ``benefit_agreement.sign``
    audit event(s); the other side is told.
    """
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        if can_sign_for_applicant(actor, agreement):
            side = SignatureSide.APPLICANT
        elif can_sign_for_committee(actor, agreement):
            side = SignatureSide.COMMITTEE
        else:
            raise PermissionDenied(
                _("Only the applicant or a benefit officer may sign this agreement.")
            )
        _require_state(agreement, [AgreementState.PROPOSED], _("signed"))
        if version is not None and int(version) != agreement.terms_version:
            raise TransitionNotAllowed(
                _(
                    "The terms changed since you read them (you read version %(read)s; the "
                    "current version is %(current)s). Read the current terms and sign again."
                )
                % {"read": version, "current": agreement.terms_version}
            )
        terms = TermsVersion.objects.get(agreement=agreement, number=agreement.terms_version)
        signed = _signatures_for(agreement, terms.number)
        if side in signed:
            raise TransitionNotAllowed(
                _("Your side has already signed version %(n)s.") % {"n": terms.number}
            )
        now = timezone.now()
        signature = Signature.objects.create(
            agreement=agreement,
            side=side,
            version=terms.number,
            terms_sha256=terms.sha256,
            signer=actor,
            signed_at=now,
        )
        audit.record(
            actor=actor,
            action="benefit_agreement.sign",
            target=agreement,
            payload={"side": side, "version": terms.number, "sha256": terms.sha256},
        )
        signed.add(side)
        if signed >= {SignatureSide.APPLICANT, SignatureSide.COMMITTEE}:
            agreement.state = AgreementState.SIGNED
            agreement.signed_at = now
            agreement.save(update_fields=["state", "signed_at", "updated_at"])
            audit.record(
                actor=actor,
                action="benefit_agreement.sign",
                target=agreement,
                from_state=AgreementState.PROPOSED,
                to_state=AgreementState.SIGNED,
                payload={"version": terms.number, "both_sides": True},
            )
            _offer_activation(actor=actor, agreement=agreement)
            if agreement.application.state == "active":
                _enter_force(actor=actor, agreement=agreement)
            tell(
                [*applicant_side(agreement), *officers()],
                subject=_("The benefit-sharing agreement is signed"),
                body=_("Both sides signed version %(n)s of the agreement for %(app)s.")
                % {"n": terms.number, "app": agreement.application},
                url=agreement_url(agreement),
            )
        else:
            others = officers() if side == SignatureSide.APPLICANT else applicant_side(agreement)
            tell(
                others,
                subject=_("A benefit-sharing agreement awaits the other signature"),
                body=_("%(who)s signed version %(n)s of the agreement for %(app)s.")
                % {"who": actor, "n": terms.number, "app": agreement.application},
                url=agreement_url(agreement),
            )
    return signature


def _offer_activation(*, actor, agreement) -> None:
    """Ask the applications app to activate the project now that nothing of ours is missing."""
    try:
        from applications.services import application_try_activate
    except ImportError:  # the applications services are not there yet: activation waits
        logger.warning("applications.services.application_try_activate is not available")
        return
    try:
        from applications.permissions import can_view_application

        # The activation is the system's consequence of the signature; it is attributed to the
        # signer when the applications app lets the signer see the application.
        who = actor if can_view_application(actor, agreement.application) else None
    except ImportError:
        who = None
    try:
        with transaction.atomic():
            application_try_activate(actor=who, application=agreement.application)
    except (DomainError, PermissionDenied) as exc:
        # Activation is the applications app's decision; a refusal leaves the agreement signed.
        logger.info("Application %s not activated: %s", agreement.application_id, exc)
    agreement.application.refresh_from_db(fields=["state"])


def _enter_force(*, actor, agreement) -> None:
    agreement.state = AgreementState.IN_FORCE
    agreement.in_force_at = timezone.now()
    agreement.save(update_fields=["state", "in_force_at", "updated_at"])
    audit.record(
        actor=actor,
        action="benefit_agreement.enter_force",
        target=agreement,
        from_state=AgreementState.SIGNED,
        to_state=AgreementState.IN_FORCE,
        payload={"application": agreement.application_id},
    )


def agreements_enter_force(*, actor=None) -> int:
    """Bring into force every signed agreement whose project has become active (periodic).

    Idempotent: an agreement already in force is left alone. Returns how many changed.
    """
    ids = list(
        BenefitAgreement.objects.filter(
            state=AgreementState.SIGNED, application__state="active"
        ).values_list("pk", flat=True)
    )
    changed = 0
    for pk in ids:
        with transaction.atomic():
            agreement = lock_agreement(BenefitAgreement(pk=pk))
            if agreement.state != AgreementState.SIGNED or agreement.application.state != "active":
                continue
            _enter_force(actor=actor, agreement=agreement)
            changed += 1
    return changed


def agreement_terminate(*, actor, agreement, reason: str) -> BenefitAgreement:
    """End an agreement for good, with a reason (e.g. the project was revoked).

    Preconditions: a benefit officer; any state but fulfilled or terminated. Open obligations
    are waived with the same reason. Side effects: both sides told; a
    ``benefit_agreement.terminate`` audit event.
    """
    _refuse_unless_officer(actor)
    if not (reason or "").strip():
        raise DomainError(
            _("Give the reason for terminating the agreement."),
            field_errors={"reason": [_("Give a reason.")]},
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        before = agreement.state
        _require_state(
            agreement,
            [
                AgreementState.DRAFT,
                AgreementState.PROPOSED,
                AgreementState.SIGNED,
                AgreementState.IN_FORCE,
                AgreementState.BREACHED,
            ],
            _("terminated"),
        )
        agreement.state = AgreementState.TERMINATED
        agreement.state_reason = reason.strip()
        agreement.ended_at = timezone.now()
        agreement.save(update_fields=["state", "state_reason", "ended_at", "updated_at"])
        open_obligations = agreement.obligations.filter(
            state__in=[ObligationState.PENDING, ObligationState.OVERDUE, ObligationState.REPORTED]
        )
        waived = list(open_obligations.values_list("pk", flat=True))
        for obligation in agreement.obligations.select_for_update().filter(pk__in=waived):
            # A report still waiting for verification is closed too, never left stranded.
            obligation.reports.filter(state=ReportState.SUBMITTED).update(
                state=ReportState.REJECTED,
                reviewed_by=actor,
                reviewed_at=timezone.now(),
                review_reason=reason.strip(),
            )
            from_state = obligation.state
            obligation.state = ObligationState.WAIVED
            obligation.state_reason = reason.strip()
            obligation.save(update_fields=["state", "state_reason", "updated_at"])
            audit.record(
                actor=actor,
                action="obligation.waive",
                target=obligation,
                from_state=from_state,
                to_state=obligation.state,
                payload={"reason": reason.strip(), "agreement_terminated": agreement.pk},
            )
        audit.record(
            actor=actor,
            action="benefit_agreement.terminate",
            target=agreement,
            from_state=before,
            to_state=agreement.state,
            payload={"reason": reason.strip(), "waived_obligations": waived},
        )
        tell(
            [*applicant_side(agreement), *officers()],
            subject=_("A benefit-sharing agreement was terminated"),
            body=_("The agreement for %(app)s was terminated: %(reason)s")
            % {"app": agreement.application, "reason": reason.strip()},
            url=agreement_url(agreement),
        )
    return agreement
