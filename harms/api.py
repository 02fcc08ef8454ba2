"""The harms API: anonymous reporting, status by receipt code, the panel's actions."""

from django.db import transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from solidarity.api import RowSerializer, int_param
from solidarity.catalog.models import Dataset
from solidarity.validators import AsciiIntegerSerializerField

from . import rules, selectors, services
from .lessons import harm_lesson_record, harm_reviews_check_after_commit
from .models import (
    Affected,
    HarmCategory,
    HarmReport,
    RedressAction,
    RedressKind,
    Severity,
    SuspensionRecommendation,
    next_step,
)
from .permissions import (
    ReceiptHolder,
    can_read_all_reports,
    can_read_suspension_recommendations,
    can_see_reporter_identity,
    is_harm_officer,
)
from .throttles import AnonymousReportThrottle, receipt_lookup_allowed

WITHHELD = "withheld"


def _moves(context, machine, obj) -> list[str]:
    """The rulebook's moves open to the caller (``context["actor"]``, else the signed-in
    user; a receipt holder for an anonymous reporter)."""
    actor = context.get("actor")
    if actor is None and context.get("request") is not None:
        actor = context["request"].user
    return sorted(rules.moves(machine, actor, obj)) if actor is not None else []


# Input


class HarmReportInput(serializers.Serializer):
    what_happened = serializers.CharField(max_length=5000)
    occurred_when = serializers.CharField(max_length=200)
    affected = serializers.ChoiceField(choices=Affected.choices)
    categories = serializers.MultipleChoiceField(choices=HarmCategory.choices, allow_empty=False)
    project = serializers.CharField(max_length=200, required=False, allow_blank=True)
    dataset = serializers.PrimaryKeyRelatedField(
        queryset=Dataset.objects.all(), required=False, allow_null=True
    )
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    website = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def validate_website(self, value):
        if value:
            raise serializers.ValidationError("Leave this field empty.")
        return value


class HarmReceiptInput(serializers.Serializer):
    receipt_code = serializers.CharField(max_length=40)


class HarmTriageInput(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    applications = serializers.ListField(child=serializers.IntegerField(), required=False)
    datasets = serializers.ListField(child=serializers.IntegerField(), required=False)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class HarmNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class RedressOfferInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RedressKind.choices)
    description = serializers.CharField(max_length=2000)
    amount_minor = AsciiIntegerSerializerField(min_value=1, required=False, allow_null=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    dataset = serializers.PrimaryKeyRelatedField(
        queryset=Dataset.objects.all(), required=False, allow_null=True
    )


class HarmOutcomeInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=5000)


class HarmResolveInput(HarmOutcomeInput):
    lesson = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class HarmReasonsInput(serializers.Serializer):
    reasons = serializers.CharField(max_length=5000)


class HarmReferInput(HarmReasonsInput):
    referred_to = serializers.CharField(max_length=200)


