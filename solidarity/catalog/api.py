from rest_framework import serializers, viewsets

from . import selectors
from .models import Dataset, Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "country", "kind"]


class DatasetSerializer(serializers.ModelSerializer):
    custodian = OrganisationSerializer(read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "title",
            "description",
            "population",
            "communities",
            "sensitivity",
            "access_modes",
            "consent_use",
            "consent_modifiers",
            "consent_disease",
            "consent_regions",
            "is_active",
            "custodian",
        ]


class DatasetViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue of datasets, for any signed-in user. Custodians edit in the browser."""

    lookup_value_regex = r"\d+"  # a non-numeric id is a 404, not a 500

    serializer_class = DatasetSerializer
    filterset_fields = ["sensitivity", "custodian", "is_active"]
    ordering_fields = ["title", "created_at"]

    def get_queryset(self):
        return selectors.dataset_list(
            search=self.request.query_params.get("search", ""),
            access_mode=self.request.query_params.get("access_mode", ""),
        )
