import pytest

from harms import services

from .factories import make_application, make_report


@pytest.fixture
def anonymous_report(db):
    """An anonymous report that left an e-mail address, and its receipt code."""
    return make_report(contact={"name": "Dana", "email": "dana@example.org", "phone": "+43 1"})


@pytest.fixture
def report(anonymous_report):
    return anonymous_report[0]


@pytest.fixture
def receipt_code(anonymous_report):
    return anonymous_report[1]


@pytest.fixture
def project(researcher, organisation):
    return make_application(researcher, organisation=organisation, title="Insulin pricing study")


@pytest.fixture
def triaged(report, harm_officer):
    return services.harm_report_triage(actor=harm_officer, report=report, severity="moderate")


@pytest.fixture
def investigating(triaged, harm_officer):
    return services.harm_report_investigate(actor=harm_officer, report=triaged)


def fund_ready():
    try:
        from benefits.selectors import fund_balance  # noqa: F401
        from benefits.services import fund_disburse, fund_receive  # noqa: F401
    except ImportError:
        return False
    return True


requires_fund = pytest.mark.skipif(
    not fund_ready(),
    reason="benefits.services.fund_receive/fund_disburse and benefits.selectors.fund_balance "
    "are not available yet (benefits app)",
)
