"""The rulebook of applications and dataset requests: every move, declared once.

Services run these moves through ``solidarity.transitions.transition_run``; the permission
checks (``permissions.can_*``), the HTML buttons, the API actions and the "Awaiting …" texts
all read these tables. Who may make a move is a predicate in ``applications.permissions``,
named here and resolved lazily (that module reads this one).
"""

from django.utils.translation import gettext_lazy as _

from solidarity.transitions import StateMachine, Transition

from .models import PUBLIC_STATES, Application, ApplicationState, DatasetRequest

S = ApplicationState
R = DatasetRequest.State

EDITABLE = (S.DRAFT, S.REVISION_REQUESTED)
PRE_DECISION = (S.DRAFT, S.SUBMITTED, S.REVISION_REQUESTED, S.IN_REVIEW, S.AWAITING_DECISION)
REVIEW = (S.IN_REVIEW, S.AWAITING_DECISION)
TERMINAL = (S.REJECTED, S.WITHDRAWN, S.REVOKED, S.CLOSED)
# The states an active project passes through while an amendment of it is reviewed: it stays a
# project the chair governs, that keeps its register entry and closes rather than withdraws.
AMENDMENT = (S.REVISION_REQUESTED, S.SUBMITTED, S.IN_REVIEW, S.AWAITING_DECISION)
# States whose applications are on the public register (with amendments under review).
PUBLIC = tuple(PUBLIC_STATES)
# While the committee may assign reviewers and acknowledge consent conflicts: from submission
# until its decision.
COMMITTEE_STATES = (S.SUBMITTED, *REVIEW)
# The committee sets conditions of approval while it reviews and once it has approved.
CONDITION_WINDOW = (*REVIEW, S.APPROVED)
# The secretariat's queue: everything filed and not yet decided.
QUEUE_STATES = (S.SUBMITTED, S.REVISION_REQUESTED, *REVIEW)


def public_q(via: str = ""):
    """The applications on the public register: decided ones, and active projects whose
    amendment is under review (they keep their entry meanwhile). ``via`` names the relation
    from another model (``"application__"``)."""
    from django.db.models import Q

    return Q(**{f"{via}state__in": PUBLIC}) | Q(
        **{f"{via}state__in": AMENDMENT, f"{via}activated_at__isnull": False}
    )


def has_been_active(application) -> bool:
    return application.activated_at is not None


def live_project(application) -> bool:
    """Active or suspended, or an amendment of a project that has been active."""
    return application.state in (S.ACTIVE, S.SUSPENDED) or application.activated_at is not None


def never_active(application) -> bool:
    return application.activated_at is None


def under_amendment(application) -> bool:
    """An active project whose amendment is being written or reviewed."""
    return application.state in AMENDMENT and application.activated_at is not None


def _lock_application(application):
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "organisation")
        .get(pk=application.pk)
    )


def _approved_waits(application):
    declined = getattr(application, "datasets_declined", None)
    pending = getattr(application, "datasets_pending", None)
    if declined:
        return _("Declined datasets to be resolved"), _("the applicant and the custodians")
    if pending:
        return _("Decisions on %(n)s datasets") % {"n": pending}, _("the custodians")
    return _("The remaining activation requirements"), _("see the application")


PROJECT_LIVE = (S.ACTIVE, S.SUSPENDED, *AMENDMENT)

