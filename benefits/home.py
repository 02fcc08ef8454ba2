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


def _about(application) -> str:
    return f"{application.reference} · {application.title}"


def work(user) -> list:
    """What waits for this user in benefit sharing, for the home's "Waiting for you"."""
    from solidarity.accounts.home import WorkItem

    items = []
    if user.has_role(Role.BENEFIT_OFFICER):
        for app in selectors.approved_applications_without_agreement()[:15]:
            items.append(
                WorkItem(
                    action=_("Draft the benefit-sharing agreement"),
                    subject=_about(app),
                    url=f"/benefits/agreements/new/?application={app.pk}",
                    since=app.decided_at,
                )
            )
        for report in selectors.reports_to_verify()[:15]:
            obligation = report.obligation
            items.append(
                WorkItem(
                    action=_("Verify the report on an obligation"),
                    subject=_about(obligation.agreement.application),
                    url=f"/benefits/agreements/{obligation.agreement_id}/",
                    since=report.reported_at,
                )
            )
        for obligation in selectors.overdue_obligations()[:15]:
            items.append(
                WorkItem(
                    action=_("Follow up an overdue obligation"),
                    subject=_about(obligation.agreement.application),
                    url=f"/benefits/agreements/{obligation.agreement_id}/",
                    due=obligation.due_date,
                )
            )
    if user.has_role(Role.BENEFIT_OFFICER, Role.RESEARCHER):
        for agreement in selectors.agreements_to_sign(user)[:15]:
            items.append(
                WorkItem(
                    action=_("Sign the benefit-sharing agreement"),
                    subject=_about(agreement.application),
                    url=f"/benefits/agreements/{agreement.pk}/",
                    since=agreement.proposed_at,
                )
            )
    if user.has_role(Role.RESEARCHER):
        for obligation in selectors.obligations_due(user)[:15]:
            items.append(
                WorkItem(
                    action=_("Report on an obligation: %(kind)s")
                    % {"kind": obligation.get_kind_display()},
                    subject=_about(obligation.agreement.application),
                    url=f"/benefits/agreements/{obligation.agreement_id}/",
                    due=obligation.due_date,
                )
            )
    return items
