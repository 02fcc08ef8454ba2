"""Submission, screening and decision."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.roles import Role
from solidarity.catalog.duo import DataUse
from solidarity.catalog.models import AccessMode
from solidarity.errors import DomainError, TransitionNotAllowed
from solidarity.formatting import day
from solidarity.notifications.services import notify

from .. import permissions as perms
from ..activation import missing_for_activation
from ..models import (
    PRE_DECISION_STATES,
    Application,
    ApplicationVersion,
    Attachment,
    ReferenceCounter,
)
from ..versioning import snapshot
from ._common import (
    S,
    _custodians_of,
    _locked,
    _move,
    _require,
    _require_state,
    _require_text,
    _role_users,
    _tell_applicant,
    _url,
)

# ---- submission -------------------------------------------------------------------------


def submission_problems(application) -> list[tuple[str, str]]:
    """Every required part still missing, as (field, message) pairs, in the form's order."""
    a = application
    problems: list[tuple[str, str]] = []

    def need(field, ok, message):
        if not ok:
            problems.append((field, str(message)))

    need("title", a.title.strip(), _("Give the application a title."))
    need("lay_summary", a.lay_summary.strip(), _("Write the plain-language summary."))
    need("scientific_summary", a.scientific_summary.strip(), _("Write the scientific summary."))
    need("aims", a.aims.strip(), _("State the aims."))
    need("methods", a.methods.strip(), _("Describe the methods."))
    need("public_benefit", a.public_benefit.strip(), _("Describe the public benefit claimed."))
    need("beneficiaries", a.beneficiaries, _("Say who receives the benefit."))
    need("funding", a.funding.strip(), _("Say how the project is funded."))
    need(
        "commercial_details",
        not a.commercial_involvement or a.commercial_details.strip(),
        _("Describe every commercial involvement."),
    )
    need(
        "research_disease",
        a.research_use != DataUse.DS or a.research_disease.strip(),
        _("Name the disease for a disease-specific purpose."),
    )
    need("start_date", a.start_date, _("Give the intended start."))
    need("end_date", a.end_date, _("Give the intended end."))
    team = list(a.team.all())
    need("team", team, _("Name at least one team member."))
    requests = list(a.dataset_requests.select_related("dataset"))
    need("datasets", requests, _("Request at least one dataset."))
    for r in requests:
        need(
            "datasets",
            r.variables.strip(),
            _("List the variables needed from %(dataset)s.") % {"dataset": r.dataset.title},
        )
        need(
            "datasets",
            r.access_mode != AccessMode.TRANSFER or r.justification.strip(),
            _("Justify the transfer of %(dataset)s.") % {"dataset": r.dataset.title},
        )
        need(
            "datasets",
            r.access_mode in (r.dataset.access_modes or []),
            _("%(dataset)s no longer allows the chosen access mode.")
            % {"dataset": r.dataset.title},
        )
    kinds = {att.kind for att in a.attachments.all()}
    need("attachments", Attachment.Kind.PROTOCOL in kinds, _("Attach the study protocol."))
    need(
        "attachments",
        not a.ethics_approval or Attachment.Kind.ETHICS in kinds,
        _("Attach the ethics approval (or the application for it)."),
    )
    return problems


def _next_reference(today: datetime.date) -> str:
    """Hand out DSA-<year>-<seq>: the year's counter row is locked until the caller commits."""
    year = today.year
    try:
        with transaction.atomic():
            ReferenceCounter.objects.get_or_create(year=year)
    except IntegrityError:  # another transaction created the row first
        pass
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"DSA-{year}-{counter.last:04d}"


