import pytest

from solidarity.accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROLE_HOME = {
    Role.RESEARCHER: "File data-access applications",
    Role.CUSTODIAN: "Grant or decline access",
    Role.SECRETARIAT: "Screen submissions",
    Role.REVIEWER: "Declare conflicts",
    Role.CHAIR: "Confirm the type",
    Role.HARM_OFFICER: "Triage harm reports",
    Role.BENEFIT_OFFICER: "Draft benefit agreements",
    Role.AUDITOR: "verify the audit chain",
}


def test_each_role_signs_in_and_sees_its_home(page, login):
    org = OrganisationFactory(name="Journey Hospital")
    for role in ROLE_HOME:
        UserFactory.member_of(org, username=f"e2e_{role}", roles=[role])
    for role, duty in ROLE_HOME.items():
        login(f"e2e_{role}")
        heading = page.get_by_role("heading", level=1)
        assert "Welcome" in heading.inner_text()
        assert page.locator(f'[data-role="{role}"]').count() == 1
        assert duty in page.locator("main").inner_text()
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/accounts/login/")


def test_wrong_password_shows_an_error_and_keeps_the_username(page, db):
    UserFactory(username="e2e_person", roles=[Role.RESEARCHER])
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("e2e_person")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Username").input_value() == "e2e_person"
