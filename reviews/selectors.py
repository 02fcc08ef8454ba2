"""Read queries for the committee's pages and API, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from applications.rules import COMMITTEE_STATES
from applications.selectors import application_search
from solidarity.accounts.roles import Role
from solidarity.pagination import bounded_count

from . import rules, scoring
from .models import (
    SCORE_COLUMNS,
    Assessment,
    AssessmentFramework,
    AssessmentKind,
    Assignment,
    AssignmentState,
    CommitteeFile,
    Condition,
    Decision,
    DecisionOutcome,
    RiskItem,
    Vote,
    VoteChoice,
)

# Declared in the rulebooks (``reviews.rules`` and ``applications.rules``).
OPEN_ASSIGNMENT_STATES = rules.OPEN_ASSIGNMENT
COUNTING_STATES = rules.COUNTING
QUEUE_STATES = COMMITTEE_STATES


def frameworks() -> QuerySet:
    """Every framework with its questions and choices (3 queries)."""
    return AssessmentFramework.objects.prefetch_related("groups__questions__choices").order_by(
        "-is_default", "name", "version"
    )


def default_framework() -> AssessmentFramework | None:
    return frameworks().filter(is_default=True).first()


# ---- the committee's type ----------------------------------------------------------------


@dataclass
class Classification:
    computed_type: str | None
    mean_benefit: float | None
    mean_safety: float | None
    filings: int
    override_type: str = ""
    override_reason: str = ""

    @property
    def effective_type(self) -> str | None:
        return self.override_type or self.computed_type

    @property
    def is_overridden(self) -> bool:
        return bool(self.override_type) and self.override_type != self.computed_type

    @property
    def chair_may_approve_alone(self) -> bool:
        """Only type A is decided by the chair alone, and only when the reviewers' computed
        type is A too: an override (from D, C, B or a mixed result) needs a quorate vote."""
        return self.effective_type == "A" and self.computed_type == "A"

    @property
    def chair_may_reject_alone(self) -> bool:
        """Types A and D are rejected without a vote, unless the chair's type moved away from
        a computed type that would have needed one."""
        alone = ("A", "D")
        return self.effective_type in alone and (
            not self.is_overridden or self.computed_type in alone
        )

    def as_dict(self) -> dict:
        return {
            "computed_type": self.computed_type,
            "mean_benefit": self.mean_benefit,
            "mean_safety": self.mean_safety,
            "filings": self.filings,
            "override_type": self.override_type or None,
            "override_reason": self.override_reason,
            "type": self.effective_type,
        }


def _classify(filed: list[Assessment], committee: CommitteeFile | None) -> Classification:
    return _classify_pairs([a.exact_pair() for a in filed], committee)


def _classify_pairs(
    pairs: list[tuple[Fraction, Fraction]], committee: CommitteeFile | None
) -> Classification:
    mean = scoring.mean_type(pairs)
    return Classification(
        computed_type=mean[2] if mean else None,
        mean_benefit=round(mean[0], 4) if mean else None,
        mean_safety=round(mean[1], 4) if mean else None,
        filings=len(pairs),
        override_type=committee.override_type if committee else "",
        override_reason=committee.override_reason if committee else "",
    )


def filed_reviews(application) -> QuerySet:
    """Filed assessments of non-recused reviewers: the ones the committee counts."""
    return Assessment.objects.filter(
        application_id=application.pk,
        kind=AssessmentKind.REVIEWER,
        filed_at__isnull=False,
        assignment__state=AssignmentState.FILED,
    )


def classification_for(application, *, committee: CommitteeFile | None = None) -> Classification:
    """The mean of the counted reviewers' normalised scores, its type, and the chair's override."""
    if committee is None:
        committee = CommitteeFile.objects.filter(application_id=application.pk).first()
    return _classify(list(filed_reviews(application)), committee)


def significant_risks(application) -> list[RiskItem]:
    """Risks with a residual score of 12 or more in the counted registers."""
    risks = RiskItem.objects.filter(assessment__in=filed_reviews(application)).select_related(
        "assessment"
    )
    return [r for r in risks if r.is_significant]


@dataclass
class Tally:
    approve: int = 0
    approve_with_conditions: int = 0
    reject: int = 0
    abstain: int = 0
    quorum: int = 1
    ignored: int = 0

    @property
    def counted(self) -> int:
        return self.approve + self.approve_with_conditions + self.reject + self.abstain

    @property
    def in_favour(self) -> int:
        return self.approve + self.approve_with_conditions

    @property
    def quorate(self) -> bool:
        return self.counted >= self.quorum


def _eligible_voter_ids(application, assignments) -> set[int]:
    from django.contrib.auth import get_user_model

    chairs = set(
        get_user_model()
        .objects.filter(groups__name=Role.CHAIR, is_active=True)
        .values_list("pk", flat=True)
    )
    recused = {a.reviewer_id for a in assignments if a.state == AssignmentState.RECUSED}
    counting = {a.reviewer_id for a in assignments if a.state in COUNTING_STATES}
    return (chairs - recused) | counting


def _tally(votes: list[Vote], eligible: set[int], quorum: int) -> Tally:
    tally = Tally(quorum=quorum)
    for vote in votes:
        if vote.voter_id not in eligible:
            tally.ignored += 1
        elif vote.choice == VoteChoice.APPROVE:
            tally.approve += 1
        elif vote.choice == VoteChoice.APPROVE_WITH_CONDITIONS:
            tally.approve_with_conditions += 1
        elif vote.choice == VoteChoice.REJECT:
            tally.reject += 1
        else:
            tally.abstain += 1
    return tally


def vote_tally(application, *, quorum: int) -> Tally:
    """The votes of non-recused members; votes of members recused since are ignored."""
    assignments = list(Assignment.objects.filter(application_id=application.pk))
    votes = list(current_round_votes(application.pk))
    return _tally(votes, _eligible_voter_ids(application, assignments), quorum)


def current_round_votes(application_id) -> QuerySet:
    """The votes of the committee's current round (an amendment's decision has its own)."""
    current = CommitteeFile.objects.filter(application_id=application_id).values("round")[:1]
    return Vote.objects.filter(application_id=application_id, round=Subquery(current))


# ---- dashboards --------------------------------------------------------------------------


def assignments_for_reviewer(user) -> QuerySet:
    """The reviewer's open assignments, overdue first, then by due date."""
    today = timezone.localdate()
    return (
        Assignment.objects.filter(reviewer=user, state__in=OPEN_ASSIGNMENT_STATES)
        .select_related("application")
        .annotate(overdue=Q(due_on__lt=today))
        .order_by("-overdue", "due_on", "id")
    )


