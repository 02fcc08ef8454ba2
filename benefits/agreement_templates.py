"""Starting points for an agreement, by kind of use: plain-language terms and obligations.

The benefit officer drafts from one of these and then changes what the project calls for.
"""

from datetime import date

from django.utils.translation import gettext as _

from .models import AgreementKind, BeneficiaryKind, ObligationKind, Recurrence


def template_terms(kind: str, application) -> str:
    common = _(
        "This agreement is made between the data-use committee and the applicant of "
        '%(reference)s, "%(title)s", on behalf of the applicant\'s organisation. The project '
        "uses health data that people and communities entrusted to the data holders; in "
        "return it gives back what the obligations below describe. Each obligation is reported "
        "on in Solidarity with evidence; the benefit officer verifies each report. Payments go "
        "to the solidarity fund, which pays redress to people harmed by data use."
    ) % {"reference": application.reference or _("the application"), "title": application.title}
    by_kind = {
        AgreementKind.COMMERCIAL: _(
            "The use is commercial. A share of the revenue from products built on the data is "
            "paid to the solidarity fund for every period until the project ends, and "
            "resulting products are offered on affordable terms to the health system that "
            "provided the data."
        ),
        AgreementKind.PUBLIC_RESEARCH: _(
            "The use is public research. Results are published in open access, explained to "
            "the communities concerned in plain language, and derived data or code are "
            "returned to the custodian."
        ),
        AgreementKind.MIXED: _(
            "The use is partly commercial. Results of the public part are published in open "
            "access and explained to the communities concerned; the commercial part pays a "
            "share of its revenue to the solidarity fund."
        ),
    }
    return f"{common}\n\n{by_kind[AgreementKind(kind)]}"


def template_obligations(kind: str, application) -> list[dict]:
    """Suggested obligations; dates fall on the project's end (or a year from today)."""
    today = date.today()
    end = application.end_date or today.replace(year=today.year + 1)
    first_quarter = _add_months(today, 3)
    open_access = {
        "kind": ObligationKind.OPEN_ACCESS,
        "description": _("Publish the results in open access within six months of the end."),
        "beneficiary": BeneficiaryKind.FUND,
        "due_date": _add_months(end, 6),
        "recurrence": Recurrence.ONCE,
        "evidence_expected": _("Link to the open-access publication."),
    }
    results = {
        "kind": ObligationKind.RETURN_OF_RESULTS,
        "description": _("Explain the results to the communities concerned in plain language."),
        "beneficiary": BeneficiaryKind.COMMUNITY,
        "community": _("The people whose data were used"),
        "due_date": _add_months(end, 6),
        "recurrence": Recurrence.ONCE,
        "evidence_expected": _("The plain-language summary and where it was shared."),
    }
    revenue = {
        "kind": ObligationKind.REVENUE_SHARE,
        "description": _("Pay a share of the revenue from products built on the data."),
        "beneficiary": BeneficiaryKind.FUND,
        "share_basis_points": 200,
        "due_date": first_quarter,
        "recurrence": Recurrence.QUARTERLY,
        "ends_on": end,
        "evidence_expected": _("Revenue statement for the period and proof of payment."),
    }
    if kind == AgreementKind.COMMERCIAL:
        return [
            revenue,
            {
                "kind": ObligationKind.AFFORDABLE_ACCESS,
                "description": _(
                    "Offer resulting products at cost to the public health system that "
                    "provided the data."
                ),
                "beneficiary": BeneficiaryKind.CUSTODIAN,
                "due_date": end,
                "recurrence": Recurrence.ONCE,
                "evidence_expected": _("The offer made and its terms."),
            },
            open_access,
        ]
    if kind == AgreementKind.MIXED:
        return [revenue, open_access, results]
    return [
        open_access,
        results,
        {
            "kind": ObligationKind.RETURN_OF_DATA,
            "description": _("Return derived data and analysis code to the custodian."),
            "beneficiary": BeneficiaryKind.CUSTODIAN,
            "due_date": end,
            "recurrence": Recurrence.ONCE,
            "evidence_expected": _("Where the data and code were deposited."),
        },
    ]


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


add_months = _add_months
