"""Read queries for applications: only what the user may see, in a fixed number of queries."""

import datetime
import functools

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from guardian.models import GroupObjectPermission, UserObjectPermission

from solidarity.accounts.roles import Role
from solidarity.audit.models import AuditEvent
from solidarity.catalog.selectors import datasets_managed_by
from solidarity.search import search_terms, text_search

from . import rules
from .consent import ConsentConflict, conflicts_for
from .models import (
    Application,
    ApplicationMember,
    ApplicationState,
    ApplicationVersion,
    DatasetRequest,
)
from .team import MemberState

S = ApplicationState
# The roles that see every application but the drafts.
_SEE_ALL_FILED = frozenset({Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR})


def _visibility(user, *, as_custodian: bool = True, via: str = "") -> Q | None:
    """The condition that selects the applications ``user`` may see (None: nothing).

    ``via`` names the relation from another model to the application (``"application__"``),
    so that a list of related rows filters its own join rather than ``IN`` a sub-query of
    every visible application, which would defeat the list's index.
    """
    if not user.is_authenticated:
        return None
    roles = user.roles
    pk = f"{via}id" if via else "pk"
    condition = Q(**{f"{via}applicant": user})
    # Accepted co-applicants (a revoked invitation or a removed member sees nothing).
    condition |= Exists(
        ApplicationMember.objects.filter(
            application_id=OuterRef(pk), user_id=user.pk, state=MemberState.ACCEPTED
        )
    )
    if roles & _SEE_ALL_FILED:
        condition |= ~Q(**{f"{via}state": S.DRAFT})
    if as_custodian and Role.CUSTODIAN in roles:
        managed = datasets_managed_by(user).values("pk")
        condition |= Q(
            ~Q(**{f"{via}state": S.DRAFT}),
            Exists(DatasetRequest.objects.filter(application=OuterRef(pk), dataset__in=managed)),
        )
    if roles & {Role.HARM_OFFICER, Role.BENEFIT_OFFICER}:
        condition |= rules.public_q(via)
    condition |= Q(**{f"{pk}__in": _granted_ids(user, "user")})
    condition |= Q(**{f"{pk}__in": _granted_ids(user, "group")})
    return condition


def _granted_ids(user, holder: str):
    """Ids of applications on which the user (or one of their groups) holds
    ``view_application_object``: guardian's rows read directly, without the extra pass over
    the applications table that ``get_objects_for_user`` adds."""
    model = UserObjectPermission if holder == "user" else GroupObjectPermission
    whose = {"user": user} if holder == "user" else {"group__user": user}
    return (
        model.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            permission__codename="view_application_object",
            **whose,
        )
        .annotate(object_id=Cast("object_pk", BigIntegerField()))
        .values("object_id")
    )


def applications_visible_to(user) -> QuerySet:
    """Every application the user may see: their own and those whose team they joined; all
    submitted ones for the secretariat, the chair and the auditor; those requesting their
    datasets for custodians; approved and later ones for harm and benefit officers; any on
    which they hold ``view_application_object`` (the reviews app grants it to reviewers)."""
    condition = _visibility(user)
    if condition is None:
        return Application.objects.none()
    return Application.objects.filter(condition)


def _personal_draft_ids(user) -> list[int]:
    """The drafts the user may see in person: their own, those whose team they joined, those
    on which they (or a group of theirs) hold ``view_application_object``. Read from the
    user's side (a union of four index reads), so that the drafts of others are never
    scanned."""
    own = Application.objects.filter(applicant_id=user.pk).order_by().values("pk")
    joined = (
        ApplicationMember.objects.filter(user_id=user.pk, state=MemberState.ACCEPTED)
        .order_by()
        .values("application_id")
    )
    granted = [_granted_ids(user, holder).order_by() for holder in ("user", "group")]
    ways = own.union(joined, *granted, all=True)
    return list(
        Application.objects.filter(state=S.DRAFT, pk__in=ways)
        .order_by()
        .values_list("pk", flat=True)
    )


