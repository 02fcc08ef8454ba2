"""What an approved application still lacks before it may become active.

Higher apps (benefits: a signed agreement; reviews: conditions) register checks here from their
AppConfig.ready(); this app never imports them. A check takes the application and returns a list
of human-readable items still missing (empty when satisfied).
"""

from collections.abc import Callable

from django.utils.translation import gettext as _


def datasets_granted(application) -> list[str]:
    """This app's own check: every requested dataset granted by its custodian."""
    missing = []
    requests = list(application.dataset_requests.select_related("dataset__custodian"))
    if not requests:
        missing.append(_("No dataset is requested."))
    for request in requests:
        if request.state == "pending":
            missing.append(
                _("%(custodian)s has not yet decided on %(dataset)s.")
                % {"custodian": request.dataset.custodian.name, "dataset": request.dataset.title}
            )
        elif request.state == "declined":
            missing.append(
                _("%(custodian)s declined access to %(dataset)s.")
                % {"custodian": request.dataset.custodian.name, "dataset": request.dataset.title}
            )
    return missing


_checks: list[Callable] = [datasets_granted]


def register_activation_check(check: Callable) -> Callable:
    if check not in _checks:
        _checks.append(check)
    return check


def missing_for_activation(application) -> list[str]:
    missing: list[str] = []
    for check in _checks:
        missing.extend(check(application))
    return missing


# Links that higher apps offer on an application's page (the self-assessment, the committee
# view, the benefit agreement): each provider takes (user, application) and returns a list of
# (label, url) pairs the user may follow.
_link_providers: list[Callable] = []


def register_detail_links(provider: Callable) -> Callable:
    if provider not in _link_providers:
        _link_providers.append(provider)
    return provider


def detail_links(user, application) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for provider in _link_providers:
        links.extend(provider(user, application))
    return links


# What higher apps do when a version is submitted (reviews opens a new committee round for an
# amendment of an approved project). Each hook takes (application, actor) and runs inside the
# submission's transaction.
_submission_hooks: list[Callable] = []


def register_submission_hook(hook: Callable) -> Callable:
    if hook not in _submission_hooks:
        _submission_hooks.append(hook)
    return hook


def run_submission_hooks(application, actor) -> None:
    for hook in _submission_hooks:
        hook(application, actor)


# Who else is told when an application is put forward for decision (reviews: the committee
# members who vote). Each hook takes (application, actor) and runs inside the transaction.
_decision_due_hooks: list[Callable] = []


def register_decision_due_hook(hook: Callable) -> Callable:
    if hook not in _decision_due_hooks:
        _decision_due_hooks.append(hook)
    return hook


def run_decision_due_hooks(application, actor) -> None:
    for hook in _decision_due_hooks:
        hook(application, actor)
