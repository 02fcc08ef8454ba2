"""The API's filter backend skips the filter set when no filter is asked for: the lists'
filters still apply when named, refuse bad values, and a view's generated filter set (its
``filterset_fields``) gives the same answers request after request."""

import pytest

from harms.models import HarmReport
from tests.harms.factories import make_application, make_report


def _ids(response):
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


@pytest.mark.django_db
def test_harm_report_filters_apply_when_named_and_not_otherwise(api_client, harm_officer):
    received, _code = make_report()
    triaged, _code = make_report()
    HarmReport.objects.filter(pk=triaged.pk).update(state="triaged")
    api_client.force_authenticate(harm_officer)

    both = sorted([received.pk, triaged.pk])
    assert _ids(api_client.get("/api/v1/harm-reports/")) == both
    assert _ids(api_client.get("/api/v1/harm-reports/?unrelated=triaged")) == both
    for _ in range(2):  # the generated filter set, built once, answers each request alike
        assert _ids(api_client.get("/api/v1/harm-reports/?state=triaged")) == [triaged.pk]
        assert _ids(api_client.get("/api/v1/harm-reports/?state=received")) == [received.pk]


@pytest.mark.django_db
def test_a_bad_filter_value_is_still_refused(api_client, harm_officer, secretariat):
    make_report()
    api_client.force_authenticate(harm_officer)
    response = api_client.get("/api/v1/harm-reports/?state=bogus")
    assert response.status_code == 400
    assert "state" in response.json()["error"]["fields"]

    api_client.force_authenticate(secretariat)
    response = api_client.get("/api/v1/applications/?older_than=x")
    assert response.status_code == 400
    assert "older_than" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_application_filters_apply_when_named(api_client, secretariat, researcher):
    submitted = make_application(researcher, state="submitted")
    active = make_application(researcher, state="active")
    api_client.force_authenticate(secretariat)

    assert _ids(api_client.get("/api/v1/applications/")) == sorted([submitted.pk, active.pk])
    assert _ids(api_client.get("/api/v1/applications/?state=active")) == [active.pk]
    assert _ids(api_client.get("/api/v1/applications/?mine=true")) == []


@pytest.mark.django_db
def test_row_serializer_writes_what_drf_writes(researcher, organisation):
    """The list rows' serializer gives DRF's answer field for field: plain columns, a foreign
    key's id, dotted sources with and without a value, dates, JSON and None."""
    from rest_framework import serializers

    from applications.models import Application
    from solidarity.api import RowSerializer

    class Plain(serializers.ModelSerializer):
        applicant = serializers.CharField(source="applicant.username")
        organisation_name = serializers.CharField(source="organisation.name", default=None)
        submitted = serializers.DateTimeField(source="submitted_at")
        organisation_id = serializers.IntegerField(allow_null=True)
        awaiting = serializers.SerializerMethodField()

        class Meta:
            model = Application
            fields = [
                "id",
                "reference",
                "title",
                "state",
                "organisation",
                "organisation_id",
                "applicant",
                "organisation_name",
                "submitted",
                "updated_at",
                "start_date",
                "commercial_involvement",
                "beneficiaries",
                "awaiting",
            ]

        def get_awaiting(self, obj) -> str:
            return f"{obj.state}!"

    class Rows(RowSerializer, Plain):
        pass

    make_application(researcher, organisation=organisation, state="submitted")
    make_application(researcher, state="draft")
    Application.objects.filter(state="submitted").update(submitted_at="2026-03-01T10:00:00Z")
    for queryset in (
        Application.objects.select_related("applicant", "organisation").order_by("id"),
        Application.objects.only("id", "reference").order_by("id"),  # deferred columns
    ):
        rows = Rows(list(queryset), many=True).data
        assert rows == Plain(list(queryset), many=True).data
        assert [row["organisation_name"] for row in rows] == [organisation.name, None]
