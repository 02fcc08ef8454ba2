"""Consent conflicts acknowledged: by the committee before approval, by the custodian before
granting. Each is a written reason, audited, and never changed."""

from django.db import transaction
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.catalog.permissions import can_manage_dataset
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from .. import permissions as perms
from .. import rules
from ..models import AcknowledgingParty, Application, ConsentAcknowledgement
from ..selectors import consent_conflicts
from ._common import _locked, _require_text

# When each party acknowledges: the committee while it reviews (before its decision), the
# custodian while its own decision is open.
COMMITTEE_STATES = rules.COMMITTEE_STATES


def unacknowledged_conflicts(application, party: str, *, dataset_id=None) -> list:
    """The consent conflicts of ``application`` that ``party`` has not yet acknowledged."""
    done = set(
        ConsentAcknowledgement.objects.filter(
            application_id=application.pk, party=party
        ).values_list("dataset_id", "term")
    )
    return [
        c
        for c in consent_conflicts(application)
        if (c.dataset.pk, c.term) not in done and (dataset_id is None or c.dataset.pk == dataset_id)
    ]


def require_acknowledged(application, party: str, *, dataset_id=None) -> None:
    """TransitionNotAllowed naming every conflict ``party`` must still acknowledge."""
    missing = unacknowledged_conflicts(application, party, dataset_id=dataset_id)
    if missing:
        who = _("the committee") if party == AcknowledgingParty.COMMITTEE else _("the custodian")
        raise TransitionNotAllowed(
            _("Consent conflicts must first be acknowledged by %(who)s with a reason: %(list)s.")
            % {
                "who": who,
                "list": "; ".join(
                    f"{c.dataset.title} — {c.term_label} ({c.term})" for c in missing
                ),
            }
        )


def may_acknowledge(user, application, party: str, dataset) -> bool:
    """The chair for the committee, while it reviews; a member of the dataset's custodian
    organisation for the custodian, while a request for that dataset awaits its decision."""
    if party == AcknowledgingParty.COMMITTEE:
        return perms.is_chair(user) and application.state in COMMITTEE_STATES
    if party == AcknowledgingParty.CUSTODIAN:
        return (
            can_manage_dataset(user, dataset)
            and application.dataset_requests.filter(dataset=dataset, state=rules.R.PENDING).exists()
            and rules.DATASET_REQUEST.in_source_state(
                "grant", application.dataset_requests.get(dataset=dataset)
            )
        )
    return False


@transaction.atomic
def consent_conflict_acknowledge(
    *, actor, application, dataset, term: str, party: str, reason: str
) -> ConsentAcknowledgement:
    """Acknowledge one consent conflict with a written reason, for the committee (the chair,
    while the application is submitted or in review) or for the dataset's custodian (while its
    request is pending). The conflict must be one the application has now.

    Side effect: audit ``consent.acknowledge``."""
    if party not in AcknowledgingParty.values:
        message = _("Say who acknowledges: the committee or the custodian.")
        raise DomainError(message, field_errors={"party": [message]})
    reason = _require_text(reason, "reason", _("Give the reason the use may proceed."))
    application = _locked(Application(pk=application.pk))
    if not may_acknowledge(actor, application, party, dataset):
        if party == AcknowledgingParty.COMMITTEE and perms.is_chair(actor):
            raise TransitionNotAllowed(
                _("The committee acknowledges conflicts only while it reviews the application.")
            )
        raise PermissionDenied(_("You may not acknowledge this conflict."))
    conflict = next(
        (
            c
            for c in consent_conflicts(application)
            if c.dataset.pk == dataset.pk and c.term == term
        ),
        None,
    )
    if conflict is None:
        message = _("There is no such consent conflict on this application.")
        raise DomainError(message, field_errors={"term": [message]})
    if ConsentAcknowledgement.objects.filter(
        application=application, dataset=dataset, term=term, party=party
    ).exists():
        raise TransitionNotAllowed(_("This conflict was already acknowledged."))
    acknowledgement = ConsentAcknowledgement.objects.create(
        application=application,
        dataset=dataset,
        term=term,
        party=party,
        reason=reason,
        acknowledged_by=actor,
    )
    audit.record(
        actor=actor,
        action="consent.acknowledge",
        target=application,
        payload={
            "dataset": dataset.pk,
            "dataset_title": dataset.title,
            "term": term,
            "party": party,
            "reason": reason,
        },
    )
    return acknowledgement