@transaction.atomic
def application_submit(*, actor, application) -> Application:
    """draft | revision_requested → submitted.

    Checks every required part (DomainError listing all that is missing, with nothing changed),
    freezes ApplicationVersion n+1 and, on the first submission, assigns the reference.
    Tells the secretariat and the custodians of the requested datasets."""
    application = _locked(application)
    _require(perms.can_submit(actor, application), _("You may not submit this application."))
    _require_state(application, perms.EDITABLE_STATES, _("submitted"))
    problems = submission_problems(application)
    if problems:
        fields: dict[str, list[str]] = {}
        for field, message in problems:
            fields.setdefault(field, []).append(message)
        raise DomainError(_("The application is not complete yet."), field_errors=fields)
    now = timezone.now()
    extra = ["current_version", "submitted_at", "state_reason"]
    if not application.reference:
        application.reference = _next_reference(timezone.localdate())
        extra.append("reference")
    application.current_version += 1
    application.submitted_at = now
    application.state_reason = ""
    ApplicationVersion.objects.create(
        application=application,
        number=application.current_version,
        content=snapshot(application),
        created_by=actor,
    )
    _move(
        application,
        actor=actor,
        to=S.SUBMITTED,
        action="application.submit",
        payload={"version": application.current_version, "reference": application.reference},
        extra_fields=extra,
    )
    notify(
        recipients=_role_users(Role.SECRETARIAT),
        kind="application",
        context={
            "subject": _("New submission %(ref)s") % {"ref": application.reference},
            "body": _("%(title)s (version %(n)s) awaits screening.")
            % {"title": application.title, "n": application.current_version},
        },
        url=_url(application),
    )
    notify(
        recipients=_custodians_of(application),
        kind="application",
        context={
            "subject": _("Access requested to your data: %(ref)s") % {"ref": application.reference},
            "body": _("%(title)s requests one of your organisation's datasets.")
            % {"title": application.title},
        },
        url="/applications/requests/",
    )
    return application


# ---- screening and decision -------------------------------------------------------------


@transaction.atomic
def application_request_revision(*, actor, application, message: str) -> Application:
    """submitted | in_review → revision_requested (secretariat or chair), with a message."""
    application = _locked(application)
    _require(
        actor.is_authenticated and actor.has_role(Role.SECRETARIAT, Role.CHAIR),
        _("Only the secretariat or the chair may request a revision."),
    )
    _require_state(application, [S.SUBMITTED, S.IN_REVIEW], _("sent back for revision"))
    message = _require_text(message, "message", _("Say what must be revised."))
    application.state_reason = message
    _move(
        application,
        actor=actor,
        to=S.REVISION_REQUESTED,
        action="application.request_revision",
        payload={"message": message},
        extra_fields=["state_reason"],
    )
    _tell_applicant(
        application,
        _("Revision requested: %(ref)s") % {"ref": application.reference},
        message,
    )
    return application


@transaction.atomic
def application_accept(*, actor, application) -> Application:
    """submitted → in_review (secretariat): the submission passed screening."""
    application = _locked(application)
    _require(perms.can_screen(actor), _("Only the secretariat screens submissions."))
    _require_state(application, [S.SUBMITTED], _("accepted into review"))
    _move(application, actor=actor, to=S.IN_REVIEW, action="application.accept")
    _tell_applicant(
        application,
        _("In review: %(ref)s") % {"ref": application.reference},
        _("Your application passed screening and is now with the review committee."),
    )
    return application


@transaction.atomic
def application_reject(*, actor, application, reason: str) -> Application:
    """submitted → rejected (secretariat, out of scope; or chair); in_review | awaiting_decision
    → rejected (chair only). A reason is required and sent to the applicant."""
    application = _locked(application)
    _require_state(application, [S.SUBMITTED, S.IN_REVIEW, S.AWAITING_DECISION], _("rejected"))
    _require(perms.can_reject(actor, application), _("You may not reject this application."))
    reason = _require_text(reason, "reason", _("Give the reason for the rejection."))
    application.state_reason = reason
    application.decided_at = timezone.now()
    _move(
        application,
        actor=actor,
        to=S.REJECTED,
        action="application.reject",
        payload={"reason": reason},
        extra_fields=["state_reason", "decided_at"],
    )
    _tell_applicant(application, _("Rejected: %(ref)s") % {"ref": application.reference}, reason)
    return application


@transaction.atomic
def application_withdraw(*, actor, application) -> Application:
    """Any pre-decision state → withdrawn, by the applicant."""
    application = _locked(application)
    _require(perms.is_applicant(actor, application), _("Only the applicant may withdraw."))
    _require_state(application, PRE_DECISION_STATES, _("withdrawn"))
    if application.activated_at is not None:
        raise TransitionNotAllowed(
            _("This project has been active: it ends by being closed with a final report.")
        )
    application.closed_at = timezone.now()
    _move(
        application,
        actor=actor,
        to=S.WITHDRAWN,
        action="application.withdraw",
        extra_fields=["closed_at"],
    )
    return application


