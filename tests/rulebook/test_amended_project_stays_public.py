"""Seam 3: a project whose amendment is under review keeps its public presence: the register
lists it, and a harm can still be reported against it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from harms.models import HarmReport
from tests.harms.factories import make_application
from tests.harms.test_reporting import FORM


@pytest.fixture
def amending(researcher):
    from applications.models import Application

    project = make_application(
        researcher, state="in_review", reference="DSA-2026-0077", title="Stroke outcomes follow-up"
    )
    Application.objects.filter(pk=project.pk).update(activated_at=timezone.now())
    project.refresh_from_db()
    return project


def test_a_harm_can_be_reported_against_a_project_under_amendment(client, amending):
    data = {**FORM, "l-project_search": "stroke", "find_project": "1"}
    assert (
        "Stroke outcomes follow-up" in client.post(reverse("harms:report"), data).content.decode()
    )
    data = {**FORM, "l-project_search": "stroke", "l-project": str(amending.pk)}
    assert client.post(reverse("harms:report"), data).status_code == 302
    assert list(HarmReport.objects.get().applications.all()) == [amending]


def test_the_register_lists_a_project_under_amendment_as_active(client, amending):
    listing = client.get("/register/?state=active").content.decode()
    assert "DSA-2026-0077" in listing
    assert client.get("/register/DSA-2026-0077/").status_code == 200
