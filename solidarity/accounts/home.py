"""A registry of panels for the role-aware home page.

The kernel cannot import the domain apps, so each app registers, in its AppConfig.ready(),
a callable that returns the panel (a template name and its context) for a user, or None.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_providers: list[Callable] = []
_work: list[Callable] = []


@dataclass
class WorkItem:
    """One thing waiting for this user: what to do, on what, since when, by when."""

    action: str  # what the person must do, as a short sentence
    subject: str  # the reference and title it is about
    url: str
    since: datetime.datetime | datetime.date | None = None
    due: datetime.date | datetime.datetime | None = None

    @property
    def due_day(self) -> datetime.date | None:
        if isinstance(self.due, datetime.datetime):
            from django.utils import timezone

            return timezone.localtime(self.due).date()
        return self.due

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        if isinstance(self.due, datetime.datetime):
            return self.due < timezone.now()
        return self.due is not None and self.due < timezone.localdate()

    def sort_key(self):
        """Overdue first; then by due date; then the longest waiting."""
        far = datetime.date.max
        since = self.since
        if isinstance(since, datetime.datetime):
            since = since.date()
        return (not self.overdue, self.due_day or far, since or far, self.subject)


def register_work(provider: Callable) -> Callable:
    """``provider(user)`` returns the WorkItems waiting for that user (an empty list if none)."""
    if provider not in _work:
        _work.append(provider)
    return provider


def work_for(user) -> list[WorkItem]:
    """Everything waiting for the user across the apps: overdue first, then by due date,
    then the longest waiting."""
    items = [item for provider in _work for item in (provider(user) or [])]
    return sorted(items, key=WorkItem.sort_key)


def register_panel(provider: Callable) -> Callable:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(user) -> list[Panel]:
    found = [panel for provider in _providers if (panel := provider(user)) is not None]
    return sorted(found, key=lambda p: p.order)


def waiting_panel(user):
    """The first panel on every home: what waits for this person, oldest and overdue first."""
    from django.utils.translation import gettext as _

    if not user.roles:
        return None
    return Panel(
        title=_("Waiting for you"),
        template="accounts/panel_waiting.html",
        context={"items": work_for(user)[:25]},
        order=0,
    )


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
