import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from solidarity.api import RowSerializer

from .models import AuditEvent
from .permissions import IsAuditor
from .services import audit_verify


class AuditEventSerializer(RowSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "from_state",
            "to_state",
            "payload",
            "prev_hash",
            "hash",
        ]


class AuditEventFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    actor = django_filters.CharFilter(field_name="actor_label")
    action = django_filters.CharFilter(field_name="action", lookup_expr="startswith")
    search = django_filters.CharFilter(
        method="search_text", label="Words in the action, actor or object (ranked)"
    )

    def search_text(self, queryset, name, value):
        from .selectors import audit_event_search

        return audit_event_search(queryset, value)

    class Meta:
        model = AuditEvent
        fields = ["target_type", "target_id"]


class AuditVerifyOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    checked = serializers.IntegerField()
    broken_event_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True, allow_null=True)


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail, read-only, for auditors."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = AuditEventSerializer
    permission_classes = [IsAuditor]
    filterset_class = AuditEventFilter
    queryset = AuditEvent.objects.all()

    @extend_schema(responses=AuditVerifyOutput)
    @action(detail=False, methods=["get"])
    def verify(self, request):
        result = audit_verify()
        return Response(
            {
                "ok": result.ok,
                "checked": result.checked,
                "broken_event_id": result.broken_event_id,
                "reason": result.reason,
            }
        )
