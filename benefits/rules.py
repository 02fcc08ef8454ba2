"""The rulebook of benefit agreements and their obligations: every move, declared once.

Services run these moves through ``solidarity.transitions.transition_run`` (or, for a move
that changes no state, check them with ``StateMachine.check``); the permission checks
(``permissions.can_*``), the buttons on the agreement's page, the API actions and the
"Awaiting …" texts all read these tables. Who may make a move is a predicate in
``benefits.permissions``, named here and resolved lazily (that module reads this one).

A move that can end in more than one state (a verification moves a recurring obligation on
to its next period, or completes it) is declared once per outcome; only the first of them is
offered, and the service chooses the outcome.
"""

from django.utils.translation import gettext_lazy as _

from applications.models import ApplicationState
from solidarity.transitions import StateMachine, Transition

from .locks import lock_agreement, lock_obligation
from .models import AgreementState, ObligationState

A = AgreementState
O = ObligationState  # noqa: E741 - the obligation states, as ``A`` is the agreement's

# Application states in which a project may receive (or still have) an agreement: approved,
# or active or suspended when a terminated agreement is being replaced.
DRAFTABLE_APPLICATION_STATES = ("approved", "active", "suspended")
# Agreements whose obligations are being met: reports are welcome once signed, until the end.
REPORTABLE = (A.SIGNED, A.IN_FORCE, A.BREACHED)
# Agreements whose obligations may be waived one by one (a draft's are removed instead; an
# ended agreement's are closed).
WAIVABLE = (A.PROPOSED, *REPORTABLE)
OPEN_OBLIGATIONS = (O.PENDING, O.OVERDUE, O.REPORTED)
# Agreements whose pending obligations fall overdue when their due date passes.
OVERDUE_WATCHED = (A.IN_FORCE, A.BREACHED)
# A closed project owes no more obligation reports: nothing of it is due or falls overdue
# (its obligations keep their state, for the record; a revoked project still owes them).
PROJECT_OWES_NOTHING = ApplicationState.CLOSED


def owes_nothing_q():
    """Obligations of projects that owe nothing more (exclude these from what is due)."""
    from django.db.models import Q

    return Q(agreement__application__state=PROJECT_OWES_NOTHING)


ENDED = (A.FULFILLED, A.TERMINATED)
# Signed agreements: enough for the project's activation, and those whose signing is history.
ACTIVATING = (A.SIGNED, A.IN_FORCE)
SIGNED = (A.SIGNED, A.IN_FORCE, A.FULFILLED, A.BREACHED)
# Obligations that are done with: met, or waived.
SETTLED = (O.VERIFIED, O.WAIVED)


def _proposed_waits(agreement):
    signed = {s.side for s in agreement.signatures.all() if s.version == agreement.terms_version}
    if "applicant" in signed:
        return _("The committee's signature"), _("a benefit officer")
    if "committee" in signed:
        return _("The applicant's signature"), _("the applicant")
    return _("Both signatures"), _("the applicant and a benefit officer")


