"""The committee's journey in a browser: the secretariat assigns, two reviewers declare no
conflict and file, the chair sees them side by side and decides."""

import datetime

import pytest
from django.utils import timezone

from applications.models import Application
from reviews import services
from tests.factories import DatasetFactory, UserFactory
from tests.reviews import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _file_review(page, login, username, framework, risk: bool):
    login(username)
    page.get_by_role("link", name="My reviews").first.click()
    page.get_by_role("link", name="Journey study", exact=False).click()
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_role("button", name="Declare").click()
    assert "You may now review" in page.locator(".messages").inner_text()
    if risk:
        page.get_by_label("Category").select_option("privacy")
        page.get_by_label("Borne by").select_option("community")
        page.locator("textarea[name=description]").fill("Stigmatisation of a small village")
        page.get_by_label("Likelihood before mitigation (1-5)").select_option("4")
        page.get_by_label("Severity before mitigation (1-5)").select_option("4")
        page.get_by_label("Mitigation", exact=True).fill("Report only regional figures")
        page.get_by_label("Likelihood after mitigation (1-5)").select_option("2")
        page.get_by_label("Severity after mitigation (1-5)").select_option("3")
        page.get_by_role("button", name="Add the risk").click()
        assert "added to your register" in page.locator(".messages").inner_text()
    for question_id, choice_ids in factories.answers(framework).items():
        for choice_id in choice_ids:
            page.locator(f'input[name="q_{question_id}"][value="{choice_id}"]').check()
    page.get_by_role("button", name="File my assessment").click()
    assert "Your assessment is filed" in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", name="Scores side by side").is_visible()
    page.get_by_role("button", name="Sign out").click()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_secretariat_assigns_two_reviewers_file_and_the_chair_decides(page, login):
    framework = services.framework_loaded(services.framework_ensure_default().pk)
    researcher = UserFactory(username="e2e_researcher", roles=["researcher"])
    UserFactory(username="e2e_secretariat", roles=["secretariat"])
    UserFactory(username="e2e_rev1", first_name="Rita", last_name="Reviewer", roles=["reviewer"])
    UserFactory(username="e2e_rev2", first_name="Ravi", last_name="Reviewer", roles=["reviewer"])
    UserFactory(username="e2e_chair", roles=["chair"])
    application = factories.submitted(
        researcher, datasets=[DatasetFactory()], title="Journey study of heat and diabetes"
    )
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()

    login("e2e_secretariat")
    page.goto(f"/reviews/applications/{application.pk}/assign/")
    for name, role in (("Rita Reviewer", "scientific"), ("Ravi Reviewer", "lay")):
        page.get_by_label("Reviewer").select_option(label=name)
        page.get_by_label("Role on the committee").select_option(role)
        page.get_by_label("Due on").fill(due)
        page.get_by_role("button", name="Assign").click()
        assert "asked to review" in page.locator(".messages").inner_text()
    assert page.locator("table").inner_text().count("Awaiting conflict declaration") == 2
    page.get_by_role("button", name="Sign out").click()

    _file_review(page, login, "e2e_rev1", framework, risk=True)
    _file_review(page, login, "e2e_rev2", framework, risk=False)

    login("e2e_chair")
    page.get_by_role("link", name="Committee", exact=True).click()
    page.get_by_role("link", name="Committee view").click()
    assert page.get_by_test_id("computed-type").inner_text() == "A"
    assert "Stigmatisation of a small village" in page.locator("main").inner_text()
    decision = page.get_by_role("group", name="Decision")
    decision.get_by_label("Approve").check()
    expiry = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    page.get_by_label("Access expires on").fill(expiry)
    page.get_by_label("Reasons").fill("Type A: clear public value, low risk.")
    page.get_by_role("button", name="Record the decision").click()
    assert "The decision was recorded." in page.locator(".messages").inner_text()
    application.refresh_from_db()
    assert application.state in ("approved", "active")
    assert Application.objects.get(pk=application.pk).committee_file.decided_type == "A"
