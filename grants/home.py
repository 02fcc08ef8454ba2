from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role

from . import selectors


def custodian_nodes_panel(user):
    if not user.has_role(Role.CUSTODIAN):
        return None
    nodes = list(selectors.nodes_for(user).filter(revoked_at__isnull=True)[:10])
    return Panel(
        title=_("Your nodes"),
        template="grants/panel_custodian.html",
        context={"nodes": nodes},
        order=35,
    )