def applications_listed_for(user) -> QuerySet:
    """``applications_visible_to`` for a list of them, the same rows. The secretariat, the
    chair and the auditor see every application but the drafts, and the drafts that are
    theirs in person: those few ids are read first, and the list and its count are a
    plain condition on the state, which the state's indexes serve and which costs nothing to
    build twice (the whole visibility condition was built and compiled for the count and
    again for the page: half the CPU of the API's list)."""
    if not (user.is_authenticated and user.roles & _SEE_ALL_FILED):
        return applications_visible_to(user)
    condition = ~Q(state=S.DRAFT)
    drafts = _personal_draft_ids(user)
    if drafts:
        condition |= Q(pk__in=drafts)
    return Application.objects.filter(condition)


# What the SQLite fallback searches: the fields of the PostgreSQL vector (migration 0010).
_PUBLIC_TEXT = (
    "reference",
    "title",
    "lay_summary",
    "public_benefit",
    "organisation__name",
    "dataset_requests__dataset__title",
    "dataset_requests__dataset__custodian__name",
)


def application_search(qs: QuerySet, q, *, public_only: bool = False) -> QuerySet:
    """Applications of ``qs`` (already limited to what the user may see) matching the words
    ``q`` in reference, title, summaries, organisation and requested datasets, best first.
    ``public_only`` searches only what the public register shows (no scientific summary)."""
    if public_only:
        # A project under amendment keeps its register entry with the terms last approved;
        # its row holds the amended text, not yet public: only its organisation and datasets
        # (weight C) find it, or its reference typed in full.
        amending = Q(state__in=rules.AMENDMENT, activated_at__isnull=False)
        return text_search(
            qs,
            q,
            weights="ABC",
            fallback=_PUBLIC_TEXT,
            narrow=(amending, "C", _PUBLIC_TEXT[4:]),
            also=Q(reference__iexact=search_terms(q)),
        )
    return text_search(qs, q, fallback=(*_PUBLIC_TEXT, "scientific_summary"))