AGREEMENT = StateMachine(
    name=str(_("benefit agreement")),
    permissions="benefits.permissions",
    locker=lock_agreement,
    state_message=_("A benefit agreement that is %(state)s cannot be %(verb)s."),
    transitions=[
        # Not a change of state: the terms and obligations of a draft are changed (the edit
        # page, the obligation form, removing an obligation).
        Transition(
            "edit",
            (A.DRAFT,),
            "",
            "is_officer",
            "benefit_agreement.update",
            label=_("Edit the terms"),
            verb=_("changed"),
            offered=False,
            refused=_("Only benefit officers may manage benefit agreements."),
        ),
        Transition(
            "propose",
            (A.DRAFT,),
            A.PROPOSED,
            "is_officer",
            "benefit_agreement.propose",
            label=_("Propose to the applicant"),
            verb=_("proposed"),
            refused=_("Only benefit officers may manage benefit agreements."),
        ),
        # One side's signature; the agreement changes state when both sides have signed.
        Transition(
            "sign",
            (A.PROPOSED,),
            "",
            "may_sign",
            "benefit_agreement.sign",
            label=_("Sign"),
            verb=_("signed"),
            refused=_("Only the applicant or a benefit officer may sign this agreement."),
        ),
        Transition(
            "complete",
            (A.PROPOSED,),
            A.SIGNED,
            "signs_for_a_side",
            "benefit_agreement.sign",
            verb=_("signed"),
            offered=False,
            refused=_("Only the applicant or a benefit officer may sign this agreement."),
        ),
        Transition(
            "enter-force",
            (A.SIGNED,),
            A.IN_FORCE,
            "may_view",
            "benefit_agreement.enter_force",
            verb=_("brought into force"),
            offered=False,
        ),
        Transition(
            "reopen",
            (A.PROPOSED, A.SIGNED, A.IN_FORCE),
            A.DRAFT,
            "is_officer",
            "benefit_agreement.reopen",
            label=_("Change the agreement"),
            text="reason",
            text_label=_("Why the agreement must change (both sides sign again)"),
            text_field="state_reason",
            verb=_("reopened"),
            refused=_("Only benefit officers may manage benefit agreements."),
        ),
        Transition(
            "breach",
            (A.IN_FORCE,),
            A.BREACHED,
            "is_officer",
            "benefit_agreement.breach",
            text="reason",
            text_field="state_reason",
            verb=_("flagged as in breach"),
            offered=False,
            refused=_("Only benefit officers may manage benefit agreements."),
        ),
        Transition(
            "cure",
            (A.BREACHED,),
            A.IN_FORCE,
            "is_officer",
            "benefit_agreement.cure",
            verb=_("cured"),
            offered=False,
        ),
        Transition(
            "fulfil",
            (A.IN_FORCE,),
            A.FULFILLED,
            "is_officer",
            "benefit_agreement.fulfil",
            verb=_("fulfilled"),
            offered=False,
        ),
        Transition(
            "terminate",
            (A.DRAFT, A.PROPOSED, A.SIGNED, A.IN_FORCE, A.BREACHED),
            A.TERMINATED,
            "is_officer",
            "benefit_agreement.terminate",
            label=_("Terminate the agreement"),
            text="reason",
            text_label=_("Reason for terminating"),
            text_field="state_reason",
            verb=_("terminated"),
            refused=_("Only benefit officers may manage benefit agreements."),
        ),
        # Not a change of the agreement's state: the chair suspends the project through the
        # applications app's rulebook.
        Transition(
            "suspend-project",
            (A.BREACHED,),
            "",
            "is_chair",
            "benefit_agreement.suspend_project",
            label=_("Suspend the project"),
            text="reason",
            text_label=_("Reason for suspending the project"),
            verb=_("used to suspend the project"),
            refused=_("Only the chair may suspend a project."),
        ),
    ],
    waits={
        A.DRAFT: (_("Terms and obligations to be proposed"), _("a benefit officer")),
        A.PROPOSED: _proposed_waits,
        A.SIGNED: (_("Activation of the project"), _("see the application")),
        A.IN_FORCE: (_("Reports on the obligations as they fall due"), _("the applicant")),
        A.BREACHED: (
            _("The overdue obligations to be met, or the chair's decision"),
            _("the applicant and the chair"),
        ),
        A.FULFILLED: (_("Nothing: every obligation is met"), ""),
        A.TERMINATED: (_("Nothing: the agreement has ended"), ""),
    },
)


def _agreement_reportable(obligation) -> bool:
    return obligation.agreement.state in REPORTABLE


def _agreement_waivable(obligation) -> bool:
    return obligation.agreement.state in WAIVABLE


def _watched(obligation) -> bool:
    return obligation.agreement.state in OVERDUE_WATCHED


def _removable(obligation) -> bool:
    """In a draft agreement, an obligation without reports on record (else it is waived)."""
    return obligation.agreement.state == A.DRAFT and not obligation.reports.all().exists()


def _removal_refused(obligation) -> str:
    if obligation.agreement.state != A.DRAFT:
        return _("Obligations can only be changed while the agreement is a draft.")
    return _("This obligation has reports on record; waive it instead of removing it.")


def _reported_waits(obligation):
    return _("Verification of the report"), _("a benefit officer")


def _due_waits(obligation):
    if obligation.agreement.state not in REPORTABLE:
        return _("The agreement to be signed"), _("the applicant and a benefit officer")
    return _("A report by %(date)s") % {"date": obligation.due_date.isoformat()}, _("the applicant")


_REVIEW_REFUSED = _("Only benefit officers may review reports.")

