"""What an approved application still lacks before it may become active.

Higher apps (benefits: a signed agreement; reviews: conditions) register checks here from their
AppConfig.ready(); this app never imports them. A check takes the application and returns a list
of human-readable items still missing (empty when satisfied).
"""

from collections.abc import Callable

_checks: list[Callable] = []


def register_activation_check(check: Callable) -> Callable:
    if check not in _checks:
        _checks.append(check)
    return check


def missing_for_activation(application) -> list[str]:
    missing: list[str] = []
    for check in _checks:
        missing.extend(check(application))
    return missing