def _request_count(**conditions):
    """A correlated COUNT of the row's dataset requests: computed for the page's rows only,
    so the list is ordered and cut by its index before anything is counted."""
    return Coalesce(
        Subquery(
            DatasetRequest.objects.filter(application_id=OuterRef("pk"), **conditions)
            .order_by()
            .values("application_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


@functools.cache
def _list_counts() -> dict:
    """The three counts of a list row, built once per process: an expression is copied
    whenever a query takes it, never changed, and building the three sub-queries cost a
    list page more than a millisecond of CPU on every request."""
    return {
        "datasets_total": _request_count(),
        "datasets_pending": _request_count(state=DatasetRequest.State.PENDING),
        "datasets_declined": _request_count(state=DatasetRequest.State.DECLINED),
    }


def with_list_data(qs: QuerySet) -> QuerySet:
    """What a list row shows: applicant, organisation, and counts of dataset decisions."""
    return qs.select_related("applicant", "organisation").annotate(**_list_counts())


# The columns a list row of applications reads (its template, ``awaited``, the state label):
# a list view narrows its query to them, and leaves out the summaries, the answers and the
# search vector that only the detail page needs.
ROW_FIELDS = (
    "id",
    "reference",
    "state",
    "title",
    "submitted_at",
    "activated_at",
    "updated_at",
    "applicant__username",
    "applicant__first_name",
    "applicant__last_name",
    "applicant__display_name",
    "organisation__name",
)


def application_detail(user, pk) -> Application:
    """One application with everything its page shows, or 404 for those who may not see it."""
    qs = applications_visible_to(user).select_related("applicant", "organisation", "copied_from")
    qs = qs.prefetch_related(
        "team",
        "attachments",
        Prefetch(
            "dataset_requests",
            queryset=DatasetRequest.objects.select_related("dataset__custodian", "decided_by"),
        ),
        Prefetch(
            "versions",
            queryset=ApplicationVersion.objects.only(
                "id", "application_id", "number", "created_at", "created_by_id"
            ),
        ),
    )
    application = qs.filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def my_applications(user) -> QuerySet:
    """The user's own applications and those whose team they joined, newest first, with what
    the list shows.

    The two ways in are a UNION of two index reads (the applicant's index, the accepted
    members' index), not an OR with an EXISTS: an OR holding a sub-query can use no index, so
    the page and its count read the whole table (0.3 s at 100,000 applications)."""
    own = Application.objects.filter(applicant_id=user.pk).order_by().values("pk")
    joined = (
        ApplicationMember.objects.filter(user_id=user.pk, state=MemberState.ACCEPTED)
        .order_by()
        .values("application_id")
    )
    mine = Application.objects.filter(pk__in=own.union(joined, all=True))
    return with_list_data(mine).order_by("-updated_at", "-id")


def _submitted_visible_to(user) -> QuerySet:
    """The submitted (not draft) applications the user may see. The secretariat, the chair
    and the auditor see every one of them: their lists need no visibility condition (the
    same rows, a shorter query to build and to plan)."""
    if user.is_authenticated and user.roles & _SEE_ALL_FILED:
        return Application.objects.exclude(state=S.DRAFT)
    return applications_visible_to(user).exclude(state=S.DRAFT)


QUEUE_SORTS = {
    "submitted": "submitted_at",
    "-submitted": "-submitted_at",
    "reference": "reference",
    "-reference": "-reference",
    "title": "title",
    "-title": "-title",
    "state": "state",
    "-state": "-state",
}
QUEUE_STATES = list(rules.QUEUE_STATES)


def application_queue(
    user,
    *,
    state: str = "",
    dataset=None,
    custodian=None,
    older_than_days: int | None = None,
    sort: str = "submitted",
    today: datetime.date | None = None,
    q: str = "",
) -> QuerySet:
    """Submitted applications for the secretariat's queue (by default those not yet decided),
    filtered by state, requested dataset, custodian organisation, age and words (``q``: best
    match first), sorted."""
    qs = _submitted_visible_to(user)
    if state == "all":
        pass
    elif state:
        qs = qs.filter(state=state)
    else:
        qs = qs.filter(state__in=QUEUE_STATES)
    if dataset:
        qs = qs.filter(
            Exists(DatasetRequest.objects.filter(application=OuterRef("pk"), dataset=dataset))
        )
    if custodian:
        qs = qs.filter(
            Exists(
                DatasetRequest.objects.filter(
                    application=OuterRef("pk"), dataset__custodian=custodian
                )
            )
        )
    if older_than_days is not None:
        now = timezone.now()
        qs = qs.filter(submitted_at__lte=now - datetime.timedelta(days=older_than_days))
    qs = with_list_data(qs).order_by(QUEUE_SORTS.get(sort, "submitted_at"), "id")
    return application_search(qs, q)


def queue_counts(user) -> dict[str, int]:
    """How many applications wait in each screening state (one query). ``COUNT(*)``, not of
    the id: the state index alone answers it (an index-only scan), where counting ids read
    every row of the table (0.1 s at 100,000 applications)."""
    rows = (
        _submitted_visible_to(user)
        .filter(state__in=QUEUE_STATES)
        .values("state")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts = {state: 0 for state in QUEUE_STATES}
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def queue_total(counts: dict[str, int], *, state: str = "", narrowed: bool = False) -> int | None:
    """How many rows ``application_queue`` gives for ``state`` when the page's ``counts``
    already tell it (no other filter): the default queue or one screening state. None when
    other filters narrow the list, or for a state outside the queue: the list is counted."""
    if narrowed or state == "all":
        return None
    if not state:
        return sum(counts.values())
    return counts.get(state)


def custodian_requests(user, *, state: str = "") -> QuerySet:
    """Dataset requests for the datasets this custodian manages, on submitted applications,
    by decision state, then newest submission. Whether the application has left the draft and
    when it was submitted are the request's own copies of its application's (kept by
    triggers): the order and the count are read from the request table's indexes, where the
    application's columns made PostgreSQL join and sort every request of the custodian.

    The managed datasets are read first (a handful of ids): given as a sub-query, PostgreSQL
    guessed that most datasets were the custodian's and counted the page's total by reading
    every application."""
    managed = list(datasets_managed_by(user).order_by().values_list("pk", flat=True))
    qs = (
        DatasetRequest.objects.filter(dataset__in=managed, application_filed=True)
        .select_related("application__applicant", "application__organisation", "dataset__custodian")
        .order_by("state", "-application_submitted_at", "id")
    )
    if state:
        qs = qs.filter(state=state)
    return qs


def dataset_requests_visible_to(user) -> QuerySet:
    """Dataset requests the user may see: a custodian sees the requests for its own datasets
    (not other organisations'), unless it sees the whole application by another right."""
    if user.is_authenticated and user.roles & _SEE_ALL_FILED:
        # Every filed application's requests, and those of the user's own drafts: the
        # request's copy of its application's filing (kept by triggers) and a few ids, where
        # the whole visibility condition joined every application for the bounded count.
        visible = Q(application_filed=True)
        drafts = _personal_draft_ids(user)
        if drafts:
            visible |= Q(application_id__in=drafts)
        return _dataset_request_list(visible)
    visible = _visibility(user, as_custodian=False, via="application__")
    if visible is None:
        return DatasetRequest.objects.none()
    if Role.CUSTODIAN in user.roles:
        visible |= Q(
            ~Q(application__state=S.DRAFT), dataset__in=datasets_managed_by(user).values("pk")
        )
    return _dataset_request_list(visible)


def _dataset_request_list(visible: Q) -> QuerySet:
    return (
        DatasetRequest.objects.filter(visible)
        .select_related("dataset__custodian", "application", "decided_by")
        .order_by(F("application__submitted_at").desc(nulls_last=True), "-application_id", "id")
    )


def dataset_request_detail(user, pk) -> DatasetRequest:
    request = dataset_requests_visible_to(user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def consent_conflicts(application) -> list[ConsentConflict]:
    """Each conflict between the stated research purpose and a requested dataset's consent:
    the dataset, the DUO term and a plain message (uses prefetched requests where present)."""
    team = list(application.team.all())
    requests = application.dataset_requests.all()
    if not hasattr(application, "_prefetched_objects_cache") or (
        "dataset_requests" not in application._prefetched_objects_cache
    ):
        requests = requests.select_related("dataset__custodian")
    found: list[ConsentConflict] = []
    for request in requests:
        found.extend(conflicts_for(application, request.dataset, team=team))
    return found


EVENT_LABELS = {
    "application.create": _lazy("Draft created"),
    "application.update": _lazy("Draft edited"),
    "application.add_team_member": _lazy("Team member added"),
    "application.member_invite": _lazy("Co-applicant invited"),
    "application.member_accept": _lazy("Co-applicant joined"),
    "application.member_revoke": _lazy("Invitation revoked"),
    "application.member_remove": _lazy("Co-applicant removed"),
    "application.member_leave": _lazy("Co-applicant left the team"),
    "application.member_role": _lazy("Co-applicant's role changed"),
    "application.remove_team_member": _lazy("Team member removed"),
    "application.add_dataset": _lazy("Dataset requested"),
    "application.remove_dataset": _lazy("Dataset request removed"),
    "application.add_attachment": _lazy("Document attached"),
    "application.remove_attachment": _lazy("Document removed"),
    "application.submit": _lazy("Submitted"),
    "application.request_revision": _lazy("Revision requested"),
    "application.accept": _lazy("Accepted into review"),
    "application.reject": _lazy("Rejected"),
    "application.withdraw": _lazy("Withdrawn"),
    "application.await_decision": _lazy("Put forward for decision"),
    "application.approve": _lazy("Approved"),
    "application.activate": _lazy("Project active"),
    "application.suspend": _lazy("Suspended"),
    "application.reinstate": _lazy("Reinstated"),
    "application.revoke": _lazy("Revoked"),
    "application.close": _lazy("Closed"),
    "application.expire": _lazy("Closed: access expired"),
    "application.expiry_warning": _lazy("Expiry warning sent"),
    "application.copy": _lazy("Copied from an earlier application"),
    "application.amend": _lazy("Amendment opened"),
    "dataset_request.grant": _lazy("Custodian granted a dataset"),
    "dataset_request.decline": _lazy("Custodian declined a dataset"),
}


def application_timeline(application) -> list[AuditEvent]:
    """The audit events of the application and of its dataset requests, oldest first, each
    with a readable ``label``."""
    request_ids = [str(r.pk) for r in application.dataset_requests.all()]
    events = list(
        AuditEvent.objects.filter(
            Q(target_type="applications.application", target_id=str(application.pk))
            | Q(target_type="applications.datasetrequest", target_id__in=request_ids)
        )
        .select_related("actor")
        .order_by("id")
    )
    states = {**dict(DatasetRequest.State.choices), **dict(ApplicationState.choices)}
    grouped: list[AuditEvent] = []
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.from_label = states.get(event.from_state, event.from_state)
        event.to_label = states.get(event.to_state, event.to_state)
        event.count, event.last_at = 1, event.created_at
        previous = grouped[-1] if grouped else None
        # One sitting of edits is one entry: consecutive saves of the draft by one person.
        if (
            previous is not None
            and event.action == previous.action == "application.update"
            and event.actor_label == previous.actor_label
        ):
            previous.count += 1
            previous.last_at = event.created_at
            continue
        grouped.append(event)
    return grouped


def awaited(application) -> tuple[str, str]:
    """What the application waits for, and from whom, for list rows (no extra queries when
    the list annotations are present): the rulebook's text for its state."""
    what, who = rules.APPLICATION.awaited(application)
    if rules.under_amendment(application):
        what = _("Amendment: %(what)s") % {"what": what}
    return what, who


def approved_terms(applications) -> dict[int, dict]:
    """For projects under amendment, the content of the version last approved (their terms
    until the committee decides the amendment), by application id, in one query."""
    wanted = {
        a.pk: a.approved_version
        for a in applications
        if rules.under_amendment(a) and a.approved_version
    }
    if not wanted:
        return {}
    q = Q()
    for pk, number in wanted.items():
        q |= Q(application_id=pk, number=number)
    return {v.application_id: v.content for v in ApplicationVersion.objects.filter(q)}


def consent_conflicts_with_acknowledgements(application) -> list:
    """The consent conflicts, each with ``acknowledgements``: the committee's and the
    custodian's written reasons so far (one query for them all)."""
    from .models import ConsentAcknowledgement

    conflicts = consent_conflicts(application)
    if not conflicts:
        return []
    by_key: dict = {}
    for ack in ConsentAcknowledgement.objects.filter(application_id=application.pk).select_related(
        "acknowledged_by"
    ):
        by_key.setdefault((ack.dataset_id, ack.term), []).append(ack)
    return [_Acknowledged(c, by_key.get((c.dataset.pk, c.term), [])) for c in conflicts]


class _Acknowledged:
    """A consent conflict with its acknowledgements (the conflict's fields pass through)."""

    def __init__(self, conflict, acknowledgements):
        self._conflict = conflict
        self.acknowledgements = acknowledgements

    def __getattr__(self, name):
        return getattr(self._conflict, name)

    def by(self, party):
        return next((a for a in self.acknowledgements if a.party == party), None)

    @property
    def committee(self):
        return self.by("committee")

    @property
    def custodian(self):
        return self.by("custodian")


def versions_of(application) -> QuerySet:
    return application.versions.select_related("created_by").order_by("number")


def redact_other_custodians_decisions(user, application, requests) -> None:
    """Blank other organisations' decision reasons for a custodian who sees this application
    only as a custodian: each custodian reads its own decisions, not its peers' (in memory)."""
    condition = _visibility(user, as_custodian=False)
    if condition is not None and Application.objects.filter(condition, pk=application.pk).exists():
        return
    managed = set(datasets_managed_by(user).values_list("pk", flat=True))
    for request in requests:
        if request.dataset_id not in managed:
            request.decision_reason = ""
            request.decision_conditions = ""