APPLICATION = StateMachine(
    name=str(_("application")),
    permissions="applications.permissions",
    locker=_lock_application,
    state_message=_("An application that is %(state)s cannot be %(verb)s."),
    transitions=[
        Transition(
            "submit",
            EDITABLE,
            S.SUBMITTED,
            "is_applicant",
            "application.submit",
            label=_("Submit"),
            verb=_("submitted"),
            refused=_("Only the applicant may submit this application."),
        ),
        Transition(
            "withdraw",
            PRE_DECISION,
            S.WITHDRAWN,
            "is_applicant",
            "application.withdraw",
            label=_("Withdraw the application"),
            verb=_("withdrawn"),
            guard=never_active,
            guard_message=_(
                "This project has been active: it ends by being closed with a final report."
            ),
            irreversible=True,
            consequence=_(
                "The application ends for good: it is no longer screened, reviewed or decided."
            ),
            refused=_("Only the applicant may withdraw."),
        ),
        Transition(
            "accept",
            (S.SUBMITTED,),
            S.IN_REVIEW,
            "is_screener",
            "application.accept",
            label=_("Accept into review"),
            verb=_("accepted into review"),
            refused=_("Only the secretariat screens submissions."),
        ),
        Transition(
            "request-revision",
            (S.SUBMITTED, S.IN_REVIEW),
            S.REVISION_REQUESTED,
            "is_secretariat_or_chair",
            "application.request_revision",
            label=_("Request a revision"),
            text="message",
            text_label=_("What must be revised"),
            text_help=_("The applicant sees this message."),
            text_field="state_reason",
            verb=_("sent back for revision"),
            refused=_("Only the secretariat or the chair may request a revision."),
        ),
        # Rejection at screening only (out of scope); after screening only the committee's
        # decision rejects (``decline`` below, run by the reviews app's decision service).
        Transition(
            "reject",
            (S.SUBMITTED,),
            S.REJECTED,
            "is_secretariat_or_chair",
            "application.reject",
            label=_("Reject"),
            text="reason",
            text_label=_("Reason for the rejection"),
            text_help=_("At screening: why the application is out of scope."),
            text_field="state_reason",
            verb=_("rejected at screening"),
            guard=never_active,
            guard_message=_("An amendment is not rejected at screening: request a revision."),
            irreversible=True,
            consequence=_("The application ends for good; the applicant receives the reason."),
            refused=_("You may not reject this application."),
        ),
        Transition(
            "await-decision",
            (S.IN_REVIEW,),
            S.AWAITING_DECISION,
            "is_secretariat_or_chair",
            "application.await_decision",
            label=_("Put forward for decision"),
            verb=_("put forward for decision"),
            refused=_("Only the secretariat or the chair may schedule the decision."),
        ),
        Transition(
            "approve",
            REVIEW,
            S.APPROVED,
            "is_chair",
            "application.approve",
            label=_("Approve"),
            verb=_("approved"),
            offered=False,
            refused=_("Only the chair records the decision."),
        ),
        Transition(
            "decline",
            REVIEW,
            S.REJECTED,
            "is_chair",
            "application.reject",
            label=_("Reject"),
            text="reason",
            text_field="state_reason",
            verb=_("rejected"),
            guard=never_active,
            guard_message=_("An amendment that is turned down leaves the project as it was."),
            offered=False,
            refused=_("Only the chair records the decision."),
        ),
        Transition(
            "decline-amendment",
            REVIEW,
            S.ACTIVE,
            "is_chair",
            "application.amendment_reject",
            label=_("Turn down the amendment"),
            text="reason",
            verb=_("turned down"),
            guard=has_been_active,
            guard_message=_("Only an amendment of an active project is turned down."),
            offered=False,
            refused=_("Only the chair records the decision."),
        ),
        Transition(
            "activate",
            (S.APPROVED,),
            S.ACTIVE,
            "may_view",
            "application.activate",
            verb=_("activated"),
            offered=False,
        ),
        Transition(
            "amend",
            (S.ACTIVE,),
            S.REVISION_REQUESTED,
            "is_applicant",
            "application.amend",
            label=_("Ask for an amendment"),
            text="reason",
            text_label=_("What the amendment changes and why"),
            text_help=_(
                "The amendment goes to the committee as a new version; the project keeps its "
                "approved terms until the committee decides."
            ),
            text_field="state_reason",
            verb=_("amended"),
            refused=_("Only the applicant may amend."),
        ),
        Transition(
            "suspend",
            (S.ACTIVE, *AMENDMENT),
            S.SUSPENDED,
            "is_chair",
            "application.suspend",
            label=_("Suspend the project"),
            text="reason",
            text_label=_("Reason for the suspension"),
            text_field="state_reason",
            guard=live_project,
            guard_message=_("Only a project that has been active can be suspended."),
            verb=_("suspended"),
            irreversible=True,
            consequence=_(
                "Access to the data pauses at once; only the chair can reinstate the project."
            ),
            refused=_("Only the chair may suspend."),
        ),
        Transition(
            "reinstate",
            (S.SUSPENDED,),
            S.ACTIVE,
            "is_chair",
            "application.reinstate",
            label=_("Reinstate the project"),
            verb=_("reinstated"),
            refused=_("Only the chair may reinstate."),
        ),
        Transition(
            "revoke",
            PROJECT_LIVE,
            S.REVOKED,
            "is_chair",
            "application.revoke",
            label=_("Revoke access"),
            text="reason",
            text_label=_("Reason for the revocation"),
            text_help=_("Access ends for good."),
            text_field="state_reason",
            guard=live_project,
            guard_message=_("Only a project that has been active can be revoked."),
            verb=_("revoked"),
            irreversible=True,
            consequence=_("Access to the data ends for good; the project cannot be reinstated."),
            refused=_("Only the chair may revoke."),
        ),
        Transition(
            "close",
            PROJECT_LIVE,
            S.CLOSED,
            "may_close",
            "application.close",
            label=_("Close the project"),
            text="final_report",
            text_label=_("Final report"),
            text_help=_("What the project did and found, and what happened to the data."),
            text_field="final_report",
            text_audited=False,
            guard=live_project,
            guard_message=_("Only a project that has been active is closed."),
            verb=_("closed"),
            irreversible=True,
            consequence=_("Access to the data ends and the project is closed for good."),
            refused=_("You may not close this project."),
        ),
        Transition(
            "expire",
            (S.ACTIVE, S.SUSPENDED),
            S.CLOSED,
            "nobody",
            "application.expire",
            verb=_("expired"),
            offered=False,
        ),
        # Not a change of state: a new draft is made from a finished application.
        Transition(
            "copy",
            (S.REJECTED, S.CLOSED),
            "",
            "may_copy",
            "application.copy",
            label=_("Copy as a new draft"),
            verb=_("copied"),
            refused=_("Only the applicant may copy an application."),
        ),
    ],
    waits={
        S.DRAFT: (_("Completion and submission"), _("the applicant")),
        S.SUBMITTED: (_("Screening"), _("the secretariat")),
        S.REVISION_REQUESTED: (_("A revised version"), _("the applicant")),
        S.IN_REVIEW: (_("Assessment by the reviewers"), _("the review committee")),
        S.AWAITING_DECISION: (_("The decision"), _("the chair")),
        S.APPROVED: _approved_waits,
        S.ACTIVE: (_("Nothing: the project is active"), ""),
        S.SUSPENDED: (_("Reinstatement or revocation"), _("the chair")),
        S.REJECTED: (_("Nothing: the application is closed"), ""),
        S.WITHDRAWN: (_("Nothing: the application is closed"), ""),
        S.REVOKED: (_("Nothing: the application is closed"), ""),
        S.CLOSED: (_("Nothing: the application is closed"), ""),
    },
)


