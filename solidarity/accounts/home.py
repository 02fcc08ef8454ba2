"""A registry of panels for the role-aware home page.

The kernel cannot import the domain apps, so each app registers, in its AppConfig.ready(),
a callable that returns the panel (a template name and its context) for a user, or None.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_providers: list[Callable] = []


def register_panel(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(user) -> list[Panel]:
    found = [panel for provider in _providers if (panel := provider(user)) is not None]
    return sorted(found, key=lambda p: p.order)


def role_duties_panel(user):
    """What each of the user's roles is responsible for (DESIGN §2), in plain words."""
    from django.utils.translation import gettext as _

    from .roles import Role

    duties = {
        Role.RESEARCHER: _("File data-access applications and answer revision requests."),
        Role.CUSTODIAN: _("Grant or decline access to your organisation's datasets."),
        Role.SECRETARIAT: _("Screen submissions, request revisions and assign reviewers."),
        Role.REVIEWER: _("Declare conflicts, assess public value and risk, and vote."),
        Role.CHAIR: _("Confirm the type of each use and record the committee's decision."),
        Role.HARM_OFFICER: _("Triage harm reports, investigate and grant redress."),
        Role.BENEFIT_OFFICER: _("Draft benefit agreements and keep the solidarity fund."),
        Role.AUDITOR: _("Read the record, verify the audit chain and export reports."),
    }
    items = [duties[Role(r)] for r in Role.values if r in user.roles]
    if not items:
        return None
    return Panel(
        title=_("Your responsibilities"),
        template="accounts/panel_role.html",
        context={"duties": items},
        order=1000,
    )
