"""The questionnaire as the applicant fills it in: an “Other (please specify)” answer has a
text box, required and kept, which the committee and the dossier show; Q1's hint says
something its answers do not."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from applications import services as application_services
from reviews.models import Assessment, Question
from reviews.services.frameworks import BUNDLED_PLUTO, PLUTO_HINTS, parse_pluto
from solidarity.auditing.builders import _review_part

from . import factories

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _q2(framework):
    q2 = next(q for q in framework.specs() if q.label == "Q2")
    other = next(c for c in q2.choices if c.kind == "other_exclusive")
    return q2, other


def test_other_has_a_text_box_that_is_required_and_kept(client, researcher, framework):
    application = factories.draft(researcher)
    q2, other = _q2(framework)
    url = reverse("reviews:self-assessment", args=[application.pk])
    client.force_login(researcher)

    page = client.get(url).content.decode()
    assert f'name="q_{q2.id}_other"' in page
    assert "please specify" in _text(client.get(url))

    response = client.post(url, {f"q_{q2.id}": [str(other.id)]})
    assert response.status_code == 200
    assert "Please say what you mean by this answer." in _text(response)
    assert not Assessment.objects.filter(application=application).exists()

    response = client.post(
        url, {f"q_{q2.id}": [str(other.id)], f"q_{q2.id}_other": "A patients' cooperative"}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(application=application, kind="self")
    assert assessment.other_texts == {str(q2.id): "A patients' cooperative"}
    # Shown again when the applicant comes back.
    assert "A patients&#x27; cooperative" in client.get(url).content.decode()


def test_a_text_without_its_other_choice_is_not_kept(client, researcher, framework):
    application = factories.draft(researcher)
    q2, _other = _q2(framework)
    regular = next(c for c in q2.choices if c.kind == "regular")
    client.force_login(researcher)
    client.post(
        reverse("reviews:self-assessment", args=[application.pk]),
        {f"q_{q2.id}": [str(regular.id)], f"q_{q2.id}_other": "stray words"},
    )
    assert Assessment.objects.get(application=application).other_texts == {}


def test_the_api_and_service_refuse_other_without_its_text(researcher, framework):
    from solidarity.errors import DomainError

    application = factories.draft(researcher)
    q2, other = _q2(framework)
    from reviews import services

    with pytest.raises(DomainError) as refused:
        services.self_assessment_save(
            actor=researcher, application=application, answers={q2.id: [other.id]}
        )
    assert f"other.{q2.id}" in refused.value.field_errors


def test_the_committee_and_the_dossier_show_what_other_means(
    client, researcher, secretariat, chair, framework, dataset
):
    application = factories.draft(researcher, datasets=[dataset])
    q2, other = _q2(framework)
    client.force_login(researcher)
    client.post(
        reverse("reviews:self-assessment", args=[application.pk]),
        {f"q_{q2.id}": [str(other.id)], f"q_{q2.id}_other": "A regional health cooperative"},
    )
    application = application_services.application_submit(actor=researcher, application=application)
    application_services.application_accept(actor=secretariat, application=application)
    client.force_login(chair)
    committee = _text(client.get(reverse("reviews:committee", args=[application.pk])))
    assert "A regional health cooperative" in committee
    assert "The applicant's “Other” answers, in their words" in committee
    part = _review_part(application)
    assert part["self_assessment"]["other"] == [
        {
            "label": "Q2",
            "question": other_question_text(q2),
            "text": "A regional health cooperative",
        }
    ]


def test_the_other_texts_are_frozen_with_the_submitted_version(researcher, framework):
    from reviews import services
    from reviews.hooks import read_self_assessment_part

    application = factories.draft(researcher)
    q2, other = _q2(framework)
    services.self_assessment_save(
        actor=researcher,
        application=application,
        answers={q2.id: [other.id]},
        other={q2.id: "A patients' cooperative"},
    )
    application = application_services.application_submit(actor=researcher, application=application)
    part = application.versions.get().content["parts"]["self_assessment"]
    assert part["other"][0]["text"] == "A patients' cooperative"
    _title, text = read_self_assessment_part(part)
    assert "Q2: A patients' cooperative" in text


def other_question_text(q2) -> str:
    return Question.objects.get(pk=q2.id).text


def test_q1_hint_no_longer_repeats_an_answer(client, researcher, framework):
    q1 = next(q for q in framework.specs() if q.label == "Q1")
    question = Question.objects.get(pk=q1.id)
    assert question.explanation.strip() not in {c.label.strip() for c in q1.choices}
    assert question.explanation == PLUTO_HINTS["44"]
    # New imports of PLUTO's file get the same hint.
    import json

    parsed = parse_pluto(json.loads(BUNDLED_PLUTO.read_text()))
    first = parsed["groups"][0]["questions"][0]
    assert first["explanation"] == PLUTO_HINTS["44"]
    assert first["explanation"] not in {c["text"] for c in first["choices"]}

    application = factories.draft(researcher)
    client.force_login(researcher)
    url = reverse("reviews:self-assessment", args=[application.pk])
    assert "usually your own project" in _text(client.get(url))


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "votre propre projet"), ("de", "Ihr eigenes Projekt")],
)
def test_q1_hint_is_translated(client, researcher, framework, language, words):
    application = factories.draft(researcher)
    client.force_login(researcher)
    url = reverse("reviews:self-assessment", args=[application.pk])
    with translation.override(language):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert words in _text(response)