# The application states in which a custodian decides on a pending request: filed, and not
# ended.
REQUEST_OPEN_STATES = tuple(s for s in S.values if s != S.DRAFT and s not in TERMINAL)


def _request_open(dataset_request) -> bool:
    return dataset_request.application.state in REQUEST_OPEN_STATES


def _request_closed_message(dataset_request) -> str:
    return _("No decision can be made while the application is %(state)s.") % {
        "state": dataset_request.application.get_state_display().lower()
    }


def _lock_request(dataset_request):
    # The application first, as every application service does, so a decision cannot land on
    # an application that is being withdrawn at the same moment.
    _lock_application(Application(pk=dataset_request.application_id))
    return (
        DatasetRequest.objects.select_for_update(of=("self",))
        .select_related("dataset__custodian", "application")
        .get(pk=dataset_request.pk)
    )


# A granted request's access follows its project: the project's move (key) moves the request
# (value: the request's move, its sources, its target, the verb). Made only by the project's
# services, inside the project's transaction, by whoever may make the project's move.
ACCESS_FOLLOWS_PROJECT = {
    "suspend": ("suspend-access", (R.GRANTED,), R.SUSPENDED, _("suspended")),
    "reinstate": ("restore-access", (R.SUSPENDED,), R.GRANTED, _("restored")),
    "revoke": ("revoke-access", (R.GRANTED, R.SUSPENDED), R.REVOKED, _("revoked")),
    "close": ("end-access", (R.GRANTED, R.SUSPENDED), R.ENDED, _("ended")),
    "expire": ("expire-access", (R.GRANTED, R.SUSPENDED), R.EXPIRED, _("expired")),
}


def _follows(project_move: str):
    """Who may move a request's access: whoever may make the project's move."""

    def allowed(user, dataset_request) -> bool:
        return APPLICATION.may_actor(project_move, user, dataset_request.application)

    allowed.__name__ = f"may_{project_move}_project"
    return allowed


DATASET_REQUEST = StateMachine(
    name=str(_("dataset request")),
    permissions="applications.permissions",
    locker=_lock_request,
    state_message=_("This request was already %(state)s."),
    transitions=[
        Transition(
            "grant",
            (R.PENDING,),
            R.GRANTED,
            "can_decide_dataset_request",
            "dataset_request.grant",
            label=_("Grant access"),
            verb=_("granted"),
            guard=_request_open,
            guard_message=_request_closed_message,
            refused=_("Only the dataset's custodian may decide on this request."),
        ),
        Transition(
            "decline",
            (R.PENDING,),
            R.DECLINED,
            "can_decide_dataset_request",
            "dataset_request.decline",
            label=_("Decline access"),
            text="reason",
            text_label=_("Reasons for declining"),
            text_field="decision_reason",
            verb=_("declined"),
            guard=_request_open,
            guard_message=_request_closed_message,
            refused=_("Only the dataset's custodian may decide on this request."),
        ),
        *(
            Transition(
                move,
                sources,
                target,
                _follows(project_move),
                "dataset_request.access",
                verb=verb,
                offered=False,
            )
            for project_move, (move, sources, target, verb) in ACCESS_FOLLOWS_PROJECT.items()
        ),
    ],
)
