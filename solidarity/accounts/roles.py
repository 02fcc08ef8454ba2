"""The nine roles of the design (§2), kept as Django groups."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    CUSTODIAN = "custodian", _("Data custodian")
    SECRETARIAT = "secretariat", _("Secretariat")
    REVIEWER = "reviewer", _("Reviewer")
    CHAIR = "chair", _("Committee chair")
    HARM_OFFICER = "harm_officer", _("Harm officer")
    BENEFIT_OFFICER = "benefit_officer", _("Benefit officer")
    AUDITOR = "auditor", _("Auditor")


def user_roles(user) -> set[str]:
    """The role names a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        valid = set(Role.values)
        cached = {name for name in user.groups.values_list("name", flat=True) if name in valid}
        user._role_cache = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
