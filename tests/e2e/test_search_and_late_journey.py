"""The secretariat finds an application by a word of its summary and bulk-assigns a reviewer;
the chair's late board then shows the review once it is overdue (issue 16)."""

import datetime

import pytest
from django.utils import timezone

from reviews.models import Assignment
from solidarity.accounts.roles import Role
from tests.applications.factories import submitted
from tests.factories import UserFactory


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_secretariat_searches_bulk_assigns_and_chair_sees_the_late_review(page, login):
    UserFactory(username="e2e_sami", roles=[Role.SECRETARIAT])
    UserFactory(username="e2e_chiara", roles=[Role.CHAIR])
    rita = UserFactory(
        username="e2e_rita", first_name="Rita", last_name="Reviewer", roles=[Role.REVIEWER]
    )
    applicant = UserFactory(username="e2e_alice", roles=[Role.RESEARCHER])
    wanted = submitted(applicant, lay_summary="How volcanic ash affects asthma in children.")
    also = submitted(applicant, title="Volcanic eruptions and lung health", lay_summary="Lungs.")
    other = submitted(applicant, title="Diet and sleep", lay_summary="Nothing about mountains.")

    login("e2e_sami")
    page.goto("/reviews/committee/")
    page.get_by_label("Search").fill("volcanic")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/reviews/committee/?*q=volcanic*")
    table = page.locator("table").inner_text()
    assert wanted.reference in table and also.reference in table
    assert other.reference not in table
    page.get_by_label(f"Select {wanted.reference}").check()
    page.get_by_label(f"Select {also.reference}").check()
    page.get_by_label("Reviewer").select_option(value=str(rita.pk))
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    page.get_by_label("Due on").fill(due)
    page.get_by_role("button", name="Assign to the selected").click()
    page.wait_for_url("**/reviews/committee/assign/")
    done = page.locator("ul.succeeded").inner_text()
    assert wanted.reference in done and also.reference in done
    assert "0 refused" in page.locator("main").inner_text()
    assert Assignment.objects.filter(reviewer=rita).count() == 2

    # The review of one of them is now overdue: the chair's board shows it.
    late = Assignment.objects.get(reviewer=rita, application=wanted)
    Assignment.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    login("e2e_chiara")
    page.get_by_role("link", name="What is late").click()
    page.wait_for_url("**/reviews/late/")
    assert page.locator('[data-late="reviews"]').inner_text() == "1"
    page.locator('[data-late="reviews"]').click()
    page.wait_for_url("**/reviews/late/reviews/")
    listing = page.locator("table").inner_text()
    assert wanted.reference in listing and also.reference not in listing
    assert "Rita Reviewer" in listing or "e2e_rita" in listing