def reviewer_history(user) -> QuerySet:
    """Everything the reviewer has filed or been recused from, newest first."""
    return (
        Assignment.objects.filter(reviewer=user, state__in=rules.FINISHED)
        .select_related("application", "assessment", "application__committee_file")
        .order_by("-filed_at", "-coi_declared_at", "-id")
    )


@dataclass
class QueueRow:
    application: object
    classification: Classification
    assigned: int
    filed: int
    recused: int


def _count_per_application(model, **conditions):
    """A correlated COUNT per application row, evaluated only for the rows of the page."""
    return Coalesce(
        Subquery(
            model.objects.filter(application_id=OuterRef("pk"), **conditions)
            .order_by()
            .values("application_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def _counted_assessments():
    return Assessment.objects.filter(
        kind=AssessmentKind.REVIEWER,
        filed_at__isnull=False,
        assignment__state=AssignmentState.FILED,
    )


# Below this a mean normalised score counts as zero ("mixed"): the exact means are rationals
# with small denominators, far larger than double-precision rounding when not zero.
_ZERO = 1e-9


def _mean_normalised(axis: str):
    score, low, high = F(f"{axis}_score"), F(f"{axis}_min"), F(f"{axis}_max")
    normalised = Case(
        When(**{f"{axis}_max": low}, then=Value(0.0)),
        default=Cast(score - low, FloatField()) * 2.0 / Cast(high - low, FloatField()) - 1.0,
        output_field=FloatField(),
    )
    return Subquery(
        _counted_assessments()
        .filter(application_id=OuterRef("pk"))
        .order_by()
        .values("application_id")
        .annotate(mean=Avg(normalised))
        .values("mean")[:1],
        output_field=FloatField(),
    )


def _effective_type_sql():
    """The type as ``Classification.effective_type`` gives it, in SQL (for the type filter)."""
    computed = Case(
        When(mean_benefit__isnull=True, then=Value("")),
        When(
            Q(mean_benefit__lt=_ZERO, mean_benefit__gt=-_ZERO)
            | Q(mean_safety__lt=_ZERO, mean_safety__gt=-_ZERO),
            then=Value(scoring.TYPE_MIXED),
        ),
        When(Q(mean_benefit__gt=0, mean_safety__gt=0), then=Value(scoring.TYPE_A)),
        When(Q(mean_benefit__gt=0), then=Value(scoring.TYPE_C)),
        When(Q(mean_safety__gt=0), then=Value(scoring.TYPE_B)),
        default=Value(scoring.TYPE_D),
        output_field=CharField(),
    )
    return Case(
        When(
            ~Q(committee_file__override_type="") & Q(committee_file__override_type__isnull=False),
            then=F("committee_file__override_type"),
        ),
        default=computed,
        output_field=CharField(),
    )


class CommitteeQueue:
    """The committee queue as a lazy sequence: counted with a bound, sliced in SQL, and only the
    sliced page's rows get their filings loaded and classified."""

    def __init__(self, applications: QuerySet):
        self.applications = applications

    def count_up_to(self, limit: int) -> int:
        return bounded_count(self.applications, limit)

    def __len__(self) -> int:
        return self.applications.count()

    def __iter__(self):
        return iter(_queue_rows(self.applications))

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _queue_rows(self.applications[index])
        return _queue_rows(self.applications[index : index + 1])[0]


def _counted_pairs(application_ids: list[int]) -> dict[int, list[tuple[Fraction, Fraction]]]:
    """The exact normalised (benefit, safety) of each counted filing of these applications, in
    one query of the six score columns (not the assessments' answers or texts)."""
    pairs: dict[int, list[tuple[Fraction, Fraction]]] = {pk: [] for pk in application_ids}
    if application_ids:
        filings = (
            _counted_assessments()
            .filter(application_id__in=application_ids)
            .order_by()
            .only("application_id", *SCORE_COLUMNS)
        )
        for filing in filings:
            pairs[filing.application_id].append(filing.exact_pair())
    return pairs


def _queue_rows(applications) -> list[QueueRow]:
    applications = list(applications)
    counted = _counted_pairs([application.pk for application in applications])
    rows = []
    for application in applications:
        committee = getattr(application, "committee_file", None) if _has_file(application) else None
        rows.append(
            QueueRow(
                application=application,
                classification=_classify_pairs(counted[application.pk], committee),
                assigned=application.n_assigned,
                filed=application.n_filed,
                recused=application.n_recused,
            )
        )
    return rows


def committee_queue(*, state: str = "", use_type: str = "", q: str = "") -> CommitteeQueue:
    """Applications before the committee with their counts and type, oldest submission first
    (best match first when searching for the words ``q``).

    Counts are per-row sub-queries and filings' scores are loaded for the page only, so a page
    costs the same at any size (4 queries with the bounded count); the type filter runs in SQL.
    """
    from applications.models import Application

    states = [state] if state in QUEUE_STATES else list(QUEUE_STATES)
    qs = (
        Application.objects.filter(state__in=states)
        .select_related("committee_file")
        # What a row shows and classifies: not the summaries, the answers or the search vector.
        .only(
            "id",
            "reference",
            "title",
            "state",
            "submitted_at",
            "committee_file__id",
            "committee_file__override_type",
            "committee_file__override_reason",
        )
        .annotate(
            n_assigned=_count_per_application(Assignment),
            n_filed=_count_per_application(Assignment, state=AssignmentState.FILED),
            n_recused=_count_per_application(Assignment, state=AssignmentState.RECUSED),
        )
        .order_by("submitted_at", "id")
    )
    if use_type:
        qs = qs.annotate(
            mean_benefit=_mean_normalised("benefit"), mean_safety=_mean_normalised("safety")
        ).annotate(effective_type_sql=_effective_type_sql())
        qs = qs.filter(effective_type_sql=use_type)
    return CommitteeQueue(application_search(qs, q))


def _has_file(application) -> bool:
    try:
        application.committee_file  # noqa: B018
    except CommitteeFile.DoesNotExist:
        return False
    return True


def conditions_for_user(user) -> QuerySet:
    """Conditions the user owns or, for the secretariat and chair, all open ones."""
    qs = Condition.objects.select_related("application", "owner", "risk").order_by("due_on", "id")
    if user.has_role(Role.SECRETARIAT, Role.CHAIR, Role.AUDITOR):
        return qs
    return qs.filter(Q(owner=user) | Q(application__applicant=user))


# ---- the committee view ------------------------------------------------------------------


@dataclass
class ReviewerColumn:
    assignment: Assignment
    assessment: Assessment | None
    risks: list[RiskItem]

    @property
    def counted(self) -> bool:
        return self.assignment.state == AssignmentState.FILED and self.assessment is not None


@dataclass
class DatasetRow:
    request: object
    conflicts: list


@dataclass
class CommitteeView:
    application: object
    committee: CommitteeFile | None
    columns: list[ReviewerColumn]
    classification: Classification
    self_assessment: Assessment | None
    self_result: scoring.Result | None
    votes: list[Vote]
    tally: Tally
    conditions: list[Condition]
    datasets: list[DatasetRow]
    harm_history: object = None
    significant: list[RiskItem] = field(default_factory=list)

    @property
    def risks(self) -> list[RiskItem]:
        return [r for c in self.columns if c.counted for r in c.risks]

    @property
    def decided(self) -> bool:
        return bool(self.committee and self.committee.outcome != DecisionOutcome.PENDING)


def harm_history_for(*, datasets, organisations):
    """The harms app's anonymised history, when that app offers it; None otherwise."""
    try:
        from harms.lessons import lessons_for
        from harms.selectors import harm_history_for as _history
    except ImportError:
        return None
    history = _history(datasets=datasets, organisations=organisations)
    # The panel's anonymised lessons beside the counts (DESIGN §5: lessons feed back).
    history["lessons"] = lessons_for(datasets=datasets, organisations=organisations)
    return history


def committee_view(application, *, quorum_default: int) -> CommitteeView:
    """Everything the committee puts side by side, in a fixed number of queries."""
    from applications.consent import conflicts_for

    assignments = list(
        Assignment.objects.filter(application_id=application.pk)
        .select_related("reviewer", "assessment")
        .prefetch_related("assessment__risks")
        .order_by("id")
    )
    columns = []
    for a in assignments:
        assessment = getattr(a, "assessment", None) if _has_assessment(a) else None
        risks = list(assessment.risks.all()) if assessment else []
        columns.append(ReviewerColumn(assignment=a, assessment=assessment, risks=risks))
    committee = CommitteeFile.objects.filter(application_id=application.pk).first()
    counted = [c.assessment for c in columns if c.counted]
    classification = _classify(counted, committee)
    votes = list(
        Vote.objects.filter(
            application_id=application.pk, round=committee.round if committee else 1
        )
        .select_related("voter")
        .order_by("id")
    )
    tally = _tally(
        votes,
        _eligible_voter_ids(application, assignments),
        committee.quorum if committee else quorum_default,
    )
    self_assessment = (
        Assessment.objects.filter(application_id=application.pk, kind=AssessmentKind.SELF)
        .select_related("framework")
        .first()
    )
    self_result = None
    if self_assessment is not None:
        framework = frameworks().get(pk=self_assessment.framework_id)
        self_result = scoring.score_answers(
            framework.specs(), self_assessment.answers_by_question()
        )
    conditions = list(
        Condition.objects.filter(application_id=application.pk)
        .select_related("owner", "risk")
        .order_by("due_on", "id")
    )
    team = list(application.team.all())
    requests = list(application.dataset_requests.select_related("dataset__custodian"))
    datasets = [
        DatasetRow(request=r, conflicts=conflicts_for(application, r.dataset, team=team))
        for r in requests
    ]
    # The organisations the use touches: the datasets' custodians and the applicant's own.
    organisations = {r.dataset.custodian_id: r.dataset.custodian for r in requests}
    if application.organisation_id:
        organisations.setdefault(application.organisation_id, application.organisation_id)
    history = harm_history_for(
        datasets=[r.dataset for r in requests], organisations=list(organisations.values())
    )
    significant = [r for c in columns if c.counted for r in c.risks if r.is_significant]
    return CommitteeView(
        application=application,
        committee=committee,
        columns=columns,
        classification=classification,
        self_assessment=self_assessment,
        self_result=self_result,
        votes=votes,
        tally=tally,
        conditions=conditions,
        datasets=datasets,
        harm_history=history,
        significant=significant,
    )


def _has_assessment(assignment) -> bool:
    try:
        assignment.assessment  # noqa: B018
    except Assessment.DoesNotExist:
        return False
    return True


def assignment_of(user, application) -> Assignment | None:
    if not user.is_authenticated:
        return None
    return Assignment.objects.filter(application_id=application.pk, reviewer=user).first()


def assessments_of(user) -> QuerySet:
    """A reviewer's own assessments (API), with their risks."""
    return (
        Assessment.objects.filter(author=user, kind=AssessmentKind.REVIEWER)
        .select_related("assignment", "framework")
        .prefetch_related("risks")
        .order_by("-id")
    )


def risks_of(user) -> QuerySet:
    return (
        RiskItem.objects.filter(assessment__author=user, assessment__kind=AssessmentKind.REVIEWER)
        .select_related("assessment")
        .order_by("-id")
    )


def public_classifications(*, application_ids=None) -> dict[int, dict]:
    """Each project's type, the reviewers' computed type and why, for the public register.

    ``{application_id: {"type": "A", "computed_type": "D", "reason": "..."}}``; projects
    without filed reviews or a chair's type are absent. Three queries for any number.
    """
    from django.utils.translation import gettext as _

    filed = Assessment.objects.filter(
        kind=AssessmentKind.REVIEWER,
        filed_at__isnull=False,
        assignment__state=AssignmentState.FILED,
    )
    committees = CommitteeFile.objects.all()
    if application_ids is not None:
        ids = list(application_ids)
        filed = filed.filter(application_id__in=ids)
        committees = committees.filter(application_id__in=ids)
    by_application: dict[int, list[Assessment]] = {}
    for assessment in filed:
        by_application.setdefault(assessment.application_id, []).append(assessment)
    files = {c.application_id: c for c in committees}
    decisions = Decision.objects.filter(outcome=DecisionOutcome.APPROVED).order_by("round")
    if application_ids is not None:
        decisions = decisions.filter(application_id__in=ids)
    # The type a project was last approved with stands until a new decision (an amendment's
    # round reopens the committee's file but not the public facts).
    decided = {d.application_id: d for d in decisions}
    result = {}
    for app_id in set(by_application) | set(files) | set(decided):
        c = _classify(by_application.get(app_id, []), files.get(app_id))
        d = decided.get(app_id)
        if d is not None:  # the facts of the last approval, with the reviewers' scores
            c = Classification(
                computed_type=d.computed_type or None,
                mean_benefit=c.mean_benefit,
                mean_safety=c.mean_safety,
                filings=c.filings,
                override_type=d.effective_type if d.effective_type != d.computed_type else "",
                override_reason=d.type_reason,
            )
        if not c.effective_type or c.effective_type == scoring.TYPE_MIXED:
            continue
        if c.is_overridden or (c.override_type and not c.computed_type):
            reason = _("Set by the committee chair: %(reason)s") % {"reason": c.override_reason}
        else:
            reason = _(
                "Mean of %(n)s reviewers' public-value assessments: public value %(b)s, "
                "safety %(s)s (each from -1 to 1)."
            ) % {"n": c.filings, "b": c.mean_benefit, "s": c.mean_safety}
        result[app_id] = {
            "type": c.effective_type,
            "computed_type": c.computed_type or "",
            "reason": reason,
        }
    return result
