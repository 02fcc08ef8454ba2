"""In Chromium: the applicant picks “Other (please specify)”, is asked what it means, writes
it, and the page stays free of axe violations throughout."""

import pytest

from reviews import services as review_services
from solidarity.accounts.roles import Role
from tests.e2e.test_accessibility import _violations
from tests.factories import UserFactory
from tests.reviews.factories import draft

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_applicant_explains_an_other_answer(page, login):
    researcher = UserFactory(username="other_researcher", roles=[Role.RESEARCHER])
    framework = review_services.framework_loaded(review_services.framework_ensure_default().pk)
    q2 = next(q for q in framework.specs() if q.label == "Q2")
    other = next(c for c in q2.choices if c.kind == "other_exclusive")
    application = draft(researcher)
    login("other_researcher")
    page.goto(f"/reviews/applications/{application.pk}/self-assessment/")
    box = page.locator(f"#id_q_{q2.id}_other")
    assert box.is_visible()
    assert _violations(page) == []

    page.locator(f"input[name='q_{q2.id}'][value='{other.id}']").check()
    page.get_by_role("button", name="Save and see my type").click()
    assert page.locator(f"#id_q_{q2.id}_other_group .error").inner_text() == (
        "Please say what you mean by this answer."
    )
    assert _violations(page) == []

    page.locator(f"#id_q_{q2.id}_other").fill("A regional patients' cooperative")
    page.get_by_role("button", name="Save and see my type").click()
    assert "Your self-assessment was saved." in page.content()
    assert page.locator(f"#id_q_{q2.id}_other").input_value() == (
        "A regional patients' cooperative"
    )
