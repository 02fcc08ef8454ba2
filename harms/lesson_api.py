"""Harm reviews opened by the threshold, for the chair and the harm panel:
``/api/v1/harm-reviews/`` (list, read) and ``POST …/<id>/close/`` (the chair)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from .lesson_models import HarmReview
from .lessons import harm_review_close
from .permissions import can_decide_suspension, is_harm_officer


class HarmReviewOutput(serializers.ModelSerializer):
    application = serializers.CharField(source="application.reference", read_only=True)
    application_title = serializers.CharField(source="application.title", read_only=True)

    class Meta:
        model = HarmReview
        fields = [
            "id",
            "application",
            "application_title",
            "scope",
            "scope_id",
            "scope_label",
            "report_count",
            "min_severity",
            "window_days",
            "state",
            "opened_at",
            "closed_at",
            "outcome",
        ]
        read_only_fields = fields


class HarmReviewCloseInput(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)


class HarmReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Harm reviews, oldest first; ``?state=open`` for those still waiting for the chair."""

    lookup_value_regex = r"\d+"
    serializer_class = HarmReviewOutput
    permission_classes = [IsAuthenticated]
    filterset_fields = ["state"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI generator
            return HarmReview.objects.none()
        user = self.request.user
        if not (can_decide_suspension(user) or is_harm_officer(user)):
            raise DRFPermissionDenied("Only the chair and the harm panel see harm reviews.")
        return HarmReview.objects.select_related("application").order_by("opened_at", "id")

    @extend_schema(request=HarmReviewCloseInput, responses=HarmReviewOutput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        review = self.get_object()
        data = HarmReviewCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = harm_review_close(
            actor=request.user, review=review, outcome=data.validated_data["outcome"]
        )
        return Response(HarmReviewOutput(review).data)


def register(router) -> None:
    router.register("harm-reviews", HarmReviewViewSet, basename="harm-review")
