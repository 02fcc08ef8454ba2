"""The rulebooks of reviewers' assignments and of approval conditions (see
``solidarity/transitions.py``): declared once, read by the committee's services, permissions,
pages, API and the tests."""

from django.utils.translation import gettext_lazy as _

from solidarity.transitions import StateMachine, Transition

from .models import Assignment, AssignmentState, Condition, ConditionState

C = ConditionState
A = AssignmentState

# An assignment still waiting for the reviewer (declaration or filing): reminded, listed as work.
OPEN_ASSIGNMENT = (A.AWAITING_COI, A.ACTIVE)
# A reviewer who declared no conflict and is not recused: they count and vote.
COUNTING = (A.ACTIVE, A.FILED)
# The reviewer's part is over (filed or recused).
FINISHED = (A.FILED, A.RECUSED)


def _application_in_review(assignment) -> bool:
    from applications.rules import REVIEW

    return assignment.application.state in REVIEW


def _application_before_decision(assignment) -> bool:
    from applications.rules import COMMITTEE_STATES

    return assignment.application.state in COMMITTEE_STATES


def _lock_assignment(assignment):
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("application", "assigned_by")
        .get(pk=assignment.pk)
    )


_ONLY_REVIEWER = _("Only the assigned reviewer declares their conflicts.")

ASSIGNMENT = StateMachine(
    name=str(_("assignment")),
    permissions="reviews.permissions",
    locker=_lock_assignment,
    state_message=_("An assignment that is “%(state)s” cannot be %(verb)s."),
    transitions=[
        # The declaration on the short summary: no conflict opens the full application.
        Transition(
            "declare-none",
            (A.AWAITING_COI,),
            A.ACTIVE,
            "is_assigned_reviewer",
            "coi.declare",
            label=_("I have no conflict of interest"),
            verb=_("declared"),
            refused=_ONLY_REVIEWER,
        ),
        Transition(
            "declare-conflict",
            (A.AWAITING_COI,),
            A.RECUSED,
            "is_assigned_reviewer",
            "coi.declare",
            label=_("I have a conflict of interest"),
            text="details",
            text_label=_("The conflict"),
            text_field="conflict_details",
            text_audited=False,
            verb=_("declared"),
            refused=_ONLY_REVIEWER,
        ),
        Transition(
            "file",
            (A.ACTIVE,),
            A.FILED,
            "may_file_assessment",
            "assessment.file",
            label=_("File the assessment"),
            guard=_application_in_review,
            guard_message=_("The application is not in review."),
            verb=_("filed"),
            refused=_("Only a reviewer may file an assessment."),
        ),
        # A conflict found later: the filing no longer counts.
        Transition(
            "recuse",
            COUNTING,
            A.RECUSED,
            "is_assigned_reviewer",
            "coi.declare",
            label=_("Recuse myself"),
            text="details",
            text_label=_("The conflict"),
            text_field="conflict_details",
            text_audited=False,
            guard=_application_before_decision,
            guard_message=_("The application is decided already."),
            verb=_("recused"),
            refused=_("Only the assigned reviewer may recuse themself."),
        ),
    ],
    waits={
        A.AWAITING_COI: (_("The conflict-of-interest declaration"), _("the reviewer")),
        A.ACTIVE: (_("The assessment"), _("the reviewer")),
    },
)


def _lock_condition(condition):
    return (
        Condition.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=condition.pk)
    )


CONDITION = StateMachine(
    name=str(_("condition")),
    permissions="reviews.permissions",
    locker=_lock_condition,
    state_message=_("Only an open condition can be %(verb)s."),
    transitions=[
        Transition(
            "met",
            (C.OPEN,),
            C.MET,
            "may_mark_condition",
            "condition.met",
            label=_("Mark met"),
            verb=_("marked met"),
            refused=_("Only the secretariat marks conditions."),
        ),
        Transition(
            "waive",
            (C.OPEN,),
            C.WAIVED,
            "may_mark_condition",
            "condition.waive",
            label=_("Waive"),
            text="reason",
            text_label=_("Reason for waiving"),
            text_field="waive_reason",
            verb=_("waived"),
            refused=_("Only the secretariat waives conditions."),
        ),
    ],
)
