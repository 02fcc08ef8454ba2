"""Grants follow the project's life: added, ended and resumed, each audited and pushed."""

from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import ApplicationState, DatasetRequest
from solidarity import audit
from solidarity.errors import TransitionNotAllowed

from ..models import EndReason, Grant
from .pushes import push

END_REASONS = {
    "suspended": EndReason.SUSPENDED,
    "revoked": EndReason.REVOKED,
    "expired": EndReason.EXPIRED,
    "closed": EndReason.CLOSED,
}


def project_members(application) -> list:
    """The accounts that hold grants in a project: the applicant and the co-applicants who
    accepted their invitation (editors and viewers alike), active accounts only."""
    from django.contrib.auth import get_user_model

    from applications.team import MemberState

    accepted = (
        get_user_model()
        .objects.filter(
            is_active=True,
            application_memberships__application_id=application.pk,
            application_memberships__state=MemberState.ACCEPTED,
        )
        .order_by("pk")
    )
    applicant = application.applicant
    members = [applicant] if applicant.is_active else []
    return members + [user for user in accepted if user.pk != applicant.pk]


def on_project_changed(*, application, event: str, actor) -> None:
    """The listener ``applications.lifecycle`` calls inside each project-life transaction."""
    # A co-applicant who joined or left an active project gains or loses grants.
    team_changed = event == "team_changed" and application.state == ApplicationState.ACTIVE
    if event in ("activated", "reinstated") or team_changed:
        grants_open(application=application, actor=actor)
    elif event in END_REASONS:
        grants_end(application=application, reason=END_REASONS[event], actor=actor)


def grants_open(*, application, actor) -> list[Grant]:
    """An active project: a current grant for each member and granted dataset request.

    New pairs are added; ended grants of pairs still granted resume. Each change is audited
    and pushed to the custodian's nodes after commit."""
    if application.state != ApplicationState.ACTIVE:
        raise TransitionNotAllowed(_("Grants open only on an active project."))
    now = timezone.now()
    members = project_members(application)
    requests = list(
        DatasetRequest.objects.filter(
            application_id=application.pk, state=DatasetRequest.State.GRANTED
        ).select_related("dataset")
    )
    existing = {
        (g.dataset_id, g.user_id): g
        for g in Grant.objects.select_for_update(no_key=True).filter(application_id=application.pk)
    }
    changed = []
    for request in requests:
        for member in members:
            grant = existing.get((request.dataset_id, member.pk))
            if grant is None:
                grant = Grant.objects.create(
                    application_id=application.pk,
                    dataset_request=request,
                    dataset_id=request.dataset_id,
                    organisation_id=request.dataset.custodian_id,
                    user=member,
                    access_mode=request.access_mode,
                    started_at=now,
                    expires_on=application.access_expires_on,
                    updated_at=now,
                )
                _changed(grant, actor=actor, action="grant.add", event="grant.added")
            elif grant.ended_at is not None:
                previous = grant.end_reason
                grant.ended_at = None
                grant.end_reason = ""
                grant.resumed_at = now
                grant.dataset_request = request
                grant.access_mode = request.access_mode
                grant.expires_on = application.access_expires_on
                grant.updated_at = now
                grant.save(
                    update_fields=[
                        "ended_at",
                        "end_reason",
                        "resumed_at",
                        "dataset_request",
                        "access_mode",
                        "expires_on",
                        "updated_at",
                    ]
                )
                _changed(
                    grant,
                    actor=actor,
                    action="grant.resume",
                    event="grant.resumed",
                    payload={"ended_for": previous},
                )
            else:
                continue  # already current
            changed.append(grant)
    # An approved amendment may have dropped a dataset: its grants end now, not before, since
    # the project keeps its last approved terms while the amendment is reviewed.
    # A co-applicant who left the team loses their grants then.
    current = {(r.dataset_id, m.pk) for r in requests for m in members}
    member_ids = {m.pk for m in members}
    for (dataset_id, user_id), grant in existing.items():
        if grant.ended_at is None and (dataset_id, user_id) not in current:
            grant.ended_at = now
            grant.end_reason = (
                EndReason.AMENDED if user_id in member_ids else EndReason.MEMBER_REMOVED
            )
            grant.updated_at = now
            grant.save(update_fields=["ended_at", "end_reason", "updated_at"])
            _changed(grant, actor=actor, action="grant.end", event="grant.ended")
            changed.append(grant)
    return changed


def grants_end(*, application, reason: str, actor) -> list[Grant]:
    """End every current grant of a project with the reason; audited and pushed."""
    now = timezone.now()
    ended = []
    for grant in Grant.objects.select_for_update(no_key=True).filter(
        application_id=application.pk, ended_at__isnull=True
    ):
        grant.ended_at = now
        grant.end_reason = reason
        grant.updated_at = now
        grant.save(update_fields=["ended_at", "end_reason", "updated_at"])
        _changed(grant, actor=actor, action="grant.end", event="grant.ended")
        ended.append(grant)
    return ended


def _changed(grant: Grant, *, actor, action: str, event: str, payload=None) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=grant,
        payload={
            "application": grant.application_id,
            "dataset": grant.dataset_id,
            "user": grant.user_id,
            "end_reason": grant.end_reason,
            **(payload or {}),
        },
    )
    push(grant, event)
