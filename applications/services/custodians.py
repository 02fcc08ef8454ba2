"""Custodians' decisions on the datasets they hold."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.transitions import transition_run

from ..rules import DATASET_REQUEST
from ._common import _require_text, _tell_applicant
from .acknowledgements import require_acknowledged
from .workflow import application_try_activate

# ---- custodian decisions ----------------------------------------------------------------


def _decide(actor, dataset_request, *, name, reason="", conditions=""):
    payload: dict = {}

    def prepare(request):
        if name == "grant":  # every consent conflict of this dataset acknowledged first
            require_acknowledged(request.application, "custodian", dataset_id=request.dataset_id)
        payload.update(
            {
                "application": request.application_id,
                "dataset": request.dataset.title,
                "reason": reason,
                "conditions": conditions,
            }
        )
        return {
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_reason": reason,
            "decision_conditions": conditions,
        }

    return transition_run(
        DATASET_REQUEST,
        name,
        actor=actor,
        obj=dataset_request,
        text=reason if DATASET_REQUEST[name].needs_text else None,
        prepare=prepare,
        payload=payload,
    )


@transaction.atomic
def dataset_request_grant(*, actor, dataset_request, reason: str = "", conditions: str = ""):
    """pending → granted, by a custodian member of the dataset's organisation, with optional
    reasons and conditions (e.g. federated only). The application may then become active."""
    request = _decide(
        actor,
        dataset_request,
        name="grant",
        reason=(reason or "").strip(),
        conditions=(conditions or "").strip(),
    )
    application = request.application
    _tell_applicant(
        application,
        lambda: _("Access granted to %(dataset)s") % {"dataset": request.dataset.title},
        lambda: request.decision_conditions or request.decision_reason or _("No conditions."),
    )
    application_try_activate(actor=actor, application=application)
    return request


@transaction.atomic
def dataset_request_decline(*, actor, dataset_request, reason: str):
    """pending → declined, by a custodian member of the dataset's organisation, with reasons."""
    reason = _require_text(reason, "reason", _("Give the reasons for declining."))
    request = _decide(actor, dataset_request, name="decline", reason=reason)
    _tell_applicant(
        request.application,
        lambda: _("Access declined to %(dataset)s") % {"dataset": request.dataset.title},
        lambda: reason,
    )
    return request
