"""'Why it was allowed' on a public register entry: the committee's assessment (anonymous),
the types, the conditions, the DUO terms and consent conflicts, access per dataset, a chart."""

import datetime
import re
from fractions import Fraction

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, ConsentAcknowledgement, DatasetRequest
from reviews.models import (
    Assessment,
    AssessmentFramework,
    Assignment,
    CommitteeFile,
    Condition,
)
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory


def _canary_user(n, prefix="r"):
    return UserFactory(
        username=f"canary{prefix}{n}",
        first_name="Philomena",
        last_name=f"Canarysurname{prefix}{n}",
        email=f"canary{prefix}{n}@reviewers.example",
    )


@pytest.fixture
def framework(db):
    return AssessmentFramework.objects.create(name="PLUTO", version="test")


@pytest.fixture
def dataset(db):
    return DatasetFactory(
        custodian=OrganisationFactory(name="Northern Registry Trust"),
        title="Stroke registry",
        consent_use="DUO:0000007",
        consent_disease="stroke",
        consent_modifiers=["DUO:0000046", "DUO:0000019"],
    )


@pytest.fixture
def project(db, dataset):
    applicant = _canary_user(0, prefix="applicant")
    app = Application.objects.create(
        applicant=applicant,
        organisation=OrganisationFactory(name="Open Health Institute"),
        title="Stroke recovery study",
        lay_summary="How people recover after a stroke.",
        public_benefit="Better rehabilitation.",
        state="active",
        reference="DSA-2026-0042",
        decided_at=timezone.now(),
        research_use="DUO:0000007",
        research_disease="stroke",
    )
    DatasetRequest.objects.create(
        application=app, dataset=dataset, access_mode="trusted_environment"
    )
    return app


def _scores(benefit, safety):
    """Stored integer scores giving these normalised values (out of 0..8 on each axis)."""
    b = Fraction(benefit)
    s = Fraction(safety)
    return {
        "benefit_score": int((b + 1) * 4),
        "benefit_min": 0,
        "benefit_max": 8,
        "safety_score": int((s + 1) * 4),
        "safety_min": 0,
        "safety_max": 8,
    }


def _review(app, framework, n, benefit, safety, *, state="filed", filed=True):
    reviewer = _canary_user(n)
    assignment = Assignment.objects.create(
        application=app,
        reviewer=reviewer,
        role="scientific",
        due_on=datetime.date(2026, 1, 1),
        state=state,
        assigned_by=reviewer,
    )
    return Assessment.objects.create(
        kind="reviewer",
        application=app,
        assignment=assignment,
        author=reviewer,
        framework=framework,
        filed_at=timezone.now() if filed else None,
        **_scores(benefit, safety),
    )


def _self(app, framework, benefit, safety, *, filed=True):
    return Assessment.objects.create(
        kind="self",
        application=app,
        author=app.applicant,
        framework=framework,
        filed_at=timezone.now() if filed else None,
        **_scores(benefit, safety),
    )


def _rows(body, marker):
    """The cells of each table row carrying a data-<marker> attribute."""
    rows = re.findall(rf"<tr {marker}[^>]*>(.*?)</tr>", body, flags=re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, flags=re.S)
        ]
        for r in rows
    ]