OBLIGATION = StateMachine(
    name=str(_("obligation")),
    permissions="benefits.permissions",
    locker=lock_obligation,
    state_message=_("An obligation that is %(state)s cannot be %(verb)s."),
    transitions=[
        Transition(
            "report",
            (O.PENDING, O.OVERDUE),
            O.REPORTED,
            "may_report",
            "obligation.report",
            label=_("Report"),
            verb=_("reported on"),
            guard=_agreement_reportable,
            guard_message=_("Reports are taken once the agreement is signed and until it ends."),
            refused=_("Only the applicant may report on this obligation."),
        ),
        # The verification of the current period: the obligation is met (``verify``), moves on
        # to its next period (``verify-period``), or, paid short of the amount due, keeps the
        # shortfall open (``verify-short``, or ``verify-short-overdue`` past its due date).
        Transition(
            "verify",
            (O.REPORTED,),
            O.VERIFIED,
            "is_officer",
            "obligation.verify",
            label=_("Verify"),
            verb=_("verified"),
            refused=_REVIEW_REFUSED,
        ),
        Transition(
            "verify-period",
            (O.REPORTED,),
            O.PENDING,
            "is_officer",
            "obligation.verify",
            verb=_("verified"),
            offered=False,
            refused=_REVIEW_REFUSED,
        ),
        Transition(
            "verify-short",
            (O.REPORTED,),
            O.PENDING,
            "is_officer",
            "obligation.short_payment",
            verb=_("verified"),
            offered=False,
            refused=_REVIEW_REFUSED,
        ),
        Transition(
            "verify-short-overdue",
            (O.REPORTED,),
            O.OVERDUE,
            "is_officer",
            "obligation.short_payment",
            verb=_("verified"),
            offered=False,
            refused=_REVIEW_REFUSED,
        ),
        # A report sent back: the obligation is pending again, or overdue past its due date.
        Transition(
            "reject",
            (O.REPORTED,),
            O.PENDING,
            "is_officer",
            "obligation.reject",
            label=_("Reject"),
            text="reason",
            text_label=_("Reason for rejecting"),
            text_field="state_reason",
            verb=_("rejected"),
            refused=_REVIEW_REFUSED,
        ),
        Transition(
            "reject-overdue",
            (O.REPORTED,),
            O.OVERDUE,
            "is_officer",
            "obligation.reject",
            text="reason",
            text_label=_("Reason for rejecting"),
            text_field="state_reason",
            verb=_("rejected"),
            offered=False,
            refused=_REVIEW_REFUSED,
        ),
        Transition(
            "waive",
            OPEN_OBLIGATIONS,
            O.WAIVED,
            "is_officer",
            "obligation.waive",
            label=_("Waive"),
            text="reason",
            text_label=_("Reason for waiving"),
            text_field="state_reason",
            verb=_("waived"),
            guard=_agreement_waivable,
            guard_message=_(
                "Obligations are waived while the agreement is proposed, signed, in force or "
                "in breach; a draft's obligations are removed instead."
            ),
            refused=_("Only benefit officers may waive obligations."),
        ),
        # The agreement's termination closes its open obligations with the same reason.
        Transition(
            "waive-with-agreement",
            OPEN_OBLIGATIONS,
            O.WAIVED,
            "is_officer",
            "obligation.waive",
            text="reason",
            text_field="state_reason",
            verb=_("waived"),
            offered=False,
        ),
        Transition(
            "overdue",
            (O.PENDING,),
            O.OVERDUE,
            "nobody",
            "obligation.overdue",
            verb=_("marked overdue"),
            guard=_watched,
            offered=False,
        ),
        # Not a change of state: the obligation is deleted from a draft agreement.
        Transition(
            "remove",
            tuple(O.values),
            "",
            "is_officer",
            "obligation.remove",
            label=_("Remove"),
            verb=_("removed"),
            guard=_removable,
            guard_message=_removal_refused,
            refused=_("Only benefit officers may change obligations."),
        ),
    ],
    waits={
        O.PENDING: _due_waits,
        O.OVERDUE: _due_waits,
        O.REPORTED: _reported_waits,
        O.VERIFIED: (_("Nothing: the obligation is met"), ""),
        O.WAIVED: (_("Nothing: the obligation was waived"), ""),
    },
)
