"""Automated WCAG 2.2 AA checks (axe-core) on the pages people meet first."""

import pytest

from solidarity.accounts.roles import Role
from tests.applications.factories import in_review
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_public_pages_pass_axe(page):
    for path in ["/", "/accounts/login/", "/register/", "/harms/report/", "/harms/status/"]:
        page.goto(path)
        assert _violations(page) == [], path


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_landing_page_passes_axe_in_french_and_german_at_390px(page, language):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    for path in ["/", "/harms/report/", "/register/", "/harms/status/"]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        assert _violations(page) == [], (language, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (language, path, width)


def test_signed_in_pages_pass_axe(page, login):
    researcher = UserFactory(username="a11y_researcher", roles=[Role.RESEARCHER])
    secretariat = UserFactory(username="a11y_secretariat", roles=[Role.SECRETARIAT])
    UserFactory(username="a11y_chair", roles=[Role.CHAIR])
    UserFactory(username="a11y_officer", roles=[Role.HARM_OFFICER, Role.BENEFIT_OFFICER])
    application = in_review(researcher, secretariat)
    login("a11y_researcher")
    for path in ["/", f"/applications/{application.pk}/", "/applications/new/", "/datasets/"]:
        page.goto(path)
        assert _violations(page) == [], path
    login("a11y_chair")
    for path in [
        f"/reviews/applications/{application.pk}/committee/",
        "/applications/queue/",
        "/reviews/committee/?q=diabetes",  # search box, checkboxes and the bulk-assign form
        "/reviews/late/",
        "/reviews/late/reviews/",
    ]:
        page.goto(path)
        assert _violations(page) == [], path
    from tests.harms.factories import make_report

    make_report()  # the queue then shows its bulk form
    login("a11y_officer")
    for path in ["/harms/queue/", "/benefits/fund/", "/benefits/"]:
        page.goto(path)
        assert _violations(page) == [], path


def test_the_checker_catches_a_missing_label(page):
    page.set_content('<html lang="en"><title>t</title><main><input type="text"></main></html>')
    assert any(v.startswith("label") for v in _violations(page))


def test_transparency_pages_pass_axe(page, login, monkeypatch):
    """Issue 15's new pages: the governance step, an entry with the HDR UK fields, the PDF
    page for a selection too large to print, and the chair's harm reviews."""
    from django.utils import timezone

    from applications.models import Application, DatasetRequest
    from harms.lesson_models import HarmReview
    from solidarity.register import printing
    from tests.factories import DatasetFactory, OrganisationFactory

    researcher = UserFactory(username="a11y_t_researcher", roles=[Role.RESEARCHER])
    UserFactory(username="a11y_t_chair", roles=[Role.CHAIR])
    draft = Application.objects.create(applicant=researcher, title="Draft with governance")
    active = Application.objects.create(
        applicant=researcher,
        organisation=OrganisationFactory(name="A11y University"),
        title="Screening study",
        state="active",
        reference="DSA-2026-0901",
        decided_at=timezone.now(),
        activated_at=timezone.now(),
        legal_basis_art6="6_1_e",
        legal_basis_art9="9_2_j",
        confidentiality_basis="section_251",
        national_opt_out="applied",
        funders_sponsors="Wellcome Trust",
        research_outputs="Screening paper https://doi.org/10.1000/xyz123",
        accredited_researcher="yes",
    )
    DatasetRequest.objects.create(
        application=active, dataset=DatasetFactory(), access_mode="federated"
    )
    HarmReview.objects.create(
        application=active,
        scope="dataset",
        scope_id=1,
        scope_label="Cancer registry",
        report_count=3,
        min_severity="severe",
        window_days=90,
        last_report_at=timezone.now(),
    )
    monkeypatch.setattr(printing, "REGISTER_PDF_LIMIT", 0)
    for path in ["/register/DSA-2026-0901/", "/register/register.pdf?q=Screening"]:
        page.goto(path)
        assert _violations(page) == [], path
    login("a11y_t_researcher")
    page.goto(f"/applications/{draft.pk}/edit/governance/")
    assert _violations(page) == [], "governance step"
    login("a11y_t_chair")
    for path in ["/harms/recommendations/", "/"]:
        page.goto(path)
        assert _violations(page) == [], path
