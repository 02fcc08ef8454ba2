"""Benefit agreements: drafting, proposing, signing, amending, ending (DESIGN §6)."""

import hashlib
import json
import logging

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.permissions import can_view_application
from applications.services import application_try_activate
from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.held_cache import tolerant as cache
from solidarity.transitions import transition_run

from ..agreement_templates import template_obligations, template_terms
from ..models import (
    MONETARY_OR_ACCESS_KINDS,
    AgreementKind,
    AgreementState,
    BenefitAgreement,
    Signature,
    SignatureSide,
    TermsVersion,
)
from ..permissions import can_manage_agreements, signing_side
from ..rules import AGREEMENT, DRAFTABLE_APPLICATION_STATES
from ..templatetags.benefits_nav import nav_cache_key
from ._common import agreement_url, applicant_side, lock_agreement, officers, tell
from .obligations import obligation_create, obligations_close_with_agreement

logger = logging.getLogger(__name__)

DEFAULT_GRACE_DAYS = 30


def default_grace_days() -> int:
    return int(getattr(settings, "BENEFITS_BREACH_GRACE_DAYS", DEFAULT_GRACE_DAYS))


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
    if not can_manage_agreements(actor):
        raise PermissionDenied(_("Only benefit officers may manage benefit agreements."))
    if kind not in AgreementKind.values:
        raise DomainError(
            _("Choose the kind of use."), field_errors={"kind": [_("Choose a kind of use.")]}
        )
    with transaction.atomic():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.state not in DRAFTABLE_APPLICATION_STATES:
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
                obligation_create(agreement=agreement, **spec)
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
    cache.delete(nav_cache_key(user_id))


def agreement_update(
    *, actor, agreement, terms: str, kind: str | None = None, grace_days: int | None = None
) -> BenefitAgreement:
    """Change the terms of a draft agreement. Once proposed, reopen it first (a new version).

    Side effects: a ``benefit_agreement.update`` audit event listing what changed.
    """
    if not (terms or "").strip():
        raise DomainError(
            _("The terms cannot be empty."), field_errors={"terms": [_("Write the terms.")]}
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        AGREEMENT.check("edit", actor=actor, obj=agreement)
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
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        AGREEMENT.check("propose", actor=actor, obj=agreement)
        problems = missing_obligations(agreement)
        if problems:
            raise DomainError(" ".join(problems))
        version = _freeze(agreement, actor)
        agreement = transition_run(
            AGREEMENT,
            "propose",
            actor=actor,
            obj=agreement,
            lock=False,
            changes={"terms_version": version.number, "proposed_at": timezone.now()},
            payload={"version": version.number, "sha256": version.sha256},
        )
        tell(
            applicant_side(agreement),
            subject=lambda: _("A benefit-sharing agreement awaits your signature"),
            body=lambda: (
                _("Version %(n)s of the benefit-sharing agreement for %(app)s was proposed.")
                % {"n": version.number, "app": agreement.application}
            ),
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
    if not (reason or "").strip():
        raise DomainError(
            _("Say why the agreement is changed."),
            field_errors={"reason": [_("Give a reason.")]},
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        agreement = transition_run(
            AGREEMENT,
            "reopen",
            actor=actor,
            obj=agreement,
            lock=False,
            text=reason,
            payload={"version": agreement.terms_version},
        )
        tell(
            applicant_side(agreement),
            subject=lambda: _("The benefit-sharing agreement is being changed"),
            body=lambda: (
                _("The agreement for %(app)s is being changed: %(reason)s")
                % {"app": agreement.application, "reason": reason.strip()}
            ),
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
        side = signing_side(actor, agreement)
        # The signer's side first (403), then the state (409): ``check`` below would refuse a
        # side that already signed as an outsider.
        AGREEMENT.check("complete", actor=actor, obj=agreement)
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
        AGREEMENT.check("sign", actor=actor, obj=agreement)
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
            agreement = transition_run(
                AGREEMENT,
                "complete",
                actor=actor,
                obj=agreement,
                lock=False,
                changes={"signed_at": now},
                payload={"version": terms.number, "both_sides": True},
            )
            _offer_activation(actor=actor, agreement=agreement)
            if agreement.application.state == "active":
                _enter_force(actor=actor, agreement=agreement)
            tell(
                [*applicant_side(agreement), *officers()],
                subject=lambda: _("The benefit-sharing agreement is signed"),
                body=lambda: (
                    _("Both sides signed version %(n)s of the agreement for %(app)s.")
                    % {"n": terms.number, "app": agreement.application}
                ),
                url=agreement_url(agreement),
            )
        else:
            others = officers() if side == SignatureSide.APPLICANT else applicant_side(agreement)
            tell(
                others,
                subject=lambda: _("A benefit-sharing agreement awaits the other signature"),
                body=lambda: (
                    _("%(who)s signed version %(n)s of the agreement for %(app)s.")
                    % {"who": actor, "n": terms.number, "app": agreement.application}
                ),
                url=agreement_url(agreement),
            )
    return signature


def _offer_activation(*, actor, agreement) -> None:
    """Ask the applications app to activate the project now that nothing of ours is missing."""
    # The activation is the system's consequence of the signature; it is attributed to the
    # signer when the applications app lets the signer see the application.
    who = actor if can_view_application(actor, agreement.application) else None
    try:
        with transaction.atomic():
            application_try_activate(actor=who, application=agreement.application)
    except (DomainError, PermissionDenied) as exc:
        # Activation is the applications app's decision; a refusal leaves the agreement signed.
        logger.info("Application %s not activated: %s", agreement.application_id, exc)
    agreement.application.refresh_from_db(fields=["state"])


def _enter_force(*, actor, agreement) -> None:
    """signed → in force, once the project is active; the caller holds the agreement's lock."""
    transition_run(
        AGREEMENT,
        "enter-force",
        actor=actor or "system",
        obj=agreement,
        lock=False,
        changes={"in_force_at": timezone.now()},
        payload={"application": agreement.application_id},
    )


def agreements_enter_force(*, actor=None) -> int:
    """Bring into force every signed agreement whose project has become active (periodic).

    Idempotent: an agreement already in force is left alone. Returns how many changed.
    """
    ids = list(
        BenefitAgreement.objects.filter(
            state__in=AGREEMENT.sources_of("enter-force"), application__state="active"
        ).values_list("pk", flat=True)
    )
    changed = 0
    for pk in ids:
        with transaction.atomic():
            agreement = lock_agreement(BenefitAgreement(pk=pk))
            if (
                not AGREEMENT.in_source_state("enter-force", agreement)
                or agreement.application.state != "active"
            ):
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
    if not (reason or "").strip():
        raise DomainError(
            _("Give the reason for terminating the agreement."),
            field_errors={"reason": [_("Give a reason.")]},
        )
    with transaction.atomic():
        agreement = lock_agreement(agreement)
        AGREEMENT.check("terminate", actor=actor, obj=agreement)
        waived = obligations_close_with_agreement(
            actor=actor, agreement=agreement, reason=reason.strip()
        )
        agreement = transition_run(
            AGREEMENT,
            "terminate",
            actor=actor,
            obj=agreement,
            lock=False,
            text=reason,
            changes={"ended_at": timezone.now()},
            payload={"waived_obligations": waived},
        )
        tell(
            [*applicant_side(agreement), *officers()],
            subject=lambda: _("A benefit-sharing agreement was terminated"),
            body=lambda: (
                _("The agreement for %(app)s was terminated: %(reason)s")
                % {"app": agreement.application, "reason": reason.strip()}
            ),
            url=agreement_url(agreement),
        )
    return agreement
