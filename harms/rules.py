"""The rulebook of harm reports and redress actions: every move, declared once.

Services run these moves through ``run`` below (``solidarity.transitions.transition_run``
underneath: lock, actor and state check, ``update_fields``, audit); the HTML action forms and
buttons, the API and the tests read these tables through ``allows``/``moves``. Who may make a
move is a predicate in ``harms.permissions``, named here and resolved lazily.

Harm moves differ from the other machines in one way: the reporter may act without being
signed in (a ``ReceiptHolder``, who proved the receipt code), and the audit trail names a
reporter only as "reporter". ``allows``/``check``/``run`` handle both.
"""

from django.db import transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from solidarity.errors import PermissionDenied, TransitionNotAllowed
from solidarity.transitions import StateMachine, Transition, transition_run

from . import sla
from .models import (
    DECIDED_STATES,
    OPEN_STATES,
    HarmReport,
    HarmReportState,
    RedressAction,
    RedressKind,
    RedressState,
    SuspensionRecommendation,
)
from .permissions import ReceiptHolder, is_harm_officer, is_reporter_of

S = HarmReportState
R = RedressState
# Redress still waiting for the reporter's answer or for delivery.
PENDING_REDRESS = (R.OFFERED, R.ACCEPTED)
# Redress a custodian does not see yet (or ever): not accepted by the reporter.
NOT_FOR_CUSTODIAN = (R.OFFERED, R.DECLINED)


def redress_settled(report) -> bool:
    """No redress on the report is still waiting for an answer or for delivery."""
    actions = getattr(report, "redress_actions", None)  # prefetched by the detail page
    if actions is not None:
        return not any(a.state in PENDING_REDRESS for a in actions)
    return not report.redress.filter(state__in=PENDING_REDRESS).exists()


def all_redress_withdrawn(report) -> bool:
    """Every redress offered on the report was withdrawn by the panel."""
    return not report.redress.exclude(state=R.WITHDRAWN).exists()


def not_acknowledged(report) -> bool:
    return report.acknowledged_at is None


def appeal_window_open(report) -> bool:
    return report.can_be_appealed


def is_financial(action) -> bool:
    return action.kind == RedressKind.FINANCIAL


def _lock_action(action):
    return (
        RedressAction.objects.select_for_update(of=("self",))
        .select_related("report", "dataset")
        .get(pk=action.pk)
    )


def _lock_report(report):
    return HarmReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


_PENDING = _("Some redress is still waiting for an answer or for delivery.")

