"""The life of an approved project: suspension, closure, expiry, copies, amendments."""

import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.transitions import transition_run

from .. import permissions as perms
from ..lifecycle import project_changed
from ..models import (
    Application,
    Attachment,
    DatasetRequest,
    TeamMember,
)
from ..rules import ACCESS_FOLLOWS_PROJECT, APPLICATION, DATASET_REQUEST
from ._common import (
    CONTENT_FIELDS,
    EXPIRY_WARNINGS,
    _locked,
    _require,
    _tell_applicant,
)
from .drafting import application_create

# ---- project life -----------------------------------------------------------------------


def _access_follows(application, *, actor, move: str) -> list[int]:
    """Move the application's dataset requests as the project's ``move`` says
    (``rules.ACCESS_FOLLOWS_PROJECT``), each through the rulebook and audited
    (``dataset_request.access``).

    Called inside the project service's transaction, after the application row is locked, so
    the requests (what a grants endpoint reads) never disagree with the project's state.
    Pending and declined requests are left as they are. Returns the ids changed.
    """
    name = ACCESS_FOLLOWS_PROJECT[move][0]
    requests = list(
        DatasetRequest.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(application=application, state__in=DATASET_REQUEST.sources_of(name))
        .order_by("id")
    )
    for request in requests:
        transition_run(
            DATASET_REQUEST,
            name,
            actor=actor,
            obj=request,
            lock=False,
            payload={
                "application": application.pk,
                "dataset": request.dataset_id,
                "because": move,
            },
        )
    return [r.pk for r in requests]


@transaction.atomic
def application_suspend(*, actor, application, reason: str) -> Application:
    """active (or under amendment) → suspended (chair), with a reason; access pauses."""
    application = transition_run(APPLICATION, "suspend", actor=actor, obj=application, text=reason)
    _access_follows(application, actor=actor, move="suspend")
    project_changed(application, event="suspended", actor=actor)
    _tell_applicant(
        application,
        lambda: _("Suspended: %(ref)s") % {"ref": application.reference},
        lambda: application.state_reason,
    )
    return application


@transaction.atomic
def application_reinstate(*, actor, application) -> Application:
    """suspended → active (chair)."""
    application = transition_run(
        APPLICATION, "reinstate", actor=actor, obj=application, changes={"state_reason": ""}
    )
    _access_follows(application, actor=actor, move="reinstate")
    project_changed(application, event="reinstated", actor=actor)
    _tell_applicant(
        application,
        lambda: _("Reinstated: %(ref)s") % {"ref": application.reference},
        lambda: _("The suspension was lifted; your project is active again."),
    )
    return application


@transaction.atomic
def application_revoke(*, actor, application, reason: str) -> Application:
    """active | suspended (or under amendment) → revoked (chair), with a reason; access ends
    for good."""
    application = transition_run(
        APPLICATION,
        "revoke",
        actor=actor,
        obj=application,
        text=reason,
        changes={"closed_at": timezone.now()},
    )
    _access_follows(application, actor=actor, move="revoke")
    project_changed(application, event="revoked", actor=actor)
    _tell_applicant(
        application,
        lambda: _("Revoked: %(ref)s") % {"ref": application.reference},
        lambda: application.state_reason,
    )
    return application


@transaction.atomic
def application_close(*, actor, application, final_report: str) -> Application:
    """active | suspended (or under amendment) → closed (applicant, secretariat or chair),
    with the final report."""
    text = (final_report or "").strip()
    application = transition_run(
        APPLICATION,
        "close",
        actor=actor,
        obj=application,
        text=final_report,
        changes={"closed_at": timezone.now()},
        payload={"final_report_chars": len(text)},
    )
    _access_follows(application, actor=actor, move="close")
    project_changed(application, event="closed", actor=actor)
    return application


