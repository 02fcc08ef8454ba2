"""Runs reported by nodes against grants, and custodians' flags."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed
from solidarity.notifications.services import notify

from .. import permissions as perms
from ..models import Grant, Run, RunStatus, Verdict

CLOCK_SKEW = datetime.timedelta(minutes=5)


def node_label(node) -> str:
    return f"node:{node.pk}:{node.name}"[:150]


@transaction.atomic
def run_report(
    *,
    node,
    grant_id: int,
    ran_at: datetime.datetime,
    verdict: str,
    script_sha256: str = "",
    job_reference: str = "",
    outputs=None,
) -> Run:
    """A node reports an analysis run against a grant of its organisation.

    A run under a grant that has ended (or before it began) is recorded as refused and its
    custodians are told; the caller answers 409 for it. Audited either way."""
    application_id = (
        Grant.objects.filter(pk=grant_id, organisation_id=node.organisation_id)
        .values_list("application_id", flat=True)
        .first()
    )
    if application_id is None:  # another organisation's grant looks exactly like a missing one
        message = _("Unknown grant.")
        raise DomainError(message, field_errors={"grant": [message]})
    # The project first, as every project-life change does (and the audit chain head last):
    # a run then waits for a suspension in progress and sees its grant ended, and the run's
    # deferred foreign-key check at commit never waits on a project whose change waits on us.
    Application.objects.select_for_update(no_key=True).filter(pk=application_id).first()
    grant = Grant.objects.select_related("application").get(pk=grant_id)
    if verdict not in Verdict.values:
        message = _("Unknown verdict.")
        raise DomainError(message, field_errors={"verdict": [message]})
    if not (script_sha256 or job_reference):
        message = _("Give the script's SHA-256 or the job reference.")
        raise DomainError(message, field_errors={"script_sha256": [message]})
    if ran_at > timezone.now() + CLOCK_SKEW:
        message = _("A run cannot be in the future.")
        raise DomainError(message, field_errors={"ran_at": [message]})
    refusal = ""
    if grant.ended_at is not None:
        refusal = _("The grant ended on %(when)s (%(reason)s).") % {
            "when": grant.ended_at.isoformat(),
            "reason": grant.get_end_reason_display(),
        }
    elif ran_at < grant.started_at - CLOCK_SKEW:
        refusal = _("The run predates the grant.")
    run = Run.objects.create(
        node=node,
        grant=grant,
        application_id=grant.application_id,
        ran_at=ran_at,
        script_sha256=script_sha256,
        job_reference=job_reference,
        outputs=list(outputs or []),
        verdict=verdict,
        status=RunStatus.REFUSED if refusal else RunStatus.ACCEPTED,
        refusal_reason=refusal,
    )
    audit.record(
        actor=node_label(node),
        action="run.refuse" if refusal else "run.report",
        target=run,
        payload={
            "node": node.pk,
            "grant": grant.pk,
            "application": grant.application_id,
            "verdict": verdict,
            "script_sha256": script_sha256,
            "job_reference": job_reference,
            "outputs": len(run.outputs),
            "refusal": refusal,
        },
    )
    if refusal or verdict == Verdict.NEEDS_REVIEW:
        _tell_custodians(
            grant,
            lambda: (
                _("Run %(run)s on %(ref)s: %(what)s")
                % {
                    "run": run.pk,
                    "ref": grant.application.reference,
                    "what": refusal or run.get_verdict_display(),
                }
            ),
            f"/grants/projects/{grant.application_id}/",
        )
    return run


def _tell_custodians(grant, subject, url: str) -> None:
    """``subject`` is a callable, called in each custodian's language."""
    from django.contrib.auth import get_user_model

    from solidarity.accounts.roles import Role

    recipients = list(
        get_user_model()
        .objects.filter(
            memberships__organisation_id=grant.organisation_id,
            groups__name=Role.CUSTODIAN,
            is_active=True,
        )
        .distinct()
    )
    notify(
        recipients=recipients,
        kind="grants",
        context=lambda: {"subject": subject(), "body": subject()},
        url=url,
    )


@transaction.atomic
def run_flag(*, actor, run, reason: str) -> Run:
    """A custodian of the grant's organisation flags a run for the committee. Audited; the
    chair is told."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("grant", "application")
        .get(pk=run.pk)
    )
    if not perms.can_flag_run(actor, run):
        raise PermissionDenied(_("Only a custodian of the dataset may flag this run."))
    if run.flagged_at is not None:
        raise TransitionNotAllowed(_("This run is already flagged."))
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the run is flagged.")
        raise DomainError(message, field_errors={"reason": [message]})
    run.flagged_at = timezone.now()
    run.flagged_by = actor
    run.flag_reason = reason
    run.save(update_fields=["flagged_at", "flagged_by", "flag_reason"])
    audit.record(
        actor=actor,
        action="run.flag",
        target=run,
        payload={"reason": reason, "application": run.application_id},
    )
    from django.contrib.auth import get_user_model

    from solidarity.accounts.roles import Role

    chairs = list(
        get_user_model().objects.filter(groups__name=Role.CHAIR, is_active=True).distinct()
    )
    notify(
        recipients=chairs,
        kind="grants",
        context=lambda: {
            "subject": _("Run %(run)s on %(ref)s flagged")
            % {"run": run.pk, "ref": run.application.reference},
            "body": reason,
        },
        url=f"/grants/projects/{run.application_id}/",
    )
    return run
