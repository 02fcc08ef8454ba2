"""Submission, screening and decision."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.roles import Role
from solidarity.catalog.duo import DataUse
from solidarity.catalog.models import AccessMode
from solidarity.errors import DomainError
from solidarity.formatting import day
from solidarity.notifications.services import notify
from solidarity.transitions import transition_run

from .. import permissions as perms
from .. import rules
from ..activation import missing_for_activation, run_decision_due_hooks, run_submission_hooks
from ..lifecycle import project_changed
from ..models import CONTENT_FIELDS as MODEL_CONTENT_FIELDS
from ..models import (
    Application,
    ApplicationVersion,
    Attachment,
    ReferenceCounter,
)
from ..rules import APPLICATION
from ..versioning import frozen_sha256, snapshot
from ._common import (
    _custodians_of,
    _locked,
    _require,
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

    def prepare(application):
        problems = submission_problems(application)
        if problems:
            fields: dict[str, list[str]] = {}
            for field, message in problems:
                fields.setdefault(field, []).append(message)
            raise DomainError(_("The application is not complete yet."), field_errors=fields)
        changes = {
            "current_version": application.current_version + 1,
            "submitted_at": timezone.now(),
            "state_reason": "",
        }
        if not application.reference:
            changes["reference"] = _next_reference(timezone.localdate())
        application.current_version = changes["current_version"]
        application.reference = changes.get("reference", application.reference)
        ApplicationVersion.objects.create(
            application=application,
            number=application.current_version,
            content=snapshot(application),
            created_by=actor,
        )
        payload.update(
            {
                "version": application.current_version,
                "reference": application.reference,
                "content_sha256": frozen_sha256(application),
            }
        )
        return changes

    payload: dict = {}
    application = transition_run(
        APPLICATION, "submit", actor=actor, obj=application, prepare=prepare, payload=payload
    )
    run_submission_hooks(application, actor)
    notify(
        recipients=_role_users(Role.SECRETARIAT),
        kind="application",
        context=lambda: {
            "subject": _("New submission %(ref)s") % {"ref": application.reference},
            "body": _("%(title)s (version %(n)s) awaits screening.")
            % {"title": application.title, "n": application.current_version},
        },
        url=_url(application),
    )
    notify(
        recipients=_custodians_of(application),
        kind="application",
        context=lambda: {
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
    application = transition_run(
        APPLICATION, "request-revision", actor=actor, obj=application, text=message
    )
    # The request is also the conversation's message, where the applicant's team answers it.
    from .conversation import record_revision_request

    record_revision_request(actor=actor, application=application, text=application.state_reason)
    _tell_applicant(
        application,
        lambda: _("Revision requested: %(ref)s") % {"ref": application.reference},
        lambda: application.state_reason,
    )
    return application


@transaction.atomic
def application_accept(*, actor, application) -> Application:
    """submitted → in_review (secretariat): the submission passed screening."""
    application = transition_run(APPLICATION, "accept", actor=actor, obj=application)
    _tell_applicant(
        application,
        lambda: _("In review: %(ref)s") % {"ref": application.reference},
        lambda: _("Your application passed screening and is now with the review committee."),
    )
    return application


@transaction.atomic
def application_reject(*, actor, application, reason: str) -> Application:
    """submitted → rejected at screening (secretariat or chair), out of scope, with a reason
    sent to the applicant. After screening only the committee's decision rejects
    (``application_decline``)."""
    application = transition_run(
        APPLICATION,
        "reject",
        actor=actor,
        obj=application,
        text=reason,
        changes={"decided_at": timezone.now()},
    )
    _tell_applicant(
        application,
        lambda: _("Rejected: %(ref)s") % {"ref": application.reference},
        lambda: application.state_reason,
    )
    return application


@transaction.atomic
def application_decline(*, actor, application, reason: str, decision: int | None = None):
    """in_review | awaiting_decision → rejected; for an amendment of an active project, the
    amendment is turned down and the project is active again on its last approved terms.

    Run only by the committee's decision service (reviews), which has checked the vote; it
    passes the id of its decision record, kept in the audit payload."""
    payload = {"decision": decision} if decision else {}
    if rules.under_amendment(application):
        application = transition_run(
            APPLICATION,
            "decline-amendment",
            actor=actor,
            obj=application,
            text=reason,
            payload=payload,
            prepare=_restore_approved_terms,
        )
        _tell_applicant(
            application,
            lambda: _("Amendment turned down: %(ref)s") % {"ref": application.reference},
            lambda: reason,
        )
        return application
    application = transition_run(
        APPLICATION,
        "decline",
        actor=actor,
        obj=application,
        text=reason,
        payload=payload,
        changes={"decided_at": timezone.now()},
    )
    _tell_applicant(
        application,
        lambda: _("Rejected: %(ref)s") % {"ref": application.reference},
        lambda: application.state_reason,
    )
    return application


def _approvable(application) -> dict:
    # Every consent conflict acknowledged by the committee, with a reason (DESIGN §11).
    from .acknowledgements import require_acknowledged

    require_acknowledged(application, "committee")
    return {"approved_version": application.current_version}


def _restore_approved_terms(application) -> dict:
    """The content goes back to the version last approved; datasets the turned-down amendment
    added are dropped (those approved keep their custodians' decisions)."""
    version = ApplicationVersion.objects.filter(
        application=application, number=application.approved_version
    ).first()
    changes: dict = {"state_reason": ""}
    if version is None:
        return changes
    fields = version.content.get("fields", {})
    for name in MODEL_CONTENT_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name in ("start_date", "end_date") and value:
            value = datetime.date.fromisoformat(value)
        changes[name] = value
    kept = {d["dataset_id"] for d in version.content.get("datasets", [])}
    application.dataset_requests.exclude(dataset_id__in=kept).delete()
    return changes


@transaction.atomic
def application_withdraw(*, actor, application) -> Application:
    """Any pre-decision state → withdrawn, by the applicant (never a project once active)."""
    return transition_run(
        APPLICATION,
        "withdraw",
        actor=actor,
        obj=application,
        changes={"closed_at": timezone.now()},
    )


@transaction.atomic
def application_mark_awaiting_decision(*, actor, application) -> Application:
    """in_review → awaiting_decision (secretariat or chair): the reviews are in; the chair is
    told that the decision is due and the committee's members that their vote is (hand-overs,
    the latter through the decision-due hooks)."""
    application = transition_run(APPLICATION, "await-decision", actor=actor, obj=application)
    notify(
        recipients=_role_users(Role.CHAIR),
        kind="application",
        context=lambda: {
            "subject": _("Decision due: %(ref)s") % {"ref": application.reference},
            "body": _(
                "The reviews of %(title)s are in and the secretariat put it forward for the "
                "committee's decision."
            )
            % {"title": application.title},
        },
        url=f"/reviews/applications/{application.pk}/committee/",
    )
    run_decision_due_hooks(application, actor)
    return application


@transaction.atomic
def application_approve(
    *, actor, application, access_expires_on: datetime.date, decision: int | None = None
) -> Application:
    """in_review | awaiting_decision → approved (chair), with the access expiry date.

    Run only by the committee's decision service (reviews), which enforces the typology rules
    and passes the id of its decision record. Afterwards the project becomes active at once if
    nothing is missing for activation."""
    if not access_expires_on or access_expires_on <= timezone.localdate():
        message = _("The access expiry must be a date in the future.")
        raise DomainError(message, field_errors={"access_expires_on": [message]})
    payload = {"access_expires_on": access_expires_on.isoformat()}
    if decision:
        payload["decision"] = decision
    application = transition_run(
        APPLICATION,
        "approve",
        actor=actor,
        obj=application,
        payload=payload,
        changes={
            "access_expires_on": access_expires_on,
            "expiry_warned_days": None,
            "decided_at": timezone.now(),
            "state_reason": "",
        },
        prepare=_approvable,
    )
    _tell_applicant(
        application,
        lambda: _("Approved: %(ref)s") % {"ref": application.reference},
        lambda: (
            _("Your application was approved; access expires on %(date)s.")
            % {"date": day(access_expires_on)}
        ),
    )
    # Hand-overs: a benefit-sharing agreement must be drafted (a project approved again after
    # an amendment keeps its agreement); custodians still to decide.
    notify(
        recipients=_role_users(Role.BENEFIT_OFFICER) if application.activated_at is None else [],
        kind="application",
        context=lambda: {
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
            context=lambda: {
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
    if not APPLICATION.in_source_state("activate", application):
        return False
    if missing_for_activation(application):
        return False
    transition_run(
        APPLICATION,
        "activate",
        actor=actor or "system",
        obj=application,
        lock=False,
        changes={"activated_at": timezone.now()},
    )
    project_changed(application, event="activated", actor=actor or "system")
    _tell_applicant(
        application,
        lambda: _("Active: %(ref)s") % {"ref": application.reference},
        lambda: _("Every custodian has granted access; your project is active."),
    )
    return True
