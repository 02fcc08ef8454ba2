"""Panels on the role-aware home page."""

from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from . import selectors


def benefit_officer_panel(user):
    if not user.has_role(Role.BENEFIT_OFFICER):
        return None
    return Panel(
        title=_("Benefit sharing"),
        template="benefits/panel_officer.html",
        context={
            "to_draft": list(selectors.approved_applications_without_agreement()[:10]),
            "to_verify": list(selectors.reports_to_verify()[:10]),
            "overdue": list(selectors.overdue_obligations()[:10]),
            "to_sign": list(selectors.agreements_to_sign(user)[:10]),
        },
        order=60,
    )


def researcher_panel(user):
    if not user.has_role(Role.RESEARCHER):
        return None
    to_sign = list(selectors.agreements_to_sign(user)[:10])
    due = list(selectors.obligations_due(user)[:10])
    if not to_sign and not due:
        return None
    return Panel(
        title=_("Your benefit-sharing agreements"),
        template="benefits/panel_researcher.html",
        context={"to_sign": to_sign, "due": due},
        order=30,
    )


def breach_panel(user):
    if not user.has_role(Role.CHAIR):
        return None
    breached = list(selectors.agreements_in_breach()[:10])
    if not breached:
        return None
    return Panel(
        title=_("Benefit agreements in breach"),
        template="benefits/panel_breach.html",
        context={"breached": breached},
        order=20,
    )