HARM_REPORT = StateMachine(
    name=str(pgettext_lazy("harm report", "report")),
    permissions="harms.permissions",
    locker=_lock_report,
    state_message=_("A report that is “%(state)s” cannot be %(verb)s."),
    transitions=[
        # Not a change of state: the first service level, in any open state.
        Transition(
            "acknowledge",
            tuple(OPEN_STATES),
            "",
            "may_act_on_report",
            "harm_report.acknowledge",
            label=_("Acknowledge"),
            verb=_("acknowledged"),
            guard=not_acknowledged,
            guard_message=_("This report has already been acknowledged."),
            refused=_("Only harm officers may do this."),
        ),
        Transition(
            "triage",
            (S.RECEIVED,),
            S.TRIAGED,
            "may_act_on_report",
            "harm_report.triage",
            label=_("Triage"),
            verb=_("triaged"),
            refused=_("Only harm officers may do this."),
        ),
        Transition(
            "investigate",
            (S.TRIAGED,),
            S.INVESTIGATING,
            "may_act_on_report",
            "harm_report.investigate",
            label=_("Investigate"),
            verb=_("investigated"),
            refused=_("Only harm officers may do this."),
        ),
        # Offering more redress on a report that already has some leaves its state as it is.
        Transition(
            "offer-redress",
            (S.TRIAGED, S.INVESTIGATING, S.REDRESS_OFFERED),
            S.REDRESS_OFFERED,
            "may_act_on_report",
            "harm_report.offer_redress",
            label=_("Offer redress"),
            verb=_("offered redress"),
            refused=_("Only harm officers may do this."),
        ),
        Transition(
            "resolve",
            (S.REDRESS_OFFERED,),
            S.RESOLVED,
            "may_act_on_report",
            "harm_report.resolve",
            label=_("Resolve"),
            text="outcome",
            text_label=_("The outcome for the reporter"),
            text_field="outcome",
            text_audited=False,
            guard=redress_settled,
            guard_message=_PENDING,
            verb=_("resolved"),
            refused=_("Only harm officers may do this."),
        ),
        Transition(
            "close",
            (S.RECEIVED, S.TRIAGED, S.INVESTIGATING),
            S.CLOSED_NO_ACTION,
            "may_act_on_report",
            "harm_report.close",
            label=_("Close without action"),
            text="reasons",
            text_label=_("The reasons for the reporter"),
            text_field="outcome",
            text_audited=False,
            verb=_("closed"),
            refused=_("Only harm officers may do this."),
        ),
        Transition(
            "refer",
            tuple(OPEN_STATES),
            S.REFERRED,
            "may_act_on_report",
            "harm_report.refer",
            label=_("Refer"),
            text="reasons",
            text_label=_("The reasons for the reporter"),
            text_field="outcome",
            text_audited=False,
            guard=redress_settled,
            guard_message=_PENDING,
            verb=_("referred"),
            refused=_("Only harm officers may do this."),
        ),
        Transition(
            "appeal",
            tuple(DECIDED_STATES),
            S.INVESTIGATING,
            "may_appeal",
            "harm_report.appeal",
            label=_("Appeal"),
            text="grounds",
            text_label=_("Why you appeal"),
            text_field="appeal_grounds",
            text_audited=False,
            guard=appeal_window_open,
            guard_message=_("The time to appeal this decision has passed."),
            verb=_("appealed"),
            refused=_("Only the reporter may appeal."),
        ),
        # Made by ``redress_withdraw`` when the last redress on the report is withdrawn.
        Transition(
            "reopen",
            (S.REDRESS_OFFERED,),
            S.INVESTIGATING,
            "may_act_on_report",
            "harm_report.withdraw_redress",
            verb=_("reopened"),
            guard=all_redress_withdrawn,
            guard_message=_("Some redress on this report still stands."),
            offered=False,
            refused=_("Only harm officers may do this."),
        ),
    ],
    waits={
        S.RECEIVED: lambda report: (
            _("Acknowledgement") if report.acknowledged_at is None else _("Triage"),
            _("the harm panel"),
        ),
        S.TRIAGED: (_("The investigation"), _("the harm panel")),
        S.INVESTIGATING: (_("The panel's decision"), _("the harm panel")),
        S.REDRESS_OFFERED: (
            _("Answers to the offers, then delivery"),
            _("the reporter, then the harm panel"),
        ),
        S.RESOLVED: (_("Nothing, unless the reporter appeals"), _("the reporter")),
        S.CLOSED_NO_ACTION: (_("Nothing, unless the reporter appeals"), _("the reporter")),
        S.REFERRED: (_("Nothing, unless the reporter appeals"), _("the reporter")),
    },
)

REDRESS = StateMachine(
    name=str(_("redress")),
    permissions="harms.permissions",
    locker=_lock_action,
    state_message=_("Redress that is “%(state)s” cannot be %(verb)s."),
    transitions=[
        Transition(
            "accept",
            (R.OFFERED,),
            R.ACCEPTED,
            "may_answer_redress",
            "redress.accept",
            label=_("Accept"),
            verb=_("accepted"),
            refused=_("Only the reporter, or an officer for them, may answer."),
        ),
        Transition(
            "decline",
            (R.OFFERED,),
            R.DECLINED,
            "may_answer_redress",
            "redress.decline",
            label=_("Decline"),
            verb=_("declined"),
            refused=_("Only the reporter, or an officer for them, may answer."),
        ),
        Transition(
            "deliver",
            (R.ACCEPTED,),
            R.DELIVERED,
            "may_deliver_redress",
            "redress.deliver",
            label=_("Mark delivered"),
            verb=_("delivered"),
            refused=_("You cannot record the delivery of this redress."),
        ),
        Transition(
            "withdraw",
            PENDING_REDRESS,
            R.WITHDRAWN,
            "may_act_on_redress",
            "redress.withdraw",
            label=_("Withdraw the offer"),
            text="reason",
            text_label=_("The reason for the reporter"),
            text_field="withdrawal_reason",
            text_audited=False,
            verb=_("withdrawn"),
            refused=_("Only harm officers may do this."),
        ),
        # Not a change of state: where accepted financial support is to be paid.
        Transition(
            "payment-details",
            (R.ACCEPTED,),
            "",
            "may_give_payment_details",
            "redress.payment_details",
            label=_("Send the payment details"),
            verb=_("given payment details"),
            guard=is_financial,
            guard_message=_("Only financial support is paid to a bank account."),
            refused=_("Only the reporter gives payment details."),
        ),
    ],
)


def panel_task(report) -> str:
    """What the harm panel is to do next on an open report (the home's "Waiting for you"),
    read from the moves the rulebook allows in the report's state."""
    if HARM_REPORT.in_source_state("acknowledge", report):
        return gettext("Acknowledge the harm report")
    if HARM_REPORT.in_source_state("triage", report):
        return gettext("Triage the harm report")
    return gettext("Decide on the harm report")


