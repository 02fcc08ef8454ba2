"""The harm-case API: assign or hand over a report, and incidents grouping reports.

Only harm officers: auditors, reporters and every other role are refused (403 when signed in).
Outputs name officers and report ids, never a reporter.
"""

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from . import case_selectors, cases
from .case_models import HarmIncident
from .models import HarmReport, Severity
from .permissions import is_harm_officer


class IsHarmOfficer(BasePermission):
    def has_permission(self, request, view):
        return is_harm_officer(request.user)


class AssignOwnerInput(serializers.Serializer):
    owner = serializers.IntegerField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class IncidentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    reports = serializers.ListField(
        child=serializers.IntegerField(), min_length=2, max_length=cases.MAX_INCIDENT_REPORTS
    )


class BulkInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["assign_owner", "triage"])
    reports = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, max_length=cases.BULK_LIMIT
    )
    owner = serializers.IntegerField(required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)

    def validate(self, attrs):
        if attrs["action"] == "assign_owner" and "owner" not in attrs:
            raise serializers.ValidationError({"owner": "Choose the new owner."})
        if attrs["action"] == "triage" and "severity" not in attrs:
            raise serializers.ValidationError({"severity": "Choose a severity."})
        return attrs


class BulkOutput(serializers.Serializer):
    succeeded = serializers.ListField(child=serializers.IntegerField())
    refused = serializers.ListField(child=serializers.DictField())


class IncidentReportInput(serializers.Serializer):
    report = serializers.IntegerField()


class HandoverOutput(serializers.Serializer):
    from_officer = serializers.CharField(
        source="from_officer.username", default=None, allow_null=True
    )
    to_officer = serializers.CharField(source="to_officer.username")
    by = serializers.CharField(source="by.username")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class CaseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    incident = serializers.IntegerField(source="incident_id", allow_null=True)
    handovers = HandoverOutput(many=True, source="history")


class IncidentReportOutput(serializers.Serializer):
    """One report as the incident page shows it: no reporter, no contact."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    state = serializers.CharField()
    severity = serializers.CharField()
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True)
    occurred_when = serializers.CharField()
    what_happened = serializers.CharField()
    redress = serializers.SerializerMethodField()

    def get_redress(self, obj) -> list[dict]:
        return [
            {"id": r.id, "kind": r.kind, "state": r.state, "amount": r.amount_display}
            for r in obj.redress.all()
        ]


class IncidentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    report_count = serializers.IntegerField(required=False)


class IncidentDetailOutput(IncidentOutput):
    reports = IncidentReportOutput(many=True, source="reports.all")


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _report(pk) -> HarmReport:
    try:
        return HarmReport.objects.get(pk=pk)
    except HarmReport.DoesNotExist:
        raise Http404 from None


def _officer(pk):
    user = get_user_model().objects.filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


class HarmCaseViewSet(viewsets.GenericViewSet):
    """Extra actions on /harm-reports/<id>/: case ownership (harm officers only)."""

    permission_classes = [IsHarmOfficer]
    lookup_value_regex = r"\d+"
    queryset = HarmReport.objects.none()

    def _case(self, pk):
        report = HarmReport.objects.select_related("owner").get(pk=pk)
        report.history = list(case_selectors.harm_report_handovers(report.pk))
        return CaseOutput(report).data

    @extend_schema(request=None, responses=CaseOutput)
    @action(detail=True, methods=["get"])
    def case(self, request, pk=None):
        _report(pk)
        return Response(self._case(pk))

    @extend_schema(request=AssignOwnerInput, responses=CaseOutput)
    @action(detail=True, methods=["post"], url_path="assign-owner")
    def assign_owner(self, request, pk=None):
        report = _report(pk)
        data = _valid(AssignOwnerInput, request)
        cases.harm_report_assign_owner(
            actor=request.user,
            report=report,
            owner=_officer(data["owner"]),
            note=data.get("note", ""),
        )
        return Response(self._case(pk))

    @extend_schema(request=BulkInput, responses=BulkOutput)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Triage or assign several reports; says which succeeded and which were refused."""
        data = _valid(BulkInput, request)
        owner = _officer(data["owner"]) if data["action"] == "assign_owner" else None
        result = cases.harm_reports_bulk(
            actor=request.user,
            action=data["action"],
            report_ids=data["reports"],
            owner=owner,
            severity=data.get("severity", ""),
        )
        return Response(BulkOutput(result).data)


class HarmIncidentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Incidents: several reports of the same event, seen side by side (harm officers only)."""

    permission_classes = [IsHarmOfficer]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return case_selectors.harm_incidents()

    def get_serializer_class(self):
        return IncidentOutput

    def retrieve(self, request, pk=None):
        try:
            incident = case_selectors.harm_incident_detail(int(pk))
        except HarmIncident.DoesNotExist:
            raise Http404 from None
        return Response(IncidentDetailOutput(incident).data)

    @extend_schema(request=IncidentInput, responses=IncidentDetailOutput)
    def create(self, request):
        data = _valid(IncidentInput, request)
        incident = cases.harm_incident_create(
            actor=request.user,
            title=data["title"],
            summary=data.get("summary", ""),
            report_ids=data["reports"],
        )
        body = IncidentDetailOutput(case_selectors.harm_incident_detail(incident.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _change(self, request, pk, service):
        incident = self.get_object()
        data = _valid(IncidentReportInput, request)
        service(actor=request.user, incident=incident, report=_report(data["report"]))
        return Response(IncidentDetailOutput(case_selectors.harm_incident_detail(incident.pk)).data)

    @extend_schema(request=IncidentReportInput, responses=IncidentDetailOutput)
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        return self._change(request, pk, cases.harm_incident_link)

    @extend_schema(request=IncidentReportInput, responses=IncidentDetailOutput)
    @action(detail=True, methods=["post"])
    def unlink(self, request, pk=None):
        return self._change(request, pk, cases.harm_incident_unlink)


def register(router) -> None:
    router.register("harm-reports", HarmCaseViewSet, basename="harm-report-case")
    router.register("incidents", HarmIncidentViewSet, basename="harm-incident")
