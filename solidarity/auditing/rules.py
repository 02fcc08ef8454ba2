"""The rulebook of report jobs (see ``solidarity/transitions.py``): declared once, read by the
report services, the report pages and the tests.

The worker moves a job (start, build, fail) as the system; the requester may only have a
failed report built again, as a new job (the failed one stays as it is).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from solidarity.transitions import StateMachine, Transition

from .models import ReportJob

J = ReportJob.State
# States in which the worker has still something to do (the status page keeps polling).
UNFINISHED = (J.QUEUED, J.RUNNING)


def is_requester(user, job) -> bool:
    return bool(user and user.is_authenticated) and job.requested_by_id == user.pk


def nobody(user, job) -> bool:
    """Moves only the worker makes."""
    return False


def claimable(job) -> bool:
    """Queued, or running under a lease that expired (its worker died)."""
    return job.state == J.QUEUED or (
        job.lease_expires_at is not None and job.lease_expires_at < timezone.now()
    )


REPORT_JOB = StateMachine(
    name=str(pgettext_lazy("generated document", "report")),
    state_message=_("A report that is %(state)s cannot be %(verb)s."),
    transitions=[
        Transition(
            "start",
            UNFINISHED,
            J.RUNNING,
            nobody,
            "report.start",
            verb=_("started"),
            guard=claimable,
            guard_message=_("This report is being built."),
            offered=False,
        ),
        Transition(
            "build",
            (J.RUNNING,),
            J.DONE,
            nobody,
            "report.build",
            verb=_("built"),
            offered=False,
        ),
        Transition(
            "fail",
            (J.RUNNING,),
            J.FAILED,
            nobody,
            "report.fail",
            verb=_("failed"),
            offered=False,
        ),
        # Not a change of state: a new job is requested with the same parameters.
        Transition(
            "rebuild",
            (J.FAILED,),
            "",
            is_requester,
            "report.request",
            label=_("Build it again"),
            verb=_("built again"),
            refused=_("You may only rebuild your own reports."),
        ),
    ],
    waits={
        J.QUEUED: (_("A worker to build the report"), _("the system")),
        J.RUNNING: (_("The build to finish"), _("the system")),
        J.DONE: (_("Nothing: the report is ready"), ""),
        J.FAILED: (_("Nothing: build it again"), _("the requester")),
    },
)
