"""Every change to an application, its dataset requests, team and attachments.

Each service runs in one transaction: it locks the row, checks the actor's permission and the
current state, changes it, and writes an audit event; notifications leave after commit.

The moves and who may make them are declared once in ``applications/rules.py``.

Amendment of an active project (``application_amend``) reopens the content for editing by
moving the project from ``active`` to ``revision_requested`` (no new state): the applicant adds
or removes datasets or extends the end date, then resubmits as version n+1, which goes through
screening, assignment, votes and a committee decision of its own. The project keeps its register
entry and its last approved terms meanwhile; approval re-activates it, a rejection of the
amendment returns it to active unchanged.
"""

from .acknowledgements import (
    consent_conflict_acknowledge,
    require_acknowledged,
    unacknowledged_conflicts,
)
from .conversation import message_post
from .custodians import dataset_request_decline, dataset_request_grant
from .drafting import (
    application_attachment_add,
    application_attachment_remove,
    application_create,
    application_dataset_add,
    application_dataset_remove,
    application_team_member_add,
    application_team_member_remove,
    application_update_draft,
)
from .project import (
    application_amend,
    application_close,
    application_copy,
    application_expire_due,
    application_reinstate,
    application_revoke,
    application_suspend,
)
from .team import (
    application_member_accept,
    application_member_accept_new_account,
    application_member_invite,
    application_member_remove,
    application_member_revoke,
    application_member_set_role,
)
from .workflow import (
    application_accept,
    application_approve,
    application_decline,
    application_mark_awaiting_decision,
    application_reject,
    application_request_revision,
    application_submit,
    application_try_activate,
    application_withdraw,
    submission_problems,
)

# The service that runs each offered move of the rulebook (``rules.APPLICATION``), for the HTML
# buttons and the API actions; the text a move needs is passed under the move's ``text`` name.
TRANSITION_SERVICES = {
    "submit": application_submit,
    "withdraw": application_withdraw,
    "accept": application_accept,
    "request-revision": application_request_revision,
    "reject": application_reject,
    "await-decision": application_mark_awaiting_decision,
    "amend": application_amend,
    "suspend": application_suspend,
    "reinstate": application_reinstate,
    "revoke": application_revoke,
    "close": application_close,
    "copy": application_copy,
}

__all__ = [
    "TRANSITION_SERVICES",
    "application_accept",
    "application_amend",
    "application_approve",
    "application_attachment_add",
    "application_attachment_remove",
    "application_close",
    "application_copy",
    "application_create",
    "application_dataset_add",
    "application_dataset_remove",
    "application_decline",
    "application_expire_due",
    "application_mark_awaiting_decision",
    "application_member_accept",
    "application_member_accept_new_account",
    "application_member_invite",
    "application_member_remove",
    "application_member_revoke",
    "application_member_set_role",
    "application_reinstate",
    "application_reject",
    "application_request_revision",
    "application_revoke",
    "application_submit",
    "application_suspend",
    "application_team_member_add",
    "application_team_member_remove",
    "application_try_activate",
    "application_update_draft",
    "application_withdraw",
    "consent_conflict_acknowledge",
    "dataset_request_decline",
    "dataset_request_grant",
    "message_post",
    "require_acknowledged",
    "submission_problems",
    "unacknowledged_conflicts",
]