def _page(client, app):
    response = client.get(f"/register/{app.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_published_scores_equal_the_filed_assessments(client, project, framework):
    filed = [
        _review(project, framework, 1, "1/2", "-1/4"),
        _review(project, framework, 2, "3/4", "1/2"),
        _review(project, framework, 3, "-1/4", "1/4"),
    ]
    _self(project, framework, 1, "3/4")
    body = _page(client, project)

    reviewers = _rows(body, "data-reviewer")
    expected = sorted(
        ((a.benefit_normalised, a.safety_normalised) for a in filed), key=lambda p: (-p[0], -p[1])
    )
    assert [r[0] for r in reviewers] == ["Reviewer 1", "Reviewer 2", "Reviewer 3"]
    assert [(float(r[1]), float(r[2])) for r in reviewers] == [
        (round(b, 4), round(s, 4)) for b, s in expected
    ]
    assert [r[3] for r in reviewers] == ["A", "C", "B"]

    mean_b = sum(a.benefit_normalised for a in filed) / 3
    mean_s = sum(a.safety_normalised for a in filed) / 3
    (mean,) = _rows(body, "data-mean")
    assert (mean[1], mean[2], mean[3]) == (f"{mean_b:.4f}", f"{mean_s:.4f}", "A")
    assert mean[0] == "Committee mean of 3 reviewers"

    (spread,) = _rows(body, "data-spread")
    bs = [a.benefit_normalised for a in filed]
    ss = [a.safety_normalised for a in filed]

    def sd(values):
        m = sum(values) / len(values)
        return (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5

    assert spread[1] == f"{min(bs):.4f} \u2013 {max(bs):.4f} ({sd(bs):.4f})"
    assert spread[2] == f"{min(ss):.4f} \u2013 {max(ss):.4f} ({sd(ss):.4f})"

    (own,) = _rows(body, "data-self")
    assert own[1:] == ["1.0000", "0.7500", "A"]


def test_api_entry_carries_the_same_numbers(api_client, project, framework):
    filed = [
        _review(project, framework, 1, "1/2", "-1/4"),
        _review(project, framework, 2, "1", "1"),
    ]
    response = api_client.get(f"/api/v1/register/{project.reference}/")
    assert response.status_code == 200
    why = response.json()["why"]
    assessment = why["assessment"]
    assert [(r["label"], r["benefit"], r["safety"]) for r in assessment["reviewers"]] == [
        ("Reviewer 1", 1.0, 1.0),
        ("Reviewer 2", 0.5, -0.25),
    ]
    assert assessment["mean"] == {
        "benefit": round(sum(a.benefit_normalised for a in filed) / 2, 4),
        "safety": round(sum(a.safety_normalised for a in filed) / 2, 4),
        "type": "A",
    }
    assert assessment["spread"]["benefit"]["range"] == 0.5
    assert assessment["self_assessment"] is None
    assert why["duo_terms"][0]["access_mode"] == "trusted_environment"


def test_unfiled_and_recused_assessments_never_appear(client, api_client, project, framework):
    _review(project, framework, 1, "1/2", "1/2")
    _review(project, framework, 2, "-1", "-1", state="active", filed=False)  # a draft
    _review(project, framework, 3, "-3/4", "-3/4", state="recused")  # filed, then recused
    _self(project, framework, "-1/2", "-1/2", filed=False)  # the applicant's unsaved draft
    body = _page(client, project)
    assert _rows(body, "data-self") == []
    assert "-0.5000" not in body
    reviewers = _rows(body, "data-reviewer")
    assert [r[1:3] for r in reviewers] == [["0.5000", "0.5000"]]
    assert "-1.0000" not in body and "-0.7500" not in body
    assert "Committee mean of 1 reviewer" in body
    why = api_client.get(f"/api/v1/register/{project.reference}/").json()["why"]
    assert len(why["assessment"]["reviewers"]) == 1
    assert why["assessment"]["self_assessment"] is None
    assert why["assessment"]["mean"]["benefit"] == 0.5


def test_no_reviewer_or_author_identity_appears(client, api_client, project, framework, dataset):
    for n in range(1, 4):
        _review(project, framework, n, "1/2", "1/4")
    _self(project, framework, "1/4", "1/4")
    owner = _canary_user(9, prefix="owner")
    Condition.objects.create(
        application=project,
        text="Publish the code",
        owner=owner,
        created_by=owner,
        due_on=datetime.date(2030, 1, 1),
    )
    ConsentAcknowledgement.objects.create(
        application=project,
        dataset=dataset,
        term="DUO:0000046",
        party="committee",
        reason="The company only hosts the analysis.",
        acknowledged_by=_canary_user(8, prefix="ack"),
    )
    texts = [
        _page(client, project),
        api_client.get(f"/api/v1/register/{project.reference}/").content.decode(),
    ]
    for text in texts:
        lowered = text.lower()
        assert "canary" not in lowered
        assert "philomena" not in lowered
        assert "reviewers.example" not in lowered
        assert "The company only hosts the analysis." in text


def test_types_override_conditions_consent_and_access(client, project, framework, dataset):
    _review(project, framework, 1, "-1/2", "1/2")  # computed type B
    CommitteeFile.objects.create(
        application=project, quorum=3, override_type="A", override_reason="Strong patient backing."
    )
    owner = _canary_user(9, prefix="owner")
    today = timezone.localdate()
    for text, state, due, extra in [
        ("Share the code openly", "met", today, {}),
        ("Report yearly", "waived", today, {"waive_reason": "Covered elsewhere"}),
        ("Train the analysts", "open", today + datetime.timedelta(days=30), {}),
        ("Publish a lay report", "open", today - datetime.timedelta(days=1), {}),
    ]:
        Condition.objects.create(
            application=project,
            text=text,
            state=state,
            due_on=due,
            owner=owner,
            created_by=owner,
            **extra,
        )
    ConsentAcknowledgement.objects.create(
        application=project,
        dataset=dataset,
        term="DUO:0000046",
        party="committee",
        reason="A company hosts the servers but takes no data.",
        acknowledged_by=owner,
    )
    body = _page(client, project)
    assert re.search(r"data-computed-type>B: low risk, low public value<", body)
    assert re.search(r"data-effective-type>A: low risk, high public value<", body)
    assert "Strong patient backing." in body
    statuses = {r[0]: r[2] for r in _rows(body, 'data-condition="[a-z]+"')}
    assert statuses == {
        "Share the code openly": "met",
        "Report yearly": "waived",
        "Train the analysts": "open",
        "Publish a lay report": "overdue",
    }
    assert "Covered elsewhere" not in body  # the public wording is the condition's text
    assert "Disease-specific research (DUO:0000007)" in body
    assert "Non-commercial use only (DUO:0000046)" in body
    assert "Publication required (DUO:0000019)" in body
    assert "A company hosts the servers but takes no data." in body
    assert 'data-access="trusted_environment">Trusted research environment<' in body


def test_chart_is_accessible_inline_svg_with_a_table(client, project, framework):
    _review(project, framework, 1, "1/2", "1/2")
    _review(project, framework, 2, "-1/2", "1/4")
    body = _page(client, project)
    svg = re.search(r"<svg[^>]*id=\"why-chart\".*?</svg>", body, flags=re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="why-chart-title why-chart-desc"' in svg
    assert '<title id="why-chart-title">' in svg and '<desc id="why-chart-desc">' in svg
    assert "<script" not in svg and "style=" not in svg and "<style" not in svg
    for quadrant in ("A", "B", "C", "D"):
        assert re.search(rf">{quadrant}</text>", svg)
    assert "Committee mean" in svg and "Reviewer 1" in svg
    assert "data-why-scores" in body  # the data table beside the chart
    assert "css/charts.css" in body


def test_entry_without_assessments_still_works(client, api_client, project):
    body = _page(client, project)
    assert "Why it was allowed" in body
    assert "data-no-assessment" in body
    assert "<svg" not in body or 'id="why-chart"' not in body
    assert "No conditions were set." in body
    why = api_client.get(f"/api/v1/register/{project.reference}/").json()["why"]
    assert why["assessment"] == {
        "reviewers": [],
        "mean": None,
        "spread": {},
        "self_assessment": None,
    }


def _queries(client, app):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/register/{app.reference}/").status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_reviewers(client, project, framework, dataset):
    owner = _canary_user(9, prefix="owner")
    _review(project, framework, 1, "1/2", "1/2")
    Condition.objects.create(
        application=project, text="One", owner=owner, created_by=owner, due_on=timezone.localdate()
    )
    # Pages are cached against the audit chain's tip and these rows are written without the
    # services: compare the page as built from an empty cache, with as many rows and more.
    cache.clear()
    one = _queries(client, project)
    for n in range(2, 6):
        _review(project, framework, n, "1/4", f"{n}/8")
        Condition.objects.create(
            application=project,
            text=f"Condition {n}",
            owner=owner,
            created_by=owner,
            due_on=timezone.localdate(),
        )
    extra = DatasetFactory(custodian=dataset.custodian, title="Second registry")
    DatasetRequest.objects.create(application=project, dataset=extra, access_mode="federated")
    ConsentAcknowledgement.objects.create(
        application=project,
        dataset=extra,
        term="DUO:0000019",
        party="committee",
        reason="Results go back to the registry.",
        acknowledged_by=owner,
    )
    cache.clear()
    five = _queries(client, project)
    assert five == one
    assert "Reviewer 5" in _page(client, project)
