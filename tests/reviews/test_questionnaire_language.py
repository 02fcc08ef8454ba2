"""The PLUTO questionnaire reads in French and German; English stays the stored reference."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from reviews.framework_texts import TEXTS
from reviews.models import Assessment
from reviews.services.frameworks import BUNDLED_PLUTO

from . import factories


def _bundled_texts() -> set[str]:
    data = json.loads(BUNDLED_PLUTO.read_text())
    texts = set()
    for group in data["data"][0]["attributes"]["groups"]:
        texts.add(group["title"].strip())
        for question in group["questions"]["data"]:
            qa = question["attributes"]
            texts.update(
                t.strip()
                for t in (qa["body"], qa.get("explanation"), qa["metadata"].get("feedback"))
                if isinstance(t, str) and t.strip()
            )
            for choice in qa["choices"]:
                texts.update(
                    t.strip()
                    for t in (choice["body"], choice.get("feedback"))
                    if isinstance(t, str) and t.strip()
                )
    return texts


def test_every_bundled_text_is_listed_for_translation():
    assert set(TEXTS) == _bundled_texts()


@pytest.mark.parametrize("language", ["fr", "de"])
def test_every_bundled_text_has_a_translation(language):
    with translation.override(language):
        missing = [t for t in TEXTS if translation.gettext(t) == t and len(t) > 12]
    assert missing == []


def _visible(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_self_assessment_page_shows_no_english_question_text(
    client, researcher, framework, language
):
    application = factories.draft(researcher)
    client.force_login(researcher)
    url = reverse("reviews:self-assessment", args=[application.pk])
    page = _visible(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
    english = [
        q.text for group in framework.groups.all() for q in group.questions.all() if q.text in page
    ]
    english += [
        c.text
        for group in framework.groups.all()
        for q in group.questions.all()
        for c in q.choices.all()
        if len(c.text) > 20 and c.text in page
    ]
    assert english == []
    with translation.override(language):
        first = framework.groups.first().questions.first()
        assert translation.gettext(first.text) in page
    # PLUTO's credit and licence stay, with the note that the translations are the project's.
    assert "PLUTO" in page


def test_the_score_is_the_same_whatever_the_language(client, researcher, framework):
    picked = factories.answers(framework, benefit="high", safety="low")
    data = {f"q_{k}": [str(v) for v in vs] for k, vs in picked.items()}
    data.update(
        {f"q_{k}_other": text for k, text in factories.other_texts(framework, picked).items()}
    )
    results = {}
    for language in ("en", "de"):
        application = factories.draft(researcher)
        client.force_login(researcher)
        url = reverse("reviews:self-assessment", args=[application.pk])
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302
        assessment = Assessment.objects.get(application=application, kind="self")
        results[language] = (
            assessment.use_type,
            assessment.benefit_score,
            assessment.safety_score,
        )
        page = _visible(client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
        if language == "de":
            # PLUTO's "would be higher if" feedback is German too.
            assert "if the data user had a (better) risk assessment" not in page
            assert "wenn die datennutzende Stelle eine (bessere) Risikobewertung hätte" in page
    assert results["en"] == results["de"]


def test_the_api_shows_the_questionnaire_in_the_asked_language(api_client, framework):
    response = api_client.get(f"/api/v1/frameworks/{framework.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    question = response.json()["groups"][0]["questions"][0]
    stored = framework.groups.first().questions.first().text
    with translation.override("fr"):
        assert question["text"] == translation.gettext(stored) != stored