def _lock_recommendation(rec):
    """Lock the project first, then the recommendation: the system's lock order puts the
    application before everything that hangs on it (``application_suspend`` locks it too)."""
    from applications.models import Application

    application_id = rec.application_id or SuspensionRecommendation.objects.values_list(
        "application_id", flat=True
    ).get(pk=rec.pk)
    list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk=application_id)
        .values_list("pk", flat=True)
    )
    return (
        SuspensionRecommendation.objects.select_for_update(of=("self",))
        .select_related("application", "report")
        .get(pk=rec.pk)
    )


SR = SuspensionRecommendation.State

# The panel's recommendation that the chair suspend a project; the chair decides it once.
SUSPENSION = StateMachine(
    name=str(_("suspension recommendation")),
    permissions="harms.permissions",
    locker=_lock_recommendation,
    state_message=_("This recommendation has already been decided."),
    transitions=[
        Transition(
            "execute",
            (SR.OPEN,),
            SR.EXECUTED,
            "may_decide_suspension",
            "harm_report.suspension_executed",
            label=_("Suspend the project"),
            verb=_("executed"),
            refused=_("Only the chair may suspend a project."),
        ),
        Transition(
            "dismiss",
            (SR.OPEN,),
            SR.DISMISSED,
            "may_decide_suspension",
            "harm_report.suspension_dismissed",
            label=_("Dismiss"),
            text="reason",
            text_label=_("The reason for dismissing"),
            text_field="decision_reason",
            verb=_("dismissed"),
            refused=_("Only the chair may decide on a suspension."),
        ),
    ],
    waits={SR.OPEN: (_("The chair's decision"), _("the committee chair"))},
)


# ---- reading and running the tables for harm actors ---------------------------------------


def audit_actor(actor):
    """Who the audit trail names for an act: harm officers by name, a reporter never.

    Auditors read the trail but must not learn who reported; only harm officers acting in
    their role (or a custodian delivering a data request) are named.
    """
    if isinstance(actor, str):
        return actor
    if isinstance(actor, ReceiptHolder):
        return "reporter (receipt code)"
    if is_harm_officer(actor):
        return actor
    if getattr(actor, "is_authenticated", False):
        return "reporter"
    return "anonymous"


def may_actor(machine: StateMachine, name: str, actor, obj) -> bool:
    """Whether this actor (a user or a receipt holder) is someone who may make this move."""
    if actor is None or not (
        getattr(actor, "is_authenticated", False) or isinstance(actor, ReceiptHolder)
    ):
        return False
    return bool(machine.predicate(machine[name])(actor, obj))


def allows(machine: StateMachine, name: str, actor, obj) -> bool:
    """May this actor make this move on this object now? (state, guard and actor)."""
    return machine.in_source_state(name, obj) and may_actor(machine, name, actor, obj)


def moves(machine: StateMachine, actor, obj) -> set[str]:
    """The offered moves this actor may make on this object now."""
    return {t.name for t in machine if t.offered and allows(machine, t.name, actor, obj)}


def check(machine: StateMachine, name: str, *, actor, obj, state_message: str = "") -> None:
    """Raise PermissionDenied or TransitionNotAllowed unless the move is allowed now.

    The actor first, so that someone who may never make the move learns nothing about the
    object's state; a string actor is the system (another service, a beat task).
    """
    t = machine[name]
    if not isinstance(actor, str) and not may_actor(machine, name, actor, obj):
        raise PermissionDenied(str(t.refused) or gettext("You may not do this."))
    if state_message and machine.state_of(obj) not in t.sources:
        raise TransitionNotAllowed(state_message)
    machine.check(name, actor="checked", obj=obj)


def run(
    machine: StateMachine,
    name: str,
    *,
    actor,
    obj,
    lock: bool = True,
    changes=None,
    payload=None,
    text=None,
):
    """Run one declared move for a harm actor and return the (locked, saved) object.

    In one transaction: lock the row, check the actor (a receipt holder too) and the state,
    then ``transition_run`` saves the change with ``update_fields`` and writes the audit event
    naming the actor as ``audit_actor`` does. A harm report's stored next deadline
    (``next_due_at``) is recomputed here, for every move, by ``sla.next_due_at``.
    """
    with transaction.atomic():
        if lock:
            obj = machine.lock(obj)
        check(machine, name, actor=actor, obj=obj)
        all_changes = dict(changes or {})
        if machine is HARM_REPORT:
            all_changes["next_due_at"] = sla.next_due_at(
                obj, state=machine[name].target, **all_changes
            )
        report = obj if machine is HARM_REPORT else obj.report
        named = audit_actor(actor) if is_reporter_of(actor, report) else actor
        return transition_run(
            machine,
            name,
            actor=named,
            obj=obj,
            lock=False,
            text=text,
            changes=all_changes,
            payload=payload,
        )