def application_expire_due(*, today: datetime.date) -> dict:
    """For the daily beat: close projects whose access has expired; warn 30 and 7 days ahead.

    Idempotent: each warning is sent once per expiry date, and closed projects are skipped."""
    closed = warned = 0
    open_states = APPLICATION.sources_of("expire")
    for pk in Application.objects.filter(
        state__in=open_states, access_expires_on__lt=today
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = _locked(Application(pk=pk))
            if (
                not APPLICATION.in_source_state("expire", application)
                or application.access_expires_on >= today
            ):
                continue
            transition_run(
                APPLICATION,
                "expire",
                actor="system",
                obj=application,
                lock=False,
                changes={
                    "closed_at": timezone.now(),
                    "state_reason": _("Access expired on %(date)s.")
                    % {"date": application.access_expires_on.isoformat()},
                },
                payload={"access_expires_on": application.access_expires_on.isoformat()},
            )
            _access_follows(application, actor="system", move="expire")
            project_changed(application, event="expired", actor="system")
            _tell_applicant(
                application,
                lambda app=application: _("Access expired: %(ref)s") % {"ref": app.reference},
                lambda app=application: (
                    _(
                        "Access ended on %(date)s and the project was closed. "
                        "Please send your final report."
                    )
                    % {"date": app.access_expires_on.isoformat()}
                ),
            )
            closed += 1
    horizon = today + datetime.timedelta(days=max(EXPIRY_WARNINGS))
    for pk in Application.objects.filter(
        state__in=open_states, access_expires_on__gte=today, access_expires_on__lte=horizon
    ).values_list("pk", flat=True):
        with transaction.atomic():
            application = _locked(Application(pk=pk))
            if not APPLICATION.in_source_state("expire", application):
                continue
            days_left = (application.access_expires_on - today).days
            due = [d for d in EXPIRY_WARNINGS if days_left <= d]
            threshold = min(due) if due else None
            if threshold is None or (
                application.expiry_warned_days is not None
                and application.expiry_warned_days <= threshold
            ):
                continue
            application.expiry_warned_days = threshold
            application.save(update_fields=["expiry_warned_days"])
            audit.record(
                actor="system",
                action="application.expiry_warning",
                target=application,
                payload={"days": threshold, "access_expires_on": application.access_expires_on},
            )
            _tell_applicant(
                application,
                lambda app=application, days=days_left: (
                    _("Access ends in %(days)s days: %(ref)s")
                    % {"days": days, "ref": app.reference}
                ),
                lambda app=application: (
                    _("Access to the data ends on %(date)s. Ask for an amendment to extend it.")
                    % {"date": app.access_expires_on.isoformat()}
                ),
            )
            warned += 1
    return {"closed": closed, "warned": warned}


@transaction.atomic
def application_copy(*, actor, application) -> Application:
    """rejected | closed → a new draft with the same content, team, dataset requests (without
    the custodians' decisions) and attached documents (the stored files are copied)."""
    source = _locked(application)
    APPLICATION.check("copy", actor=actor, obj=source)
    _require(perms.can_create_application(actor), _("Only researchers may file applications."))
    fields = {name: getattr(source, name) for name in CONTENT_FIELDS}
    fields["title"] = source.title
    copy = application_create(actor=actor, **fields)
    copy.copied_from = source
    copy.save(update_fields=["copied_from"])
    TeamMember.objects.bulk_create(
        TeamMember(
            application=copy, name=m.name, role=m.role, organisation=m.organisation, email=m.email
        )
        for m in source.team.all()
    )
    DatasetRequest.objects.bulk_create(
        DatasetRequest(
            application=copy,
            dataset_id=r.dataset_id,
            access_mode=r.access_mode,
            justification=r.justification,
            variables=r.variables,
        )
        for r in source.dataset_requests.all()
    )
    copied_files = 0
    for attachment in source.attachments.all():
        try:
            with attachment.file.open("rb") as handle:
                clone = Attachment(
                    application=copy,
                    kind=attachment.kind,
                    original_name=attachment.original_name,
                    content_type=attachment.content_type,
                    size=attachment.size,
                    sha256=attachment.sha256,
                    uploaded_by=actor,
                )
                clone.file.save(attachment.original_name, File(handle), save=False)
                clone.save()
                copied_files += 1
        except FileNotFoundError:  # a lost file is not copied; the applicant uploads it again
            continue
    audit.record(
        actor=actor,
        action="application.copy",
        target=copy,
        payload={
            "copied_from": source.pk,
            "reference": source.reference,
            "attachments": copied_files,
        },
    )
    return copy


@transaction.atomic
def application_amend(*, actor, application, reason: str) -> Application:
    """active → revision_requested (applicant): open an amendment of an active project.

    The applicant may then add or remove datasets or extend the end date and resubmit; the
    amendment is version n+1 and goes through screening, assignment, votes and a committee
    decision of its own. Until that decision the project keeps its register entry (marked
    "amendment under review") and its last approved terms; datasets already granted stay
    granted, newly added ones await their custodian."""
    return transition_run(APPLICATION, "amend", actor=actor, obj=application, text=reason)