@transaction.atomic
def application_mark_awaiting_decision(*, actor, application) -> Application:
    """in_review → awaiting_decision (secretariat or chair): the reviews are in."""
    application = _locked(application)
    _require(
        actor.is_authenticated and actor.has_role(Role.SECRETARIAT, Role.CHAIR),
        _("Only the secretariat or the chair may schedule the decision."),
    )
    _require_state(application, [S.IN_REVIEW], _("put forward for decision"))
    _move(application, actor=actor, to=S.AWAITING_DECISION, action="application.await_decision")
    # Hand-over: the chair records the decision next.
    notify(
        recipients=_role_users(Role.CHAIR),
        kind="application",
        context={
            "subject": _("Decision due: %(ref)s") % {"ref": application.reference},
            "body": _(
                "The reviews of %(title)s are in and the secretariat put it forward for the "
                "committee's decision."
            )
            % {"title": application.title},
        },
        url=f"/reviews/applications/{application.pk}/committee/",
    )
    return application


@transaction.atomic
def application_approve(*, actor, application, access_expires_on: datetime.date) -> Application:
    """in_review | awaiting_decision → approved (chair only), with the access expiry date.

    The reviews app enforces the typology rules before calling this. Afterwards the project
    becomes active at once if nothing is missing for activation."""
    application = _locked(application)
    _require(perms.can_decide(actor), _("Only the chair records the decision."))
    _require_state(application, [S.IN_REVIEW, S.AWAITING_DECISION], _("approved"))
    if not access_expires_on or access_expires_on <= timezone.localdate():
        message = _("The access expiry must be a date in the future.")
        raise DomainError(message, field_errors={"access_expires_on": [message]})
    application.access_expires_on = access_expires_on
    application.expiry_warned_days = None
    application.decided_at = timezone.now()
    application.state_reason = ""
    _move(
        application,
        actor=actor,
        to=S.APPROVED,
        action="application.approve",
        payload={"access_expires_on": access_expires_on.isoformat()},
        extra_fields=["access_expires_on", "expiry_warned_days", "decided_at", "state_reason"],
    )
    _tell_applicant(
        application,
        _("Approved: %(ref)s") % {"ref": application.reference},
        _("Your application was approved; access expires on %(date)s.")
        % {"date": day(access_expires_on)},
    )
    # Hand-overs: a benefit-sharing agreement must be drafted (a project approved again after
    # an amendment keeps its agreement); custodians still to decide.
    notify(
        recipients=_role_users(Role.BENEFIT_OFFICER) if application.activated_at is None else [],
        kind="application",
        context={
            "subject": _("Agreement to draft: %(ref)s") % {"ref": application.reference},
            "body": _(
                "%(title)s was approved. It becomes active only with a signed benefit-sharing "
                "agreement: please draft one."
            )
            % {"title": application.title},
        },
        url=f"/benefits/agreements/new/?application={application.pk}",
    )
    pending = list(
        application.dataset_requests.filter(state="pending").values_list("dataset_id", flat=True)
    )
    if pending:
        notify(
            recipients=_custodians_of(application, dataset_ids=pending),
            kind="application",
            context={
                "subject": _("Approved, awaiting your access decision: %(ref)s")
                % {"ref": application.reference},
                "body": _(
                    "The committee approved %(title)s. It needs your decision on access to "
                    "your organisation's data before it can start."
                )
                % {"title": application.title},
            },
            url="/applications/requests/",
        )
    application_try_activate(actor=actor, application=application)
    application.refresh_from_db()
    return application


@transaction.atomic
def application_try_activate(*, actor, application) -> bool:
    """approved → active when ``missing_for_activation`` is empty; otherwise no change.

    Called after approval, after a custodian grants, and by the benefits app after an agreement
    is signed. ``actor`` is None for the system or must be able to see the application."""
    application = _locked(application)
    if actor is not None:
        _require(
            perms.can_view_application(actor, application),
            _("You may not act on this application."),
        )
    if application.state != S.APPROVED or missing_for_activation(application):
        return False
    application.activated_at = timezone.now()
    _move(
        application,
        actor=actor or "system",
        to=S.ACTIVE,
        action="application.activate",
        extra_fields=["activated_at"],
    )
    _tell_applicant(
        application,
        _("Active: %(ref)s") % {"ref": application.reference},
        _("Every custodian has granted access; your project is active."),
    )
    return True
