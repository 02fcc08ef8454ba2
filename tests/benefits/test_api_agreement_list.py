"""The agreement list answers summaries (no terms, no obligations); the detail keeps them."""

import json

from benefits import services

from .factories import ApprovedApplicationFactory, signed_agreement

AGREEMENTS = "/api/v1/benefit-agreements/"
LONG_TERMS = ("The parties agree that every benefit is shared fairly. " * 80).strip()  # 4.4 KB


def _agreements(researcher, officer, count):
    made = []
    for _ in range(count):
        agreement = signed_agreement(
            ApprovedApplicationFactory(applicant=researcher), officer, terms=LONG_TERMS
        )
        made.append(agreement)
    return made


def test_list_has_summaries_with_a_link_and_counts_but_no_terms(
    api_client, benefit_officer, researcher
):
    (agreement,) = _agreements(researcher, benefit_officer, 1)
    api_client.force_authenticate(benefit_officer)
    listed = api_client.get(AGREEMENTS).json()["results"][0]
    assert listed["id"] == agreement.pk
    assert "terms" not in listed and "obligations" not in listed
    assert listed["url"].endswith(f"{AGREEMENTS}{agreement.pk}/")
    assert listed["application_reference"] == agreement.application.reference
    assert listed["state"] == agreement.state
    assert listed["terms_version"] == 1
    assert listed["obligation_count"] == 1
    assert listed["open_obligation_count"] == 1
    assert listed["overdue_obligation_count"] == 0
    assert {s["side"] for s in listed["signatures"]} == {"applicant", "committee"}
    # The link leads to the detail, which keeps the full terms and the obligations.
    detail = api_client.get(listed["url"]).json()
    assert detail["terms"] == LONG_TERMS
    assert len(detail["obligations"]) == 1


def test_a_full_page_of_agreements_with_long_terms_stays_small(
    api_client, benefit_officer, researcher
):
    _agreements(researcher, benefit_officer, 25)
    api_client.force_authenticate(benefit_officer)
    response = api_client.get(AGREEMENTS, {"page_size": 25})
    body = response.json()
    assert len(body["results"]) == 25
    # 25 agreements whose terms alone weigh 110 KB: the page stays well under that.
    assert len(json.dumps(body["results"][0])) < 2_000
    assert len(response.content) < 40_000


def test_list_reads_no_terms_from_the_database(api_client, benefit_officer, researcher):
    (agreement,) = _agreements(researcher, benefit_officer, 1)
    services.agreement_reopen(actor=benefit_officer, agreement=agreement, reason="more")
    api_client.force_authenticate(benefit_officer)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert api_client.get(AGREEMENTS).status_code == 200
    main = [
        q["sql"] for q in ctx.captured_queries if 'FROM "benefits_benefitagreement"' in q["sql"]
    ]
    assert main and all('"benefits_benefitagreement"."terms"' not in sql for sql in main)


def test_schema_describes_the_list_as_summaries(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    listing = schema["paths"][AGREEMENTS]["get"]["responses"]["200"]["content"]
    ref = listing["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    item = schema["components"]["schemas"][ref]["properties"]["results"]["items"]["$ref"]
    summary = schema["components"]["schemas"][item.rsplit("/", 1)[-1]]["properties"]
    assert "terms" not in summary and "url" in summary and "obligation_count" in summary
    detail = schema["paths"][AGREEMENTS + "{id}/"]["get"]["responses"]["200"]["content"]
    ref = detail["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "terms" in schema["components"]["schemas"][ref]["properties"]