class HarmMessageInput(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    internal = serializers.BooleanField(required=False, default=False)
    receipt_code = serializers.CharField(max_length=40, required=False)


class HarmAppealInput(serializers.Serializer):
    grounds = serializers.CharField(max_length=5000)
    receipt_code = serializers.CharField(max_length=40, required=False)


class RedressAnswerInput(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    receipt_code = serializers.CharField(max_length=40, required=False)


class HarmSuspensionInput(serializers.Serializer):
    application = serializers.IntegerField()
    reason = serializers.CharField(max_length=4000)


class RedressWithdrawInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class RedressPaymentDetailsInput(serializers.Serializer):
    account_holder = serializers.CharField(max_length=200)
    iban = serializers.CharField(max_length=40)
    bic = serializers.CharField(max_length=20, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    receipt_code = serializers.CharField(max_length=40, required=False)


# Output


class RedressActionOutput(serializers.ModelSerializer):
    class Meta:
        model = RedressAction
        fields = [
            "id",
            "report",
            "kind",
            "state",
            "description",
            "amount_minor",
            "currency",
            "dataset",
            "offered_at",
            "responded_at",
            "delivered_at",
            "withdrawn_at",
            "withdrawal_reason",
            "actions",
        ]

    actions = serializers.SerializerMethodField()

    def get_actions(self, obj) -> list[str]:
        """What the caller may do with this action now (the rulebook's answer); read it on
        one action or a report: a list of actions leaves it empty (a custodian's permission
        is one query per dataset)."""
        view = self.context.get("view")
        if view is not None and getattr(view, "action", "") == "list":
            return []
        return _moves(self.context, rules.REDRESS, obj)


class HarmMessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    from_reporter = serializers.BooleanField()
    internal = serializers.BooleanField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class HarmReportReporterOutput(serializers.Serializer):
    """What the reporter sees: never internal notes, never who in the panel wrote."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()
    next_step = serializers.SerializerMethodField()
    next_due = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField()
    outcome = serializers.CharField()
    can_appeal = serializers.BooleanField(source="can_be_appealed")
    appeal_until = serializers.DateTimeField(allow_null=True)
    messages = serializers.SerializerMethodField()
    redress = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_next_step(self, obj) -> str:
        return next_step(obj)

    def get_actions(self, obj) -> list[str]:
        return _moves(self.context, rules.HARM_REPORT, obj)

    def get_messages(self, obj) -> list[dict]:
        items = [m for m in obj.thread if not m.internal]
        return [
            {"from_reporter": m.from_reporter, "body": m.body, "created_at": m.created_at}
            for m in items
        ]

    def get_redress(self, obj) -> list[dict]:
        for item in obj.redress_actions:
            item.report = obj
        return RedressActionOutput(obj.redress_actions, many=True, context=self.context).data


class _LinkedIds(serializers.ManyRelatedField):
    """A report's linked projects or datasets as their ids: read from ``linked_ids`` when the
    list gave them (one narrow query per relation for the page), else from the relation."""

    def get_attribute(self, instance):
        ids = instance.__dict__.get("linked_ids")
        if ids is None:
            return super().get_attribute(instance)
        return _Ids(ids[self.source])

    def to_representation(self, iterable):
        if isinstance(iterable, _Ids):
            return list(iterable)
        return super().to_representation(iterable)


class _Ids(list):
    pass


def _linked(**kwargs):
    return _LinkedIds(child_relation=serializers.PrimaryKeyRelatedField(read_only=True), **kwargs)


def linked_ids(reports) -> None:
    """Give each report of a list page its linked projects' and datasets' ids (``linked_ids``),
    each in its model's order, in one query per relation of the link tables' two columns."""
    reports = list(reports)
    ids = [report.pk for report in reports]
    applications = selectors.linked_values(ids, "applications", "application_id")
    datasets = selectors.linked_values(ids, "datasets", "dataset_id")
    for report in reports:
        report.linked_ids = {
            "applications": applications[report.pk],
            "datasets": datasets[report.pk],
        }


class HarmReportPanelOutput(RowSerializer):
    """Officers and auditors; the reporter's identity and contact only for officers."""

    reference = serializers.CharField(read_only=True)
    reporter = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    # None once the report is decided: nothing is due any more.
    next_due = serializers.DateTimeField(source="next_due_at", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    applications = _linked(read_only=True)
    datasets = _linked(read_only=True)

    class Meta:
        model = HarmReport
        fields = [
            "id",
            "reference",
            "state",
            "severity",
            "categories",
            "affected",
            "what_happened",
            "occurred_when",
            "project_hint",
            "applications",
            "datasets",
            "received_at",
            "acknowledged_at",
            "triaged_at",
            "decided_at",
            "next_due",
            "overdue",
            "outcome",
            "referred_to",
            "reporter",
            "contact",
        ]

    def _identity(self):
        return can_see_reporter_identity(self.context["request"].user)

    def get_reporter(self, obj) -> str | None:
        if not self._identity():
            return WITHHELD
        return obj.reporter.get_username() if obj.reporter_id else None

    @extend_schema_field({"oneOf": [{"type": "object"}, {"type": "string"}]})
    def get_contact(self, obj):
        if not self._identity():
            return WITHHELD
        return selectors.reporter_contact(obj)


class HarmReportPanelDetailOutput(HarmReportPanelOutput):
    messages = serializers.SerializerMethodField()
    redress = serializers.SerializerMethodField()

    actions = serializers.SerializerMethodField()

    class Meta(HarmReportPanelOutput.Meta):
        fields = [*HarmReportPanelOutput.Meta.fields, "messages", "redress", "actions"]

    def get_actions(self, obj) -> list[str]:
        """What the caller may do with this report now (the rulebook's answer)."""
        return _moves(self.context, rules.HARM_REPORT, obj)

    def get_messages(self, obj) -> list[dict]:
        return HarmMessageOutput(obj.thread, many=True).data

    def get_redress(self, obj) -> list[dict]:
        for item in obj.redress_actions:
            item.report = obj
        return RedressActionOutput(obj.redress_actions, many=True, context=self.context).data


class HarmReportCreatedOutput(serializers.Serializer):
    """The answer to a new report: the receipt code is shown this once, never again."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()
    receipt_code = serializers.CharField(allow_null=True)
    next_step = serializers.CharField()


class HarmMessageSentOutput(serializers.Serializer):
    detail = serializers.CharField()


# Officers and auditors read the panel's view of a report; a reporter reads their own view.
HarmReportView = PolymorphicProxySerializer(
    component_name="HarmReportView",
    serializers=[HarmReportPanelDetailOutput, HarmReportReporterOutput],
    resource_type_field_name=None,
)
HarmReportListView = PolymorphicProxySerializer(
    component_name="HarmReportListView",
    serializers=[HarmReportPanelOutput, HarmReportReporterOutput],
    resource_type_field_name=None,
    many=True,
)


# Views


def _by_receipt(request, code):
    if not receipt_lookup_allowed(request, code or ""):
        raise Throttled()
    report = selectors.harm_report_by_receipt(code or "")
    if report is None:
        raise Http404
    return report


class HarmReportViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Anyone reports; the panel (and auditors, read-only) list; reporters see their own."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    filterset_fields = ["state", "severity"]
    ordering_fields = ["received_at", "next_due_at"]

    def get_permissions(self):
        if self.action in ("create", "status", "message", "appeal"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.action == "create":
            return [AnonymousReportThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            if not can_read_all_reports(user):
                return selectors.with_thread(
                    selectors.harm_reports_of(user), internal=False
                ).order_by("-received_at", "-id")

            params = self.request.query_params
            queue = selectors.harm_report_queue(
                category=params.get("category", ""),
                application_id=int_param(params.get("application")),
                dataset_id=int_param(params.get("dataset")),
                overdue_only=params.get("overdue") in ("1", "true"),
                q=params.get("search", ""),
            )
            # A row names its projects and datasets by id only (in their usual order, read
            # by ``linked_ids`` for the page): not their rows; nor the report's search vector.
            return queue.defer("search_vector").prefetch_related(None)
        return selectors.harm_reports_visible_to(user)

    def get_serializer_class(self):
        if self.action == "create":
            return HarmReportInput
        return HarmReportPanelOutput

    @extend_schema(
        responses=HarmReportListView,
        parameters=[
            OpenApiParameter(
                "search",
                OpenApiTypes.STR,
                description="Words in what happened, the projects or datasets (panel; ranked)",
            )
        ],
    )
    def list(self, request, *args, **kwargs):
        if not can_read_all_reports(request.user):
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(
                HarmReportReporterOutput(page, many=True, context={"request": request}).data
            )
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        linked_ids(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _reporter_view(self, pk):
        report = selectors.harm_report_detail(
            reports=HarmReport.objects.all(), pk=pk, internal=False
        )
        actor = ReceiptHolder(report_id=report.pk)
        return HarmReportReporterOutput(report, context={"actor": actor}).data

    def _detail(self, request, pk):
        try:
            report = selectors.harm_report_for(request.user, pk)
        except HarmReport.DoesNotExist:
            raise Http404 from None
        if can_read_all_reports(request.user):
            return HarmReportPanelDetailOutput(report, context={"request": request}).data
        return HarmReportReporterOutput(report, context={"request": request}).data

    @extend_schema(responses=HarmReportView)
    def retrieve(self, request, pk=None):
        return Response(self._detail(request, int(pk)))

    @extend_schema(request=HarmReportInput, responses={201: HarmReportCreatedOutput})
    def create(self, request):
        data = self._valid(HarmReportInput, request)
        application = None
        project = data.get("project", "").strip()
        if project:
            matches = selectors.public_projects(project)
            exact = [a for a in matches if (a.reference or "").lower() == project.lower()]
            application = exact[0] if exact else (matches[0] if len(matches) == 1 else None)
        report, code = services.harm_report_create(
            actor=request.user,
            what_happened=data["what_happened"],
            occurred_when=data["occurred_when"],
            affected=data["affected"],
            categories=sorted(data["categories"]),
            application=application,
            dataset=data.get("dataset"),
            project_hint="" if application else project,
            contact={
                "name": data.get("contact_name", ""),
                "email": data.get("contact_email", ""),
                "phone": data.get("contact_phone", ""),
            },
            attachments=request.FILES.getlist("attachments"),
        )
        body = {
            "id": report.pk,
            "reference": report.reference,
            "state": report.state,
            "receipt_code": code,
            "next_step": next_step(report),
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _valid(serializer_class, request):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _officer_report(self, request, pk):
        if not is_harm_officer(request.user):
            if can_read_all_reports(request.user):
                from solidarity.errors import PermissionDenied

                raise PermissionDenied("Only harm officers may do this.")
            raise Http404
        try:
            return HarmReport.objects.get(pk=pk)
        except HarmReport.DoesNotExist:
            raise Http404 from None

    def _done(self, request, pk):
        return Response(self._detail(request, int(pk)))

    @extend_schema(request=HarmReceiptInput, responses=HarmReportReporterOutput)
    @action(detail=False, methods=["post"], url_path="status")
    def status(self, request):
        """A report's status by its receipt code; a wrong code answers 404 like a missing one."""
        data = self._valid(HarmReceiptInput, request)
        report = _by_receipt(request, data["receipt_code"])
        return Response(self._reporter_view(report.pk))

    @extend_schema(request=HarmNoteInput)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self._officer_report(request, pk)
        data = self._valid(HarmNoteInput, request)
        services.harm_report_acknowledge(
            actor=request.user, report=report, message=data.get("note") or "Thank you."
        )
        return self._done(request, pk)

    @extend_schema(request=HarmTriageInput)
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        from applications.models import Application
        from applications.rules import public_q

        report = self._officer_report(request, pk)
        data = self._valid(HarmTriageInput, request)
        applications = list(
            Application.objects.filter(public_q(), pk__in=data.get("applications", []))
        )
        datasets = list(Dataset.objects.filter(pk__in=data.get("datasets", [])))
        services.harm_report_triage(
            actor=request.user,
            report=report,
            severity=data["severity"],
            applications=applications,
            datasets=datasets,
            note=data.get("note", ""),
        )
        harm_reviews_check_after_commit()
        return self._done(request, pk)

    @extend_schema(request=HarmNoteInput)
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        report = self._officer_report(request, pk)
        data = self._valid(HarmNoteInput, request)
        services.harm_report_investigate(
            actor=request.user, report=report, note=data.get("note", "")
        )
        return self._done(request, pk)

    @extend_schema(request=RedressOfferInput, responses=RedressActionOutput)
    @action(detail=True, methods=["post"], url_path="offer-redress")
    def offer_redress(self, request, pk=None):
        report = self._officer_report(request, pk)
        data = self._valid(RedressOfferInput, request)
        offered = services.redress_offer(
            actor=request.user,
            report=report,
            kind=data["kind"],
            description=data["description"],
            amount_minor=data.get("amount_minor"),
            currency=data.get("currency", ""),
            dataset=data.get("dataset"),
        )
        return Response(
            RedressActionOutput(offered, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=HarmResolveInput)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        report = self._officer_report(request, pk)
        data = self._valid(HarmResolveInput, request)
        # The resolution and its lesson are saved together, or neither.
        with transaction.atomic():
            services.harm_report_resolve(actor=request.user, report=report, outcome=data["outcome"])
            if data.get("lesson", "").strip():
                harm_lesson_record(actor=request.user, report=report, text=data["lesson"])
        return self._done(request, pk)

    @extend_schema(request=HarmReasonsInput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        report = self._officer_report(request, pk)
        data = self._valid(HarmReasonsInput, request)
        services.harm_report_close(actor=request.user, report=report, reasons=data["reasons"])
        return self._done(request, pk)

    @extend_schema(request=HarmReferInput)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        report = self._officer_report(request, pk)
        data = self._valid(HarmReferInput, request)
        services.harm_report_refer(
            actor=request.user,
            report=report,
            referred_to=data["referred_to"],
            reasons=data["reasons"],
        )
        return self._done(request, pk)

    @extend_schema(request=HarmSuspensionInput)
    @action(detail=True, methods=["post"], url_path="recommend-suspension")
    def recommend_suspension(self, request, pk=None):
        from applications.models import Application
        from applications.rules import public_q

        report = self._officer_report(request, pk)
        data = self._valid(HarmSuspensionInput, request)
        try:
            application = Application.objects.get(public_q(), pk=data["application"])
        except Application.DoesNotExist:
            raise Http404 from None
        services.harm_report_recommend_suspension(
            actor=request.user, report=report, application=application, reason=data["reason"]
        )
        return self._done(request, pk)

    def _reporter_or_officer(self, request, pk, code):
        """The actor for a reporter's action: the signed-in reporter/officer or the code."""
        try:
            report = HarmReport.objects.get(pk=int(pk))
        except (HarmReport.DoesNotExist, ValueError):
            raise Http404 from None
        user = request.user
        if user.is_authenticated and (is_harm_officer(user) or report.reporter_id == user.pk):
            return user, report
        if code:
            found = _by_receipt(request, code)
            if found.pk == report.pk:
                return ReceiptHolder(report_id=report.pk), report
        raise Http404

    @extend_schema(request=HarmMessageInput, responses={201: HarmMessageSentOutput})
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        data = self._valid(HarmMessageInput, request)
        actor, report = self._reporter_or_officer(request, pk, data.get("receipt_code"))
        services.harm_message_post(
            actor=actor, report=report, body=data["body"], internal=data.get("internal", False)
        )
        return Response({"detail": "sent"}, status=status.HTTP_201_CREATED)

    @extend_schema(request=HarmAppealInput)
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        data = self._valid(HarmAppealInput, request)
        actor, report = self._reporter_or_officer(request, pk, data.get("receipt_code"))
        report = services.harm_report_appeal(actor=actor, report=report, grounds=data["grounds"])
        return Response({"state": report.state})


class RedressActionViewSet(viewsets.ReadOnlyModelViewSet):
    """Redress actions; the reporter answers offers, the panel (or custodian) delivers."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = RedressActionOutput
    filterset_fields = ["state", "kind", "report"]

    def get_permissions(self):
        if self.action in ("accept", "decline", "payment_details"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.redress_actions_visible_to(self.request.user).order_by("id")

    def _as_reporter(self, request, pk, serializer_class, service):
        """A reporter's move on an action: the signed-in reporter (or an officer for them), or
        whoever holds the report's receipt code; the service makes the rulebook's checks."""
        data = dict(HarmReportViewSet._valid(serializer_class, request))
        try:
            item = RedressAction.objects.select_related("report").get(pk=int(pk))
        except (RedressAction.DoesNotExist, ValueError):
            raise Http404 from None
        actor, _report = HarmReportViewSet()._reporter_or_officer(
            request, item.report_id, data.pop("receipt_code", None)
        )
        item = service(actor=actor, action=item, **data)
        return Response(RedressActionOutput(item, context={"actor": actor}).data)

    def _answer(self, request, pk, service):
        return self._as_reporter(request, pk, RedressAnswerInput, service)

    @extend_schema(request=RedressAnswerInput)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, pk, services.redress_accept)

    @extend_schema(request=RedressAnswerInput)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(request, pk, services.redress_decline)

    @extend_schema(request=HarmNoteInput)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        from .permissions import can_complete_data_request

        try:
            item = RedressAction.objects.select_related("report", "dataset").get(pk=int(pk))
        except (RedressAction.DoesNotExist, ValueError):
            raise Http404 from None
        if not can_complete_data_request(request.user, item) and not can_read_all_reports(
            request.user
        ):
            raise Http404
        data = HarmReportViewSet._valid(HarmNoteInput, request)
        item = services.redress_deliver(actor=request.user, action=item, note=data.get("note", ""))
        return Response(RedressActionOutput(item, context={"request": request}).data)

    @extend_schema(request=RedressPaymentDetailsInput, responses=RedressActionOutput)
    @action(detail=True, methods=["post"], url_path="payment-details")
    def payment_details(self, request, pk=None):
        """The reporter says where accepted financial support is to be paid (as on the status
        page); the details are encrypted and never returned."""
        return self._as_reporter(
            request, pk, RedressPaymentDetailsInput, services.redress_payment_details_give
        )

    @extend_schema(request=RedressWithdrawInput, responses=RedressActionOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The panel withdraws an offer not yet delivered; reserved money is released."""
        item = self.get_object()  # 404 for whoever may not see it
        data = HarmReportViewSet._valid(RedressWithdrawInput, request)
        item = services.redress_withdraw(actor=request.user, action=item, reason=data["reason"])
        return Response(RedressActionOutput(item, context={"request": request}).data)


class SuspensionDecisionInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class SuspensionDismissInput(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class SuspensionProjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()


class SuspensionRecommendationOutput(serializers.ModelSerializer):
    application = SuspensionProjectOutput(read_only=True)
    report = serializers.CharField(source="report.reference", read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = SuspensionRecommendation
        fields = [
            "id",
            "state",
            "reason",
            "report",
            "application",
            "created_at",
            "decided_at",
            "decision_reason",
            "actions",
        ]
        read_only_fields = fields

    def get_actions(self, obj) -> list[str]:
        """The moves of ``harms.rules.SUSPENSION`` the caller may make now."""
        user = self.context["request"].user
        return sorted(t.name for t in rules.SUSPENSION.available(user, obj))


class CanReadSuspensionRecommendations(IsAuthenticated):
    def has_permission(self, request, view):
        return super().has_permission(request, view) and can_read_suspension_recommendations(
            request.user
        )


class SuspensionRecommendationViewSet(viewsets.ReadOnlyModelViewSet):
    """The panel's suspension recommendations: the chair executes or dismisses them (the
    rulebook ``harms.rules.SUSPENSION``); harm officers and auditors read them."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = SuspensionRecommendationOutput
    permission_classes = [CanReadSuspensionRecommendations]
    filterset_fields = ["state"]

    def get_queryset(self):
        return selectors.suspension_recommendations()

    def _decided(self, request, rec):
        rec = SuspensionRecommendation.objects.select_related("application", "report").get(
            pk=rec.pk
        )
        return Response(SuspensionRecommendationOutput(rec, context={"request": request}).data)

    @extend_schema(request=SuspensionDecisionInput, responses=SuspensionRecommendationOutput)
    @action(detail=True, methods=["post"])
    def execute(self, request, pk=None):
        """The chair suspends the project (through the applications rulebook)."""
        rec = self.get_object()
        data = HarmReportViewSet._valid(SuspensionDecisionInput, request)
        services.suspension_recommendation_execute(
            actor=request.user, recommendation=rec, reason=data.get("reason", "")
        )
        return self._decided(request, rec)

    @extend_schema(request=SuspensionDismissInput, responses=SuspensionRecommendationOutput)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        """The chair dismisses the recommendation with a written reason."""
        rec = self.get_object()
        data = HarmReportViewSet._valid(SuspensionDismissInput, request)
        services.suspension_recommendation_dismiss(
            actor=request.user, recommendation=rec, reason=data.get("reason", "")
        )
        return self._decided(request, rec)


def register(router) -> None:
    """Add this app's viewsets to the /api/v1/ router."""
    router.register("harm-reports", HarmReportViewSet, basename="harm-report")
    router.register(
        "suspension-recommendations",
        SuspensionRecommendationViewSet,
        basename="suspension-recommendation",
    )
    router.register("redress-actions", RedressActionViewSet, basename="redress-action")
    from . import case_api, lesson_api

    case_api.register(router)
    lesson_api.register(router)
