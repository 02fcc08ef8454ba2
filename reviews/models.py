"""The committee's work: the public-value framework, assignments, assessments with their risk
registers, votes, the classification and decision, and approval conditions."""

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import scoring


class Axis(models.TextChoices):
    BENEFIT = scoring.BENEFIT, _("Public benefit")
    SAFETY = scoring.SAFETY, _("Safety (higher means lower risk)")


class ChoiceKind(models.TextChoices):
    REGULAR = scoring.REGULAR, _("Regular")
    OTHER_INCLUSIVE = scoring.OTHER_INCLUSIVE, _("Other (with others)")
    OTHER_EXCLUSIVE = scoring.OTHER_EXCLUSIVE, _("Other (alone)")
    UNKNOWN = scoring.UNKNOWN, _("I don't know")


class UseType(models.TextChoices):
    A = scoring.TYPE_A, _("A: low risk, high public value")
    B = scoring.TYPE_B, _("B: low risk, low public value")
    C = scoring.TYPE_C, _("C: high risk, high public value")
    D = scoring.TYPE_D, _("D: high risk, low public value")
    MIXED = scoring.TYPE_MIXED, _("Mixed: no type")


class AssessmentFramework(models.Model):
    """A versioned questionnaire. Once answered it is never edited: staff make a new version."""

    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50)
    source = models.CharField(_("source"), max_length=50, blank=True)
    credit = models.TextField(
        _("credit"), blank=True, help_text=_("Shown wherever the questionnaire is shown.")
    )
    licence = models.TextField(_("licence"), blank=True)
    is_default = models.BooleanField(_("default framework"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "version"]
        verbose_name = _("assessment framework")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="framework_name_version"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="framework_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def is_locked(self) -> bool:
        return self.assessments.exists()

    def specs(self) -> list[scoring.QuestionSpec]:
        """The questions as plain specs for ``scoring``; uses prefetched rows when present."""
        specs = []
        for group in self.groups.all():
            for question in group.questions.all():
                specs.append(question.spec())
        return specs


class QuestionGroup(models.Model):
    framework = models.ForeignKey(
        AssessmentFramework, on_delete=models.CASCADE, related_name="groups"
    )
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=250)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "position"], name="group_position")
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    group = models.ForeignKey(QuestionGroup, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    label = models.CharField(_("label"), max_length=20)
    text = models.TextField(_("question"))
    explanation = models.TextField(_("explanation"), blank=True)
    axis = models.CharField(_("axis"), max_length=10, choices=Axis.choices)
    min_select = models.PositiveSmallIntegerField(_("fewest choices"), default=1)
    max_select = models.PositiveSmallIntegerField(_("most choices"), default=1)
    feedback = models.TextField(
        _("feedback"), blank=True, help_text=_("“Your score would be higher …” text.")
    )
    external_id = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["group__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "position"], name="question_position"),
            models.CheckConstraint(condition=Q(axis__in=Axis.values), name="question_axis_valid"),
            models.CheckConstraint(
                condition=Q(max_select__gte=models.F("min_select")), name="question_bounds_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:60]}"

    def spec(self) -> scoring.QuestionSpec:
        return scoring.QuestionSpec(
            id=self.pk,
            axis=self.axis,
            min_select=self.min_select,
            max_select=self.max_select,
            choices=tuple(
                scoring.ChoiceSpec(
                    id=c.pk, weight=c.weight, kind=c.kind, label=c.text, feedback=c.feedback
                )
                for c in self.choices.all()
            ),
            label=self.label,
            text=self.text,
            feedback=self.feedback,
        )


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveIntegerField()
    text = models.TextField(_("choice"))
    weight = models.IntegerField(_("weight"))
    kind = models.CharField(_("kind"), max_length=20, choices=ChoiceKind.choices)
    feedback = models.TextField(_("feedback"), blank=True)
    external_id = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="choice_position"),
            models.CheckConstraint(
                condition=Q(kind__in=ChoiceKind.values), name="choice_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ReviewerRole(models.TextChoices):
    SCIENTIFIC = "scientific", _("Scientific reviewer")
    ETHICS = "ethics", _("Ethics reviewer")
    LAY = "lay", _("Lay or patient member")
    COMMUNITY = "community", _("Community representative")


class AssignmentState(models.TextChoices):
    AWAITING_COI = "awaiting_coi", _("Awaiting conflict declaration")
    ACTIVE = "active", _("Reviewing")
    FILED = "filed", _("Filed")
    RECUSED = "recused", _("Recused")


class Assignment(models.Model):
    """A reviewer asked to review one application, in one role, by a due date."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="review_assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    role = models.CharField(_("role on the committee"), max_length=20, choices=ReviewerRole.choices)
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        max_length=20, choices=AssignmentState.choices, default=AssignmentState.AWAITING_COI
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    coi_declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(null=True)
    conflict_details = models.TextField(_("conflict of interest"), blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("review assignment")
        indexes = [
            models.Index(fields=["reviewer", "state", "due_on"], name="assignment_queue_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="assignment_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(state__in=AssignmentState.values), name="assignment_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(role__in=ReviewerRole.values), name="assignment_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application_id}"

    AUDIT_LABEL_RELATED = ("application", "reviewer")

    def audit_label(self) -> str:
        """How the audit trail names an assignment: who reviews which application."""
        return f"{self.reviewer} · {self.application.reference or self.application.title}"

    @property
    def is_recused(self) -> bool:
        return self.state == AssignmentState.RECUSED


class AssessmentKind(models.TextChoices):
    SELF = "self", _("Applicant's self-assessment")
    REVIEWER = "reviewer", _("Reviewer's assessment")


# The six integers an assessment's exact normalised scores are computed from (every reader of
# the scores alone reads these columns).
SCORE_COLUMNS = (
    "benefit_score",
    "benefit_min",
    "benefit_max",
    "safety_score",
    "safety_min",
    "safety_max",
)


class Assessment(models.Model):
    """One answering of a framework: the applicant's self-assessment or a reviewer's filing.

    The scores are stored as integers (score, min, max per axis) so that means and types are
    computed exactly, never from rounded floats.
    """

    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="assessments"
    )
    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="assessment"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    framework = models.ForeignKey(
        AssessmentFramework, on_delete=models.PROTECT, related_name="assessments"
    )
    answers = models.JSONField(default=dict, help_text="question id → list of choice ids")
    other_texts = models.JSONField(
        default=dict,
        blank=True,
        help_text="question id → what the author wrote for an “Other (please specify)” choice",
    )
    benefit_score = models.IntegerField(default=0)
    benefit_min = models.IntegerField(default=0)
    benefit_max = models.IntegerField(default=0)
    safety_score = models.IntegerField(default=0)
    safety_min = models.IntegerField(default=0)
    safety_max = models.IntegerField(default=0)
    use_type = models.CharField(max_length=10, choices=UseType.choices, default=UseType.MIXED)
    comments = models.TextField(_("comments for the committee"), blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind="self"),
                name="assessment_one_self_per_application",
            ),
            models.CheckConstraint(
                condition=Q(kind="self", assignment__isnull=True)
                | Q(kind="reviewer", assignment__isnull=False),
                name="assessment_kind_matches_assignment",
            ),
            models.CheckConstraint(
                condition=Q(use_type__in=UseType.values), name="assessment_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application_id} ({self.author})"

    @property
    def is_filed(self) -> bool:
        return self.filed_at is not None

    @property
    def benefit_axis(self) -> scoring.AxisScore:
        return scoring.AxisScore(self.benefit_score, self.benefit_min, self.benefit_max)

    @property
    def safety_axis(self) -> scoring.AxisScore:
        return scoring.AxisScore(self.safety_score, self.safety_min, self.safety_max)

    @property
    def benefit_normalised(self) -> float:
        return self.benefit_axis.normalised

    @property
    def safety_normalised(self) -> float:
        return self.safety_axis.normalised

    def exact_pair(self) -> tuple[Fraction, Fraction]:
        return self.benefit_axis.normalised_exact, self.safety_axis.normalised_exact

    def answers_by_question(self) -> dict[int, list[int]]:
        return {int(k): [int(c) for c in v] for k, v in (self.answers or {}).items()}

    def other_texts_by_question(self) -> dict[int, str]:
        return {int(k): str(v) for k, v in (self.other_texts or {}).items()}

    def other_specified(self) -> list[dict]:
        """The “please specify” texts, in questionnaire order, with their question's label."""
        texts = self.other_texts_by_question()
        if not texts:
            return []
        questions = Question.objects.filter(pk__in=texts).order_by("group__position", "position")
        from .framework_texts import framework_text

        return [
            {"label": q.label, "question": framework_text(q.text), "text": texts[q.pk]}
            for q in questions
        ]


class RiskCategory(models.TextChoices):
    PRIVACY = "privacy", _("Privacy breach or re-identification")
    DISCRIMINATION = "discrimination", _("Discrimination")
    STIGMATISATION = "stigmatisation", _("Stigmatisation of a group")
    FINANCIAL = "financial", _("Financial")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    ACCESS_TO_CARE = "access_to_care", _("Loss of access to care")
    POLITICAL = "political", _("Political or social")
    OTHER = "other", _("Other")


class RiskBearer(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuals")
    GROUP = "group", _("A group")
    COMMUNITY = "community", _("A community")


SIGNIFICANT_RISK = 12


class RiskItem(models.Model):
    """One entry of a reviewer's risk register."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="risks")
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    borne_by = models.CharField(_("borne by"), max_length=20, choices=RiskBearer.choices)
    description = models.TextField(_("description"))
    likelihood = models.PositiveSmallIntegerField(_("likelihood before mitigation (1-5)"))
    severity = models.PositiveSmallIntegerField(_("severity before mitigation (1-5)"))
    mitigation = models.TextField(_("mitigation"), blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(_("likelihood after mitigation (1-5)"))
    residual_severity = models.PositiveSmallIntegerField(_("severity after mitigation (1-5)"))

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5)
                & Q(severity__gte=1, severity__lte=5)
                & Q(residual_likelihood__gte=1, residual_likelihood__lte=5)
                & Q(residual_severity__gte=1, residual_severity__lte=5),
                name="risk_scales_one_to_five",
            ),
            models.CheckConstraint(
                condition=Q(category__in=RiskCategory.values), name="risk_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(borne_by__in=RiskBearer.values), name="risk_bearer_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"

    @property
    def inherent_score(self) -> int:
        return self.likelihood * self.severity

    @property
    def residual_score(self) -> int:
        return self.residual_likelihood * self.residual_severity

    @property
    def is_significant(self) -> bool:
        return self.residual_score >= SIGNIFICANT_RISK


class DecisionOutcome(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class CommitteeFile(models.Model):
    """The committee's record on one application: quorum, type override and the decision of
    the current round. Each amendment of an approved project opens a new round (votes, type
    and decision of its own); every round's decision is kept as a ``Decision``."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="committee_file"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    quorum = models.PositiveSmallIntegerField(
        _("quorum"), help_text=_("Votes needed from non-recused members.")
    )
    override_type = models.CharField(
        _("type set by the chair"), max_length=10, choices=UseType.choices, blank=True
    )
    override_reason = models.TextField(_("reason for the type"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(
        max_length=10, choices=DecisionOutcome.choices, default=DecisionOutcome.PENDING
    )
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_type = models.CharField(max_length=10, choices=UseType.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="committee_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(override_type="") | Q(override_type__in=UseType.values),
                name="committee_override_valid",
            ),
            models.CheckConstraint(condition=Q(quorum__gte=1), name="committee_quorum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"


class VoteChoice(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", _("Approve with conditions")
    REJECT = "reject", _("Reject")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="review_votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_votes"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    choice = models.CharField(_("vote"), max_length=30, choices=VoteChoice.choices)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cast_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "round", "voter"], name="vote_one_per_member_and_round"
            ),
            models.CheckConstraint(condition=Q(choice__in=VoteChoice.values), name="vote_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.choice}"


class Decision(models.Model):
    """One committee decision on an application: the first, then one per amendment.

    Never changed once made; the committee file holds the current round."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="committee_decisions"
    )
    round = models.PositiveSmallIntegerField(_("round"))
    version = models.PositiveIntegerField(_("version decided"))
    amendment = models.BooleanField(_("decision on an amendment"), default=False)
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    computed_type = models.CharField(max_length=10, choices=UseType.choices, blank=True)
    effective_type = models.CharField(max_length=10, choices=UseType.choices, blank=True)
    type_reason = models.TextField(_("reason for the type"), blank=True)
    reason = models.TextField(_("reasons for the decision"), blank=True)
    access_expires_on = models.DateField(null=True, blank=True)
    votes = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "round"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="decision_one_per_round"),
            models.CheckConstraint(
                condition=Q(outcome__in=["approved", "rejected"]), name="decision_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.round}: {self.outcome}"


class ConditionKind(models.TextChoices):
    GENERAL = "general", _("General")
    MITIGATION = "mitigation", _("Mitigation of a significant risk")
    HARM_MONITORING = "harm_monitoring", _("Harm monitoring")
    BEFORE_ACTIVATION = "before_activation", _("Before activation (access waits until met)")


class ConditionState(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    WAIVED = "waived", _("Waived")


class Condition(models.Model):
    """A condition of approval: who must do what by when; the secretariat marks it."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="conditions"
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ConditionKind.choices, default=ConditionKind.GENERAL
    )
    risk = models.ForeignKey(
        RiskItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions",
        verbose_name=_("risk mitigated"),
    )
    text = models.TextField(_("condition"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_conditions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    state = models.CharField(
        max_length=10, choices=ConditionState.choices, default=ConditionState.OPEN
    )
    report = models.TextField(_("applicant's report"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    waive_reason = models.TextField(_("reason for waiving"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue_since = models.DateField(
        _("overdue since"),
        null=True,
        blank=True,
        help_text=_("Set by the daily check when an open condition passes its due date."),
    )
    reminded_on = models.DateField(_("owner last reminded on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="condition_due_idx"),
            models.Index(fields=["due_on", "id"], name="condition_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ConditionState.values), name="condition_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ConditionKind.values), name="condition_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state="waived") | ~Q(waive_reason=""),
                name="condition_waiver_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date (flagged by the daily check, or seen so now)."""
        from django.utils import timezone

        return self.state == ConditionState.OPEN and (
            self.overdue_since is not None or self.due_on < timezone.localdate()
        )

    @property
    def blocks_activation(self) -> bool:
        return self.kind == ConditionKind.BEFORE_ACTIVATION and self.state == ConditionState.OPEN


from .meeting_models import AgendaItem, Attendance, Meeting, MeetingState  # noqa: E402, F401
from .reminder_models import DueReminder  # noqa: E402, F401
