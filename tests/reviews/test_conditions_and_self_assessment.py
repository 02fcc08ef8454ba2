"""Conditions of approval, and the applicant's self-assessment with its provisional type."""

import pytest
from django.urls import reverse

from applications import services as application_services
from reviews import services
from reviews.models import Assessment, ConditionState
from solidarity.audit.models import AuditEvent
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

from . import factories


@pytest.fixture
def condition(in_review, chair):
    return services.condition_add(
        actor=chair, application=in_review, text="Publish the code.", due_on=factories.due(30)
    )


def test_a_condition_is_set_reported_and_marked_met(client, condition, researcher, secretariat):
    assert condition.owner == researcher and condition.state == ConditionState.OPEN
    client.force_login(researcher)
    url = reverse("reviews:condition", args=[condition.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "report", "report": "Code is on the university GitLab."})
    assert response.status_code == 302
    client.force_login(secretariat)
    assert client.post(url, {"action": "met"}).status_code == 302
    condition.refresh_from_db()
    assert condition.state == ConditionState.MET and condition.report
    actions = list(
        AuditEvent.objects.filter(action__startswith="condition.").values_list("action", flat=True)
    )
    assert actions == ["condition.add", "condition.report", "condition.met"]


def test_waiving_needs_a_reason(condition, secretariat):
    with pytest.raises(DomainError):
        services.condition_waive(actor=secretariat, condition=condition, reason=" ")
    services.condition_waive(actor=secretariat, condition=condition, reason="No longer relevant.")
    condition.refresh_from_db()
    assert condition.state == ConditionState.WAIVED
    with pytest.raises(TransitionNotAllowed):
        services.condition_mark_met(actor=secretariat, condition=condition)
    event = AuditEvent.objects.filter(action="condition.waive").get()
    assert (event.from_state, event.to_state) == ("open", "waived")


@pytest.mark.parametrize("who", ["researcher", "reviewer", "chair", "outsider"])
def test_only_the_secretariat_marks_conditions(request, condition, who):
    with pytest.raises(PermissionDenied):
        services.condition_mark_met(actor=request.getfixturevalue(who), condition=condition)


def test_others_cannot_report_on_or_see_a_condition(client, condition, other_researcher):
    with pytest.raises(PermissionDenied):
        services.condition_report(actor=other_researcher, condition=condition, report="Hi")
    client.force_login(other_researcher)
    assert client.get(reverse("reviews:condition", args=[condition.pk])).status_code == 404


def test_a_mitigation_condition_must_name_a_filed_risk(in_review, chair):
    with pytest.raises(DomainError) as excinfo:
        services.condition_add(
            actor=chair, application=in_review, kind="mitigation", text="x", due_on=factories.due()
        )
    assert "risk" in excinfo.value.field_errors


def test_researchers_cannot_set_conditions(in_review, researcher):
    with pytest.raises(PermissionDenied):
        services.condition_add(
            actor=researcher, application=in_review, text="x", due_on=factories.due()
        )


# ---- self-assessment ---------------------------------------------------------------------


def _form_data(framework, **shape):
    picked = factories.answers(framework, **shape)
    data = {f"q_{k}": [str(v) for v in vs] for k, vs in picked.items()}
    data.update(
        {f"q_{k}_other": text for k, text in factories.other_texts(framework, picked).items()}
    )
    return data


def test_the_applicant_sees_the_provisional_type_and_what_pulled_it_down(
    client, researcher, framework
):
    application = factories.draft(researcher)
    client.force_login(researcher)
    url = reverse("reviews:self-assessment", args=[application.pk])
    assert "PLUTO" in client.get(url).content.decode()
    response = client.post(url, _form_data(framework, benefit="high", safety="low"))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-type="C"' in page
    assert "What pulled the score down" in page
    assert "your score would be higher if the data user had a (better) risk assessment" in page
    assessment = Assessment.objects.get(application=application, kind="self")
    assert assessment.use_type == "C"
    assert AuditEvent.objects.filter(action="assessment.file", payload__kind="self").exists()


def test_a_partial_self_assessment_may_be_saved_but_an_invalid_one_is_refused(
    client, researcher, framework
):
    application = factories.draft(researcher)
    q2 = next(q for q in framework.specs() if q.label == "Q2")
    picks = [c.id for c in q2.choices if c.kind == "regular"][:3]
    client.force_login(researcher)
    url = reverse("reviews:self-assessment", args=[application.pk])
    response = client.post(url, {f"q_{q2.id}": [str(p) for p in picks]})
    assert response.status_code == 200
    assert "Q2: Pick at most 2." in response.content.decode()
    assert not Assessment.objects.filter(application=application).exists()
    response = client.post(url, {f"q_{q2.id}": [str(picks[0])]})
    assert response.status_code == 302


def test_the_self_assessment_is_frozen_with_the_submitted_version(researcher, framework):
    application = factories.draft(researcher)
    picked = factories.answers(framework)
    services.self_assessment_save(
        actor=researcher,
        application=application,
        answers=picked,
        other=factories.other_texts(framework, picked),
    )
    application = application_services.application_submit(actor=researcher, application=application)
    version = application.versions.get()
    part = version.content["parts"]["self_assessment"]
    assert part["type"] == "A" and part["benefit"]["normalised"] == 1
    with pytest.raises(TransitionNotAllowed):
        services.self_assessment_save(
            actor=researcher, application=application, answers=factories.answers(framework)
        )


@pytest.mark.parametrize("who", ["other_researcher", "reviewer", "secretariat", "outsider"])
def test_only_the_applicant_answers_the_self_assessment(
    client, request, researcher, framework, who
):
    application = factories.draft(researcher)
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.self_assessment_save(actor=user, application=application, answers={})
    client.force_login(user)
    assert client.get(reverse("reviews:self-assessment", args=[application.pk])).status_code == 404
