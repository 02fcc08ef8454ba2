from django.utils.translation import gettext as _

from solidarity.accounts.home import Panel
from solidarity.accounts.roles import Role
from solidarity.audit.models import ChainHead


def auditor_panel(user):
    if not user.has_role(Role.AUDITOR):
        return None
    head = ChainHead.objects.filter(pk=1).first()
    return Panel(
        title=_("Audit trail"),
        template="auditing/panel_auditor.html",
        context={"length": head.length if head else 0},
        order=10,
    )
