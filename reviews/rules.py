"""The rulebook of approval conditions (see ``solidarity/transitions.py``): declared once, read
by the condition services, the condition page and the tests."""

from django.utils.translation import gettext_lazy as _

from solidarity.transitions import StateMachine, Transition

from .models import Condition, ConditionState

C = ConditionState


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
