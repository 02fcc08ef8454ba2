"""Consent compatibility, as DUOS does it: the research purpose against each dataset's terms.

A dataset's consent is a DUO permission term (what research the consent allows) plus modifier
terms (further conditions). The application states its purpose in the same vocabulary; each
term that the purpose does not satisfy is a conflict, named with the term and a plain message.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from solidarity.catalog.duo import DataUse, DataUseModifier
from solidarity.catalog.models import Dataset


@dataclass(frozen=True)
class ConsentConflict:
    dataset: Dataset
    term: str  # the DUO identifier, e.g. DUO:0000046
    term_label: str
    message: str


def _codes(text: str) -> set[str]:
    return {c.strip().upper() for c in (text or "").replace(";", ",").split(",") if c.strip()}


def _same_disease(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    return bool(a and b and (a in b or b in a))


def conflicts_for(application, dataset: Dataset, team=None) -> list[ConsentConflict]:
    """The consent terms of ``dataset`` that ``application``'s stated purpose conflicts with."""
    found: list[ConsentConflict] = []
    use_labels = dict(DataUse.choices)
    mod_labels = dict(DataUseModifier.choices)

    def add(term, message):
        label = str(use_labels.get(term) or mod_labels.get(term) or term)
        found.append(ConsentConflict(dataset=dataset, term=term, term_label=label, message=message))

    purpose = application.research_use
    consent = dataset.consent_use
    health = (DataUse.HMB, DataUse.DS)
    if consent == DataUse.HMB and purpose not in health:
        add(
            consent,
            _(
                "The consent allows only health, medical or biomedical research; "
                "the stated purpose is broader."
            ),
        )
    elif consent == DataUse.DS:
        if purpose != DataUse.DS:
            add(
                consent,
                _(
                    "The consent allows only research on %(disease)s; "
                    "state a disease-specific purpose."
                )
                % {"disease": dataset.consent_disease},
            )
        elif not _same_disease(application.research_disease, dataset.consent_disease):
            add(
                consent,
                _("The consent allows only research on %(disease)s, not on %(studied)s.")
                % {
                    "disease": dataset.consent_disease,
                    "studied": application.research_disease or _("an unnamed disease"),
                },
            )
    elif consent == DataUse.POA and purpose != DataUse.POA:
        add(consent, _("The consent allows only population origins or ancestry research."))
    elif consent in (DataUse.GRU, DataUse.HMB, DataUse.DS) and purpose == DataUse.POA:
        add(consent, _("The consent does not cover population origins or ancestry research."))

    modifiers = set(dataset.consent_modifiers or [])
    commercial = application.commercial_involvement
    company = bool(application.organisation and application.organisation.kind == "company")
    if DataUseModifier.NCU in modifiers and commercial:
        add(
            DataUseModifier.NCU,
            _(
                "The consent excludes commercial use, "
                "and the project declares commercial involvement."
            ),
        )
    if DataUseModifier.NPU in modifiers and (commercial or company):
        add(
            DataUseModifier.NPU,
            _("Only not-for-profit organisations may use these data."),
        )
    if DataUseModifier.IRB in modifiers and not application.ethics_approval:
        add(DataUseModifier.IRB, _("The consent requires ethics approval for every use."))
    if DataUseModifier.COL in modifiers:
        members = team if team is not None else list(application.team.all())
        custodian = dataset.custodian.name.strip().lower()
        if not any(m.organisation.strip().lower() == custodian for m in members):
            add(
                DataUseModifier.COL,
                _(
                    "The consent requires collaboration with %(custodian)s: "
                    "add a team member from it."
                )
                % {"custodian": dataset.custodian.name},
            )
    if DataUseModifier.GS in modifiers:
        allowed = _codes(dataset.consent_regions)
        used = _codes(application.research_countries)
        if not used or used - allowed:
            add(
                DataUseModifier.GS,
                _("The data may be used only in %(allowed)s; the project names %(used)s.")
                % {
                    "allowed": ", ".join(sorted(allowed)) or "—",
                    "used": ", ".join(sorted(used)) or _("no country"),
                },
            )
    if DataUseModifier.PUB in modifiers and not application.will_publish:
        add(DataUseModifier.PUB, _("The consent requires the results to be published."))
    return found
