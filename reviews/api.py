"""The reviews API: frameworks, the try-out instrument, reviewers' assessments and risk
registers, and the committee's actions on an application.

The committee's actions live at ``/api/v1/applications/{id}/assign|vote|classification/``
through ``urlpatterns`` below (wired in ``solidarity/urls.py``), and at
``/api/v1/committee/applications/{id}/...`` through the router; both reach the same viewset.
The decision is served at one address only, ``/api/v1/applications/{id}/decide/``.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from solidarity.accounts.models import User
from solidarity.api import RowSerializer

from . import permissions, selectors, services
from .framework_texts import framework_text
from .models import (
    Assessment,
    AssessmentFramework,
    Assignment,
    Choice,
    ConditionKind,
    Question,
    QuestionGroup,
    ReviewerRole,
    RiskBearer,
    RiskCategory,
    RiskItem,
    UseType,
    VoteChoice,
)
from .services.committee import default_quorum

# ---- frameworks and the try-out ----------------------------------------------------------


class FrameworkText(serializers.CharField):
    """A questionnaire text in the request's language; English (the reference) stays stored."""

    def to_representation(self, value):
        return framework_text(super().to_representation(value))


class ChoiceOut(serializers.ModelSerializer):
    text = FrameworkText()
    feedback = FrameworkText()

    class Meta:
        model = Choice
        fields = ["id", "text", "weight", "kind", "feedback"]


class QuestionOut(serializers.ModelSerializer):
    choices = ChoiceOut(many=True)
    text = FrameworkText()
    explanation = FrameworkText()
    feedback = FrameworkText()

    class Meta:
        model = Question
        fields = [
            "id",
            "label",
            "text",
            "explanation",
            "axis",
            "min_select",
            "max_select",
            "feedback",
            "choices",
        ]


class GroupOut(serializers.ModelSerializer):
    questions = QuestionOut(many=True)
    title = FrameworkText()

    class Meta:
        model = QuestionGroup
        fields = ["id", "title", "questions"]


class FrameworkOut(serializers.ModelSerializer):
    groups = GroupOut(many=True)

    class Meta:
        model = AssessmentFramework
        fields = ["id", "name", "version", "is_default", "credit", "source", "groups"]


class AnswersIn(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="question id → list of choice ids",
    )


class AxisOut(serializers.Serializer):
    score = serializers.IntegerField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    answered = serializers.IntegerField()
    normalised = serializers.FloatField()


