"""What a node may read: its organisation's grants and visas, nothing else."""

import datetime

import jwt
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from grants import services
from grants.models import Grant
from tests.factories import OrganisationFactory, UserFactory


def test_a_node_lists_only_its_organisations_grants(active, node_client, dataset):
    response = node_client.get("/api/v1/grants/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["dataset"] for r in rows] == [dataset.pk]
    row = rows[0]
    assert row["user"] == "alice" and row["project"] == active.reference
    assert row["current"] is True and row["end_reason"] == ""
    assert row["access_mode"] == "federated" and row["custodian"] == dataset.custodian.slug


def test_a_node_of_another_organisation_sees_nothing_of_ours(active, custodian):
    stranger_org = OrganisationFactory(name="Elsewhere Clinic")
    stranger = UserFactory.member_of(stranger_org, username="sven", roles=["custodian"])
    _, credential, _ = services.node_register(
        actor=stranger, organisation=stranger_org, name="Elsewhere node"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
    assert client.get("/api/v1/grants/").json()["results"] == []
    assert client.get("/api/v1/grants/?user=alice").json()["results"] == []
    assert client.get("/api/v1/permissions/alice/").json() == {"ga4gh_passport_v1": []}
    assert client.get("/api/v1/runs/").json()["results"] == []
    grant = Grant.objects.filter(application=active).first()
    response = client.post(
        "/api/v1/runs/",
        {
            "grant": grant.pk,
            "ran_at": timezone.now().isoformat(),
            "job_reference": "j1",
            "verdict": "released",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["grant"] == ["Unknown grant."]


def test_a_node_gets_only_the_visas_on_its_datasets(active, node_client, dataset, settings):
    tokens = node_client.get("/api/v1/permissions/alice/").json()["ga4gh_passport_v1"]
    assert len(tokens) == 1
    claims = jwt.decode(tokens[0], options={"verify_signature": False})
    assert claims["ga4gh_visa_v1"]["value"] == f"{settings.VISA_ISSUER}/datasets/{dataset.pk}/"
    # Unknown users look the same as users without grants here: no enumeration.
    assert node_client.get("/api/v1/permissions/nobody/").json() == {"ga4gh_passport_v1": []}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications/",
        "/api/v1/datasets/",
        "/api/v1/dataset-requests/",
        "/api/v1/harm-reports/",
        "/api/v1/audit-events/",
        "/api/v1/benefit-agreements/",
    ],
)
def test_a_node_credential_opens_nothing_else(active, node_client, url):
    assert node_client.get(url).status_code in (401, 403)


def test_a_revoked_or_wrong_credential_is_refused(active, node_with_credential, custodian):
    node, credential, _ = node_with_credential
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}x")
    assert client.get("/api/v1/grants/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer sol_node_zzzz.nothing")
    assert client.get("/api/v1/grants/").status_code == 401
    services.node_revoke(actor=custodian, node=node)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {credential}")
    response = client.get("/api/v1/grants/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_changed_since_serves_only_what_changed(active, node_client, chair, api_client):
    first = node_client.get("/api/v1/grants/").json()["results"]
    mark = first[-1]["updated_at"]
    assert node_client.get("/api/v1/grants/", {"changed_since": mark}).json()["results"] == []
    api_client.force_authenticate(chair)
    api_client.post(f"/api/v1/applications/{active.pk}/revoke/", {"reason": "x"}, format="json")
    rows = node_client.get("/api/v1/grants/", {"changed_since": mark}).json()["results"]
    assert len(rows) == 1
    assert rows[0]["current"] is False and rows[0]["end_reason"] == "revoked"
    assert rows[0]["ended_at"]


def test_filters_and_bad_parameters(active, node_client, dataset, other_dataset):
    assert len(node_client.get("/api/v1/grants/", {"dataset": dataset.pk}).json()["results"]) == 1
    assert node_client.get("/api/v1/grants/", {"dataset": other_dataset.pk}).json()["results"] == []
    assert len(node_client.get("/api/v1/grants/", {"user": "alice"}).json()["results"]) == 1
    assert node_client.get("/api/v1/grants/", {"user": "bob"}).json()["results"] == []
    assert len(node_client.get("/api/v1/grants/", {"current": "true"}).json()["results"]) == 1
    assert node_client.get("/api/v1/grants/", {"current": "false"}).json()["results"] == []
    for params in (
        {"dataset": "x"},
        {"dataset": "²"},
        {"changed_since": "yesterday"},
        {"changed_since": "2026-01-01T00:00:00"},  # no offset: ambiguous
        {"current": "maybe"},
    ):
        response = node_client.get("/api/v1/grants/", params)
        assert response.status_code == 400, params
        assert response.json()["error"]["fields"]


def _many_grants(active, dataset, count):
    request = active.dataset_requests.get(dataset=dataset)
    now = timezone.now()
    users = [UserFactory(username=f"member{i}") for i in range(count)]
    Grant.objects.bulk_create(
        Grant(
            application=active,
            dataset_request=request,
            dataset=dataset,
            organisation=dataset.custodian,
            user=user,
            access_mode="federated",
            started_at=now,
            updated_at=now + datetime.timedelta(seconds=i),
        )
        for i, user in enumerate(users)
    )


def test_the_grants_list_keeps_a_fixed_number_of_queries(active, node_client, dataset):
    node_client.get("/api/v1/grants/")  # the first call of the minute notes "last seen"
    with CaptureQueriesContext(connection) as few:
        assert len(node_client.get("/api/v1/grants/").json()["results"]) == 1
    _many_grants(active, dataset, 60)
    with CaptureQueriesContext(connection) as many:
        assert len(node_client.get("/api/v1/grants/").json()["results"]) == 61
    assert len(many) == len(few) == 2  # the node, then one page of grants with its relations


def test_keyset_pages_reach_every_grant_once(active, node_client, dataset):
    _many_grants(active, dataset, 12)
    seen = []
    url = "/api/v1/grants/?page_size=5"
    while url:
        body = node_client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == 13 and len(set(seen)) == 13


def test_people_see_their_own_and_their_organisations_grants(
    api_client, active, researcher, custodian, outsider
):
    api_client.force_authenticate(researcher)
    assert len(api_client.get("/api/v1/grants/").json()["results"]) == 2
    api_client.force_authenticate(custodian)
    assert len(api_client.get("/api/v1/grants/").json()["results"]) == 1
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/grants/").json()["results"] == []
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/grants/").status_code in (401, 403)


def test_openapi_documents_the_node_endpoints_and_their_credential(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    scheme = schema["components"]["securitySchemes"]["nodeCredential"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    for path, method in (
        ("/api/v1/grants/", "get"),
        ("/api/v1/permissions/{user}/", "get"),
        ("/api/v1/runs/", "post"),
    ):
        operation = schema["paths"][path][method]
        assert {"nodeCredential": []} in operation["security"], path
    parameters = {p["name"] for p in schema["paths"]["/api/v1/grants/"]["get"]["parameters"]}
    assert {"dataset", "user", "changed_since", "cursor"} <= parameters


def test_the_passport_keeps_a_fixed_number_of_queries(
    api_client, active, researcher, secretariat, chair, custodian, dataset
):
    from tests.applications import factories as app_factories

    api_client.force_authenticate(researcher)
    api_client.get("/api/v1/permissions/alice/")  # the first call makes the signing key
    with CaptureQueriesContext(connection) as few:
        assert len(api_client.get("/api/v1/permissions/alice/").json()["ga4gh_passport_v1"]) == 2
    for _ in range(3):
        app_factories.active(researcher, secretariat, chair, custodian, datasets=[dataset])
    with CaptureQueriesContext(connection) as many:
        assert len(api_client.get("/api/v1/permissions/alice/").json()["ga4gh_passport_v1"]) == 5
    assert len(many) == len(few)
