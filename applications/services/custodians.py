"""Custodians' decisions on the datasets they hold."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import TransitionNotAllowed

from .. import permissions as perms
from ..models import (
    Application,
    DatasetRequest,
)
from ._common import (
    _locked,
    _require,
    _require_text,
    _tell_applicant,
)
from .workflow import application_try_activate

# ---- custodian decisions ----------------------------------------------------------------


def _locked_request(dataset_request) -> DatasetRequest:
    return (
        DatasetRequest.objects.select_for_update(of=("self",))
        .select_related("dataset__custodian", "application")
        .get(pk=dataset_request.pk)
    )


def _decide(actor, dataset_request, *, to, action, reason, conditions=""):
    # Lock the application first, as every application service does, so a decision cannot
    # land on an application that is being withdrawn at the same moment.
    _locked(Application(pk=dataset_request.application_id))
    request = _locked_request(dataset_request)
    _require(
        perms.can_decide_dataset_request(actor, request),
        _("Only the dataset's custodian may decide on this request."),
    )
    if not perms.dataset_request_open_for_decision(request):
        raise TransitionNotAllowed(
            _("No decision can be made while the application is %(state)s.")
            % {"state": request.application.get_state_display().lower()}
        )
    if request.state != DatasetRequest.State.PENDING:
        raise TransitionNotAllowed(
            _("This request was already %(state)s.")
            % {"state": request.get_state_display().lower()}
        )
    from_state = request.state
    request.state = to
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.decision_conditions = conditions
    request.save(
        update_fields=[
            "state",
            "decided_by",
            "decided_at",
            "decision_reason",
            "decision_conditions",
        ]
    )
    audit.record(
        actor=actor,
        action=action,
        target=request,
        from_state=from_state,
        to_state=to,
        payload={
            "application": request.application_id,
            "dataset": request.dataset.title,
            "reason": reason,
            "conditions": conditions,
        },
    )
    return request


@transaction.atomic
def dataset_request_grant(*, actor, dataset_request, reason: str = "", conditions: str = ""):
    """pending → granted, by a custodian member of the dataset's organisation, with optional
    reasons and conditions (e.g. federated only). The application may then become active."""
    request = _decide(
        actor,
        dataset_request,
        to=DatasetRequest.State.GRANTED,
        action="dataset_request.grant",
        reason=(reason or "").strip(),
        conditions=(conditions or "").strip(),
    )
    application = request.application
    _tell_applicant(
        application,
        _("Access granted to %(dataset)s") % {"dataset": request.dataset.title},
        request.decision_conditions or request.decision_reason or _("No conditions."),
    )
    application_try_activate(actor=actor, application=application)
    return request


@transaction.atomic
def dataset_request_decline(*, actor, dataset_request, reason: str):
    """pending → declined, by a custodian member of the dataset's organisation, with reasons."""
    reason = _require_text(reason, "reason", _("Give the reasons for declining."))
    request = _decide(
        actor,
        dataset_request,
        to=DatasetRequest.State.DECLINED,
        action="dataset_request.decline",
        reason=reason,
    )
    _tell_applicant(
        request.application,
        _("Access declined to %(dataset)s") % {"dataset": request.dataset.title},
        reason,
    )
    return request
