"""Who may see and do what with applications and dataset requests.

Who may make a move (the predicates without a state: ``is_applicant``, ``is_chair``, …) lives
here; whether the move is allowed now (the states) lives in ``rules.py``. The ``can_*`` names
ask the rulebook, so the HTML, the API and the services give the same answer.
"""

from rest_framework.permissions import BasePermission

from solidarity.accounts.roles import Role, has_role
from solidarity.catalog.permissions import can_manage_dataset

from . import rules

EDITABLE_STATES = rules.EDITABLE
# Roles that see every application once it has been submitted.
OVERSIGHT_ROLES = (Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


# ---- who (no state) ---------------------------------------------------------------------


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_applicant(user, application) -> bool:
    return _signed_in(user) and application.applicant_id == user.pk


def team_role(user, application) -> str | None:
    """The user's place in the application's team: ``"applicant"``, ``"editor"``,
    ``"viewer"`` (accepted co-applicants) or None. One query, remembered on the object."""
    if not _signed_in(user):
        return None
    if is_applicant(user, application):
        return "applicant"
    cache = application.__dict__.setdefault("_team_roles", {})
    if user.pk not in cache:
        from .team import ApplicationMember, MemberState

        cache[user.pk] = (
            ApplicationMember.objects.filter(
                application_id=application.pk, user_id=user.pk, state=MemberState.ACCEPTED
            )
            .values_list("role", flat=True)
            .first()
        )
    return cache[user.pk]


def is_team_member(user, application) -> bool:
    """The applicant or an accepted co-applicant (editor or viewer)."""
    return team_role(user, application) is not None


def may_edit(user, application) -> bool:
    """The applicant and co-applicants with the editor role write the content."""
    return team_role(user, application) in ("applicant", "editor")


def is_screener(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, Role.SECRETARIAT)


def is_secretariat_or_chair(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, Role.SECRETARIAT, Role.CHAIR)


def is_chair(user, application=None) -> bool:
    return _signed_in(user) and has_role(user, Role.CHAIR)


def may_close(user, application) -> bool:
    return is_applicant(user, application) or is_secretariat_or_chair(user)


def may_copy(user, application) -> bool:
    return is_applicant(user, application) and has_role(user, Role.RESEARCHER)


def may_view(user, application) -> bool:
    return can_view_application(user, application)


def nobody(user, application) -> bool:
    """Moves only the system makes (the beat's expiry)."""
    return False


# ---- what (who and state, read from the rulebook) ---------------------------------------


def can_create_application(user) -> bool:
    return _signed_in(user) and has_role(user, Role.RESEARCHER)


def can_view_application(user, application) -> bool:
    """True when the application is among those the user may see (see the selector)."""
    if not _signed_in(user):
        return False
    if is_applicant(user, application):
        return True
    from .selectors import applications_visible_to

    return applications_visible_to(user).filter(pk=application.pk).exists()


def can_edit_application(user, application) -> bool:
    """The content may change only in a draft or while a revision is requested, by the
    applicant or an editor; only the applicant submits (``can_submit``)."""
    return application.state in EDITABLE_STATES and may_edit(user, application)


def can_manage_team(user, application) -> bool:
    """The applicant invites, revokes and removes co-applicants, until the application ends."""
    return is_applicant(user, application) and application.state not in rules.TERMINAL


def can_leave_team(user, member) -> bool:
    return _signed_in(user) and member.user_id == user.pk


class ConversationAccess:
    """What one person may do in an application's conversation."""

    def __init__(
        self,
        *,
        read_public=False,
        read_committee=False,
        post_public=False,
        post_committee=False,
        answer_revision=False,
    ):
        self.read_public = read_public
        self.read_committee = read_committee
        self.post_public = post_public
        self.post_committee = post_committee
        self.answer_revision = answer_revision

    @property
    def reads(self) -> bool:
        return self.read_public or self.read_committee

    @property
    def posts(self) -> bool:
        return self.post_public or self.post_committee

    def visibilities(self) -> list[str]:
        return [
            v for v, ok in (("public", self.read_public), ("committee", self.read_committee)) if ok
        ]


def conversation_access(user, application) -> ConversationAccess:
    """Who reads and writes the conversation (one place for the HTML, the API and services).

    The applicant's team reads the public messages; the applicant and editors write them and
    answer a revision request. The secretariat and the chair read and write everything; the
    auditor reads everything. An assigned reviewer reads the public messages, and the
    committee-only discussion only after filing their own assessment (blind filing); a recused
    reviewer reads nothing. Everyone else (custodians, officers) reads nothing here."""
    if not _signed_in(user):
        return ConversationAccess()
    role = team_role(user, application)
    if role is not None:
        writes = role in ("applicant", "editor") and application.state not in rules.TERMINAL
        return ConversationAccess(
            read_public=True,
            post_public=writes,
            answer_revision=writes and application.state == rules.S.REVISION_REQUESTED,
        )
    if application.state == rules.S.DRAFT:
        return ConversationAccess()
    if has_role(user, Role.SECRETARIAT, Role.CHAIR):
        return ConversationAccess(
            read_public=True, read_committee=True, post_public=True, post_committee=True
        )
    if has_role(user, Role.AUDITOR):
        return ConversationAccess(read_public=True, read_committee=True)
    from .conversation import reviewer_standing

    standing = reviewer_standing(user, application)
    if standing == "filed":
        return ConversationAccess(read_public=True, read_committee=True, post_committee=True)
    if standing == "pending":
        return ConversationAccess(read_public=True)
    return ConversationAccess()


def can_submit(user, application) -> bool:
    return rules.APPLICATION.allows("submit", user, application)


def can_withdraw(user, application) -> bool:
    return rules.APPLICATION.allows("withdraw", user, application)


def can_screen(user) -> bool:
    """Screening a submission: accept into review, request a revision, reject as out of scope."""
    return is_screener(user)


def can_see_queue(user) -> bool:
    return _signed_in(user) and has_role(user, Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR)


def can_request_revision(user, application) -> bool:
    return rules.APPLICATION.allows("request-revision", user, application)


def can_accept(user, application) -> bool:
    return rules.APPLICATION.allows("accept", user, application)


def can_reject(user, application) -> bool:
    """At screening only; after screening the committee's decision rejects."""
    return rules.APPLICATION.allows("reject", user, application)


def can_mark_awaiting_decision(user, application) -> bool:
    return rules.APPLICATION.allows("await-decision", user, application)


def can_decide(user) -> bool:
    return is_chair(user)


def can_govern_project(user, application) -> bool:
    """Suspend, reinstate, revoke: the chair."""
    return is_chair(user)


def can_close(user, application) -> bool:
    return rules.APPLICATION.allows("close", user, application)


def can_copy(user, application) -> bool:
    return rules.APPLICATION.allows("copy", user, application)


def can_amend(user, application) -> bool:
    return rules.APPLICATION.allows("amend", user, application)


def can_decide_dataset_request(user, dataset_request) -> bool:
    """Only a member of the dataset's custodian organisation decides, never another one."""
    return can_manage_dataset(user, dataset_request.dataset)


def dataset_request_open_for_decision(dataset_request) -> bool:
    return rules.DATASET_REQUEST.in_source_state("grant", dataset_request)


class CanUseApplications(BasePermission):
    """Signed-in users; object access is narrowed by the selectors and checked by services."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        application = getattr(obj, "application", obj)
        return can_view_application(request.user, application)
