"""The fields the sector expects on a data-use register (HDR UK Data Use Register).

Choices for the application's legal and governance fields, their labels, how research
outputs are read (one per line, each with an optional link), and the mapping of every
register field to the HDR UK Data Use Register's field names, which the register's JSON
Schema publishes (``x-hdruk``). Applications filed before these fields existed keep them
blank: blank means "not stated", never a default answer.
"""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalBasisArt6(models.TextChoices):
    CONSENT = "6_1_a", _("Art. 6(1)(a) consent")
    CONTRACT = "6_1_b", _("Art. 6(1)(b) contract")
    LEGAL_OBLIGATION = "6_1_c", _("Art. 6(1)(c) legal obligation")
    VITAL_INTERESTS = "6_1_d", _("Art. 6(1)(d) vital interests")
    PUBLIC_TASK = "6_1_e", _("Art. 6(1)(e) public task")
    LEGITIMATE_INTERESTS = "6_1_f", _("Art. 6(1)(f) legitimate interests")


class LegalBasisArt9(models.TextChoices):
    EXPLICIT_CONSENT = "9_2_a", _("Art. 9(2)(a) explicit consent")
    EMPLOYMENT = "9_2_b", _("Art. 9(2)(b) employment and social protection")
    VITAL_INTERESTS = "9_2_c", _("Art. 9(2)(c) vital interests")
    NOT_FOR_PROFIT = "9_2_d", _("Art. 9(2)(d) not-for-profit body")
    MADE_PUBLIC = "9_2_e", _("Art. 9(2)(e) made public by the data subject")
    LEGAL_CLAIMS = "9_2_f", _("Art. 9(2)(f) legal claims")
    PUBLIC_INTEREST = "9_2_g", _("Art. 9(2)(g) substantial public interest")
    HEALTH_CARE = "9_2_h", _("Art. 9(2)(h) health or social care")
    PUBLIC_HEALTH = "9_2_i", _("Art. 9(2)(i) public health")
    RESEARCH = "9_2_j", _("Art. 9(2)(j) archiving, research or statistics")


class ConfidentialityBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (reasonable expectations)")
    SECTION_251 = "section_251", _("Statutory support (e.g. section 251)")
    LEGAL_REQUIREMENT = "legal_requirement", _("Legal requirement")
    PUBLIC_INTEREST = "public_interest", _("Overriding public interest")
    NOT_APPLICABLE = "not_applicable", _("Not applicable (no confidential data)")


class OptOut(models.TextChoices):
    APPLIED = "applied", _("Applied")
    NOT_APPLIED = "not_applied", _("Not applied (exempt)")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class AccreditedStatus(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


# Application fields added for the HDR UK register, in reading order, with their choices.
FIELDS = [
    "legal_basis_art6",
    "legal_basis_art9",
    "confidentiality_basis",
    "national_opt_out",
    "funders_sponsors",
    "other_approval_committees",
    "dataset_linkage",
    "research_outputs",
    "accredited_researcher",
]
CHOICES = {
    "legal_basis_art6": LegalBasisArt6,
    "legal_basis_art9": LegalBasisArt9,
    "confidentiality_basis": ConfidentialityBasis,
    "national_opt_out": OptOut,
    "accredited_researcher": AccreditedStatus,
}
LABELS = {
    "legal_basis_art6": _("Legal basis under GDPR article 6"),
    "legal_basis_art9": _("Condition under GDPR article 9"),
    "confidentiality_basis": _("Common-law duty of confidentiality basis"),
    "national_opt_out": _("National data opt-out"),
    "funders_sponsors": _("Funders and sponsors"),
    "other_approval_committees": _("Other approval committees"),
    "dataset_linkage": _("Dataset linkage"),
    "research_outputs": _("Research outputs"),
    "accredited_researcher": _("Accredited researcher"),
}

# Register field → HDR UK Data Use Register field (its "Data Uses" template, v1).
HDRUK_MAPPING = {
    "reference": "Project ID",
    "title": "Project Title",
    "lay_summary": "Lay Summary",
    "public_benefit": "Public Benefit Statement",
    "organisation": "Organisation Name",
    "datasets": "Dataset(s) Name",
    "access_modes": "Access Type",
    "access_date": "Access Date",
    "access_expires_on": "Access Expiry",
    "decided_at": "Latest Approval Date",
    "legal_basis_art6": "Legal Basis for Provision of Data (GDPR Article 6)",
    "legal_basis_art9": "Legal Basis for Provision of Data (GDPR Article 9)",
    "confidentiality_basis": "Common Law Duty of Confidentiality",
    "national_opt_out": "National Data Opt-out Applied",
    "funders_sponsors": "Funders / Sponsors",
    "other_approval_committees": "Other Approval Committees",
    "dataset_linkage": "Dataset Linkage Description",
    "research_outputs": "Research Outputs",
    "accredited_researcher": "Accredited Researcher Status",
    "ethics_approval": "Ethics Approval",
}

_URL = re.compile(r"https?://[^\s<>\"']+")


def outputs(text: str) -> list[dict]:
    """Research outputs, one per line: ``{"title", "url"}`` (url "" when the line has none).

    Only http(s) links are kept as links, so a register page never links elsewhere.
    """
    found = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _URL.search(line)
        url = match.group(0).rstrip(".,;)") if match else ""
        title = line.replace(url, "").strip(" -\u2014\u2013|:") if url else line
        found.append({"title": title or url, "url": url})
    return found


def label_of(name: str, value) -> str:
    """A field's value as a reader sees it: the choice's label, or the text itself."""
    if name in CHOICES:
        return str(dict(CHOICES[name].choices).get(value, value or ""))
    return value or ""