class ShortfallOut(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    label = serializers.CharField()
    axis = serializers.CharField()
    lost = serializers.IntegerField()
    feedback = serializers.CharField()


class EvaluationOut(serializers.Serializer):
    framework = serializers.IntegerField()
    benefit = AxisOut()
    safety = AxisOut()
    type = serializers.CharField()
    unknown_questions = serializers.ListField(child=serializers.IntegerField())
    shortfalls = ShortfallOut(many=True)


class TryOutAnonThrottle(AnonRateThrottle):
    scope = "framework_tryout_anon"
    rate = "30/minute"


class TryOutUserThrottle(UserRateThrottle):
    scope = "framework_tryout_user"
    rate = "120/minute"


class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """The public-value questionnaires (PLUTO's, credited), readable by anyone; ``evaluate``
    scores answers without storing them, so anyone may try the instrument."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = FrameworkOut
    permission_classes = [AllowAny]
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return selectors.frameworks()

    @extend_schema(request=AnswersIn, responses=EvaluationOut)
    @action(
        detail=True,
        methods=["post"],
        throttle_classes=[TryOutAnonThrottle, TryOutUserThrottle],
    )
    def evaluate(self, request, pk=None):
        framework = services.framework_loaded(self.get_object().pk)
        data = AnswersIn(data=request.data)
        data.is_valid(raise_exception=True)
        answers = services.parse_answers(data.validated_data["answers"])
        result = services.evaluate(framework, answers)
        body = {
            "framework": framework.pk,
            **result.as_dict(),
            "shortfalls": ShortfallOut(result.shortfalls, many=True).data,
        }
        return Response(body)


# ---- a reviewer's own assessments and risk register -------------------------------------


class RiskOut(RowSerializer):
    residual_score = serializers.IntegerField(read_only=True)
    significant = serializers.BooleanField(source="is_significant", read_only=True)

    class Meta:
        model = RiskItem
        fields = [
            "id",
            "assessment",
            "category",
            "borne_by",
            "description",
            "likelihood",
            "severity",
            "mitigation",
            "residual_likelihood",
            "residual_severity",
            "residual_score",
            "significant",
        ]


class RiskIn(serializers.Serializer):
    assignment = serializers.IntegerField()
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    borne_by = serializers.ChoiceField(choices=RiskBearer.choices)
    description = serializers.CharField()
    likelihood = serializers.IntegerField(min_value=1, max_value=5)
    severity = serializers.IntegerField(min_value=1, max_value=5)
    mitigation = serializers.CharField(required=False, allow_blank=True, default="")
    residual_likelihood = serializers.IntegerField(min_value=1, max_value=5)
    residual_severity = serializers.IntegerField(min_value=1, max_value=5)


class AssessmentOut(RowSerializer):
    benefit = serializers.SerializerMethodField()
    safety = serializers.SerializerMethodField()
    type = serializers.CharField(source="use_type")
    filed = serializers.BooleanField(source="is_filed")
    risks = RiskOut(many=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "application",
            "assignment",
            "framework",
            "answers",
            "other_texts",
            "comments",
            "benefit",
            "safety",
            "type",
            "filed",
            "filed_at",
            "risks",
        ]

    def get_benefit(self, obj) -> dict:
        return {
            "score": obj.benefit_score,
            "min": obj.benefit_min,
            "max": obj.benefit_max,
            "normalised": round(obj.benefit_normalised, 4),
        }

    def get_safety(self, obj) -> dict:
        return {
            "score": obj.safety_score,
            "min": obj.safety_min,
            "max": obj.safety_max,
            "normalised": round(obj.safety_normalised, 4),
        }


class AssessmentIn(AnswersIn):
    assignment = serializers.IntegerField()
    comments = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.BooleanField(required=False, default=False)
    other = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        help_text="Question id → what an “Other (please specify)” answer means.",
    )


class FileIn(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()), required=False
    )
    comments = serializers.CharField(required=False, allow_blank=True)
    other = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        help_text="Question id → what an “Other (please specify)” answer means.",
    )


def _own_assignment(user, pk) -> Assignment:
    assignment = Assignment.objects.select_related("application").filter(pk=pk).first()
    if assignment is None or assignment.reviewer_id != user.pk:
        raise Http404
    return assignment


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A reviewer's own assessments: save a draft (POST), file it (POST …/file/)."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = AssessmentOut
    permission_classes = [permissions.IsReviewer]
    filterset_fields = ["application", "use_type"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        return selectors.assessments_of(self.request.user)

    @extend_schema(request=AssessmentIn, responses=AssessmentOut)
    def create(self, request):
        data = AssessmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignment = _own_assignment(request.user, values["assignment"])
        service = services.assessment_file if values["file"] else services.assessment_save_draft
        assessment = service(
            actor=request.user,
            assignment=assignment,
            answers=values["answers"],
            comments=values["comments"],
            other=values.get("other"),
        )
        assessment = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentOut(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FileIn, responses=AssessmentOut)
    @action(detail=True, methods=["post"])
    def file(self, request, pk=None):
        assessment = self.get_object()
        data = FileIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_file(
            actor=request.user,
            assignment=assessment.assignment,
            answers=data.validated_data.get("answers"),
            comments=data.validated_data.get("comments"),
            other=data.validated_data.get("other"),
        )
        return Response(AssessmentOut(self.get_queryset().get(pk=assessment.pk)).data)


class RiskReviewViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The reviewer's own risk register items; add and remove them before filing."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = RiskOut
    permission_classes = [permissions.IsReviewer]
    filterset_fields = ["assessment", "category", "borne_by"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RiskItem.objects.none()
        return selectors.risks_of(self.request.user)

    @extend_schema(request=RiskIn, responses=RiskOut)
    def create(self, request):
        data = RiskIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        assignment = _own_assignment(request.user, values.pop("assignment"))
        risk = services.risk_item_add(actor=request.user, assignment=assignment, **values)
        return Response(RiskOut(risk).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.risk_item_remove(actor=self.request.user, risk=instance)


class ConflictIn(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    details = serializers.CharField(required=False, allow_blank=True, default="")


class RecuseIn(serializers.Serializer):
    details = serializers.CharField(max_length=4000, help_text="The conflict of interest.")


class AssignmentConflictOut(serializers.ModelSerializer):
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "application", "role", "due_on", "state", "has_conflict", "actions"]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        """The moves of ``reviews.rules.ASSIGNMENT`` the caller may make now."""
        from .rules import ASSIGNMENT

        request = self.context.get("request")
        if request is None:
            return []
        return sorted(t.name for t in ASSIGNMENT.available(request.user, obj))


class AssignmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The reviewer's own assignments; the conflict-of-interest declaration comes first."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = AssignmentConflictOut
    permission_classes = [permissions.IsReviewer]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return Assignment.objects.filter(reviewer=self.request.user).order_by("due_on", "id")

    @extend_schema(request=ConflictIn, responses=AssignmentConflictOut)
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        """Declare a conflict of interest (recused) or none (the full application opens)."""
        assignment = _own_assignment(request.user, pk)
        data = ConflictIn(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.coi_declare(
            actor=request.user, assignment=assignment, **data.validated_data
        )
        return Response(AssignmentConflictOut(assignment, context={"request": request}).data)

    @extend_schema(request=RecuseIn, responses=AssignmentConflictOut)
    @action(detail=True, methods=["post"])
    def recuse(self, request, pk=None):
        """A conflict found after the declaration: the reviewer recuses themself (their filing
        no longer counts), until the committee has decided."""
        assignment = _own_assignment(request.user, pk)
        data = RecuseIn(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_recuse(
            actor=request.user, assignment=assignment, details=data.validated_data["details"]
        )
        return Response(AssignmentConflictOut(assignment, context={"request": request}).data)


# ---- the committee's actions on an application ------------------------------------------


class AssignIn(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    role = serializers.ChoiceField(choices=ReviewerRole.choices)
    due_on = serializers.DateField()


class AssignmentOut(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username")

    class Meta:
        model = Assignment
        fields = ["id", "application", "reviewer", "role", "due_on", "state"]


class VoteIn(serializers.Serializer):
    choice = serializers.ChoiceField(choices=VoteChoice.choices)
    voter = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class VoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    voter = serializers.CharField(source="voter.username")
    choice = serializers.CharField()
    comment = serializers.CharField()


class DecideIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("approved", "approved"), ("rejected", "rejected")])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    access_expires_on = serializers.DateField(required=False, allow_null=True)


class ClassificationIn(serializers.Serializer):
    type = serializers.ChoiceField(choices=[c for c in UseType.choices if c[0] != UseType.MIXED])
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConditionIn(serializers.Serializer):
    text = serializers.CharField()
    due_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=ConditionKind.choices, default=ConditionKind.GENERAL)
    risk = serializers.PrimaryKeyRelatedField(
        queryset=RiskItem.objects.select_related("assessment"), required=False, allow_null=True
    )


class ConditionOut(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    text = serializers.CharField()
    kind = serializers.CharField()
    risk = serializers.IntegerField(source="risk_id", allow_null=True)
    owner = serializers.CharField(source="owner.username")
    due_on = serializers.DateField()
    state = serializers.CharField()
    overdue = serializers.BooleanField(source="is_overdue")
    overdue_since = serializers.DateField(allow_null=True)
    blocks_activation = serializers.BooleanField()
    report = serializers.CharField()
    reported_at = serializers.DateTimeField(allow_null=True)
    waive_reason = serializers.CharField()


class ConditionReportIn(serializers.Serializer):
    report = serializers.CharField(max_length=10000)


class ConditionWaiveIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    """Conditions of approval the user owns (or, for the secretariat, chair and auditors, all),
    by due date, with their overdue flag; the owner reports, the secretariat marks them met
    or waives them. Filter: ``?overdue=1``."""

    lookup_value_regex = r"\d+"
    permission_classes = [IsAuthenticated]
    serializer_class = ConditionOut
    filter_backends: list = []

    def get_queryset(self):
        qs = selectors.conditions_for_user(self.request.user)
        if self.request.query_params.get("overdue") in ("1", "true"):
            qs = qs.filter(state="open", due_on__lt=timezone.localdate())
        return qs

    def _reply(self, condition):
        fresh = selectors.conditions_for_user(self.request.user).get(pk=condition.pk)
        return Response(ConditionOut(fresh).data)

    @extend_schema(request=ConditionReportIn, responses=ConditionOut)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        condition = self.get_object()
        data = ConditionReportIn(data=request.data)
        data.is_valid(raise_exception=True)
        condition = services.condition_report(
            actor=request.user, condition=condition, report=data.validated_data["report"]
        )
        return self._reply(condition)

    @extend_schema(request=None, responses=ConditionOut)
    @action(detail=True, methods=["post"])
    def met(self, request, pk=None):
        condition = services.condition_settle(
            actor=request.user, condition=self.get_object(), outcome="met"
        )
        return self._reply(condition)

    @extend_schema(request=ConditionWaiveIn, responses=ConditionOut)
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        condition = self.get_object()
        data = ConditionWaiveIn(data=request.data)
        data.is_valid(raise_exception=True)
        condition = services.condition_settle(
            actor=request.user,
            condition=condition,
            outcome="waived",
            reason=data.validated_data["reason"],
        )
        return self._reply(condition)


class CommitteeViewSet(viewsets.GenericViewSet):
    """The committee's actions on one application (``{id}`` is the application's id)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ClassificationIn
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        from applications.models import Application

        return Application.objects.none()

    def _application(self, pk):
        from applications.selectors import applications_visible_to

        return get_object_or_404(applications_visible_to(self.request.user), pk=pk)

    def _committee_application(self, pk):
        application = self._application(pk)
        assignment = selectors.assignment_of(self.request.user, application)
        if not permissions.can_view_committee(self.request.user, application, assignment):
            raise Http404
        return application

    @extend_schema(request=AssignIn, responses={201: AssignmentOut})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        if not permissions.can_assign(request.user):
            raise Http404
        application = self._application(pk)
        data = AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_create(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(AssignmentOut(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=VoteIn, responses={201: VoteOut})
    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        # As on the committee page: a reviewer votes only after filing their own assessment.
        application = self._committee_application(pk)
        data = VoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        vote = services.vote_cast(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(VoteOut(vote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ClassificationIn, responses=None)
    @action(detail=True, methods=["get", "post"])
    def classification(self, request, pk=None):
        application = self._committee_application(pk)
        if request.method == "POST":
            data = ClassificationIn(data=request.data)
            data.is_valid(raise_exception=True)
            services.classification_set(
                actor=request.user,
                application=application,
                use_type=data.validated_data["type"],
                reason=data.validated_data["reason"],
            )
        view = selectors.committee_view(application, quorum_default=default_quorum())
        return Response(
            {
                "application": application.pk,
                **view.classification.as_dict(),
                "reviewers": [
                    {
                        "reviewer": c.assignment.reviewer.username,
                        "role": c.assignment.role,
                        "state": c.assignment.state,
                        "benefit": round(c.assessment.benefit_normalised, 4) if c.counted else None,
                        "safety": round(c.assessment.safety_normalised, 4) if c.counted else None,
                        "type": c.assessment.use_type if c.counted else None,
                    }
                    for c in view.columns
                ],
                "self_assessment": view.self_result.as_dict() if view.self_result else None,
                "votes": {
                    "quorum": view.tally.quorum,
                    "counted": view.tally.counted,
                    "approve": view.tally.approve,
                    "approve_with_conditions": view.tally.approve_with_conditions,
                    "reject": view.tally.reject,
                    "abstain": view.tally.abstain,
                },
                "significant_risks": [r.pk for r in view.significant],
                "harm_history": view.harm_history,
            }
        )

    @extend_schema(request=ConditionIn, responses={201: ConditionOut})
    @action(detail=True, methods=["post"])
    def conditions(self, request, pk=None):
        application = self._committee_application(pk)
        data = ConditionIn(data=request.data)
        data.is_valid(raise_exception=True)
        condition = services.condition_add(
            actor=request.user, application=application, **data.validated_data
        )
        return Response(ConditionOut(condition).data, status=status.HTTP_201_CREATED)


class DecisionOut(serializers.Serializer):
    application = serializers.IntegerField()
    outcome = serializers.CharField()
    type = serializers.CharField()
    computed_type = serializers.CharField()
    type_reason = serializers.CharField()
    reason = serializers.CharField()


class DecideView(CommitteeViewSet):
    """The committee's decision, served at one address: ``/api/v1/applications/{id}/decide/``.

    After screening this is the only way an application is approved or rejected."""

    @extend_schema(request=DecideIn, responses=DecisionOut, operation_id="applications_decide")
    def decide(self, request, pk=None):
        application = self._application(pk)
        if not permissions.can_decide(request.user):
            raise Http404
        data = DecideIn(data=request.data)
        data.is_valid(raise_exception=True)
        committee = services.decision_record(
            actor=request.user, application=application, **data.validated_data
        )
        decision = committee.application.committee_decisions.order_by("-round").first()
        return Response(
            {
                "application": application.pk,
                "outcome": committee.outcome,
                "type": committee.decided_type,
                "computed_type": decision.computed_type,
                "type_reason": decision.type_reason,
                "reason": committee.decision_reason,
            }
        )


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("frameworks", FrameworkViewSet, basename="framework")
    router.register("assessments", AssessmentViewSet, basename="assessment")
    router.register("risk-reviews", RiskReviewViewSet, basename="risk-review")
    router.register("committee/applications", CommitteeViewSet, basename="committee-application")
    router.register("conditions", ConditionViewSet, basename="condition")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    from .meeting_api import MeetingViewSet

    router.register("meetings", MeetingViewSet, basename="meeting")


# Explicit routes for the DESIGN §8 addresses, included under /api/v1/ by solidarity/urls.py.
urlpatterns = [
    path(
        "applications/<int:pk>/assign/",
        CommitteeViewSet.as_view({"post": "assign"}),
        name="application-assign",
    ),
    path(
        "applications/<int:pk>/vote/",
        CommitteeViewSet.as_view({"post": "vote"}),
        name="application-vote",
    ),
    path(
        "applications/<int:pk>/decide/",
        DecideView.as_view({"post": "decide"}),
        name="application-decide",
    ),
    path(
        "applications/<int:pk>/classification/",
        CommitteeViewSet.as_view({"get": "classification", "post": "classification"}),
        name="application-classification",
    ),
    path(
        "applications/<int:pk>/conditions/",
        CommitteeViewSet.as_view({"post": "conditions"}),
        name="application-conditions",
    ),
]
