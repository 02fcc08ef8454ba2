"""Co-applicants and the conversation in the browser (issue 16): the applicant invites a
co-applicant who accepts, co-edits and answers a revision request in the thread; refusals: a
revoked co-applicant sees nothing, the applicant never sees committee-only messages, a reviewer
who has not filed sees no discussion."""

import pytest

from applications import services
from applications.models import Application
from solidarity.accounts.roles import Role
from solidarity.notifications.models import Notification
from tests.applications import factories
from tests.factories import DatasetFactory, OrganisationFactory, UserFactory

SECRET = "Committee only: the budget looks thin"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_co_applicant_accepts_co_edits_and_answers_in_the_thread(page, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    hospital = OrganisationFactory(name="Team Hospital")
    dataset = DatasetFactory(custodian=hospital, title="Team diabetes records")
    alice = UserFactory(username="t_alice", roles=[Role.RESEARCHER])
    bob = UserFactory(username="t_bob", roles=[Role.RESEARCHER])
    dora = UserFactory(username="t_dora", roles=[Role.RESEARCHER])
    sami = UserFactory(username="t_sami", roles=[Role.SECRETARIAT])
    draft = factories.complete_draft(alice, datasets=[dataset])
    detail = f"/applications/{draft.pk}/"

    # The applicant invites a co-applicant as an editor, and another whom she then revokes.
    login("t_alice")
    page.goto(detail)
    page.get_by_label("E-mail address of the person to invite").fill(bob.email)
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send the invitation").click()
    assert "was invited as editor" in page.get_by_role("status").first.inner_text() or (
        "was invited as editor" in page.locator("main").inner_text()
    )
    page.get_by_label("E-mail address of the person to invite").fill(dora.email)
    page.get_by_label("Role").select_option("viewer")
    page.get_by_role("button", name="Send the invitation").click()
    dora_link = Notification.objects.get(recipient=dora).url
    page.get_by_role("button", name=f"Revoke the invitation to {dora.email}").click()
    assert "was revoked" in page.locator("main").inner_text()

    # The revoked co-applicant's link no longer works and the application stays hidden.
    login("t_dora")
    page.goto(dora_link)
    assert "This invitation is no longer open." in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Accept the invitation").count() == 0
    response = page.goto(detail)
    assert response.status == 404

    # The co-applicant follows the link from the notification and accepts.
    login("t_bob")
    page.goto("/notifications/")
    page.get_by_role("link", name="Invitation to join the team").first.click()
    page.get_by_role("button", name="Accept the invitation").click()
    assert page.url.endswith(detail)
    main = page.locator("main").inner_text()
    assert "You joined the team" in main and "Co-applicants" in main

    # ... co-edits the draft (it keeps its history) ...
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Plain-language summary").fill(
        "Edited by the co-applicant: heat and diabetes."
    )
    page.get_by_role("button", name="Save and continue").click()
    page.goto(detail)
    assert "Edited by the co-applicant" in page.locator("main").inner_text()
    # ... but only the applicant submits.
    assert page.get_by_role("button", name="Submit", exact=True).count() == 0

    draft = Application.objects.get(pk=draft.pk)
    services.application_submit(actor=alice, application=draft)
    services.application_request_revision(
        actor=sami, application=draft, message="Please explain the data minimisation."
    )
    services.message_post(actor=sami, application=draft, body=SECRET, visibility="committee")

    # The revision request is in the thread; the co-applicant answers it there.
    page.goto(detail)
    thread = page.locator("[data-thread]")
    assert "Please explain the data minimisation." in thread.inner_text()
    assert SECRET not in page.content()
    page.get_by_label("Your answer to the revision request").fill(
        "We keep only age band and HbA1c."
    )
    page.get_by_role("button", name="Send the answer").click()
    assert "We keep only age band and HbA1c." in page.locator("[data-thread]").inner_text()

    # The applicant never sees the committee-only message; the secretariat does.
    login("t_alice")
    page.goto(detail)
    assert "We keep only age band and HbA1c." in page.locator("main").inner_text()
    assert SECRET not in page.content()
    login("t_sami")
    page.goto(detail)
    assert SECRET in page.locator("[data-thread]").inner_text()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_reviewer_who_has_not_filed_sees_no_discussion(page, login, settings, tmp_path):
    from reviews import services as review_services
    from tests.reviews import factories as review_factories

    settings.MEDIA_ROOT = tmp_path / "media"
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    hospital = OrganisationFactory(name="Review Hospital")
    dataset = DatasetFactory(custodian=hospital, title="Review records")
    alice = UserFactory(username="r_alice", roles=[Role.RESEARCHER])
    sami = UserFactory(username="r_sami", roles=[Role.SECRETARIAT])
    rita = UserFactory(username="r_rita", roles=[Role.REVIEWER])
    ravi = UserFactory(username="r_ravi", roles=[Role.REVIEWER])
    application = review_factories.in_review(alice, sami, datasets=[dataset])
    filed = review_factories.assign(application, sami, ravi)
    review_factories.file_review(filed, framework)
    pending = review_factories.assign(application, sami, rita, role="ethics")
    services.message_post(actor=ravi, application=application, body=SECRET, visibility="committee")
    detail = f"/applications/{application.pk}/"

    login("r_rita")
    page.goto(detail)
    assert page.locator("main h1").inner_text() == application.title
    assert SECRET not in page.content()
    assert page.get_by_role("button", name="Send the message").count() == 0

    # Once she has filed, the discussion opens to her.
    review_factories.file_review(pending, framework)
    page.goto(detail)
    assert SECRET in page.locator("[data-thread]").inner_text()
    page.get_by_label("Message").fill("Agreed: ask for the budget.")
    page.get_by_role("button", name="Send the message").click()
    assert "Agreed: ask for the budget." in page.locator("[data-thread]").inner_text()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_team_and_conversation_pages_pass_axe(page, login, settings, tmp_path):
    from tests.e2e.test_accessibility import _violations

    settings.MEDIA_ROOT = tmp_path / "media"
    dataset = DatasetFactory(custodian=OrganisationFactory(name="Axe Hospital"))
    alice = UserFactory(username="x_alice", roles=[Role.RESEARCHER])
    sami = UserFactory(username="x_sami", roles=[Role.SECRETARIAT])
    application = factories.submitted(alice, datasets=[dataset])
    _member, token = services.application_member_invite(
        actor=alice, application=application, email="someone@example.org", role="viewer"
    )
    services.application_request_revision(actor=sami, application=application, message="More.")
    services.message_post(actor=sami, application=application, body="Note", visibility="committee")
    page.goto(f"/applications/invitations/{token}/")
    assert _violations(page) == [], "invitation"
    login("x_alice")
    page.goto(f"/applications/{application.pk}/")
    assert _violations(page) == [], "applicant's page with team, thread and answer form"
    login("x_sami")
    page.goto(f"/applications/{application.pk}/")
    assert _violations(page) == [], "secretariat's page with the message form"
