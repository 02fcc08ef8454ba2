from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from .selectors import datasets_managed_by


def custodian_panel(user):
    if not user.has_role(Role.CUSTODIAN):
        return None
    datasets = list(datasets_managed_by(user).order_by("title")[:10])
    return Panel(
        title=_("Your organisation's datasets"),
        template="catalog/panel_custodian.html",
        context={"datasets": datasets},
        order=40,
    )
